"""Two-step login over real HTTP: the code after the password (data-testid `login-code`), a code
works once, wrong codes count toward the lockout, recovery codes, `BUURTBOT_REQUIRE_2FA`
setting it up at login, and `buurtbot users totp NAME [--off]`."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from sqlmodel import select

from bot import cli
from bot.app import DB
from bot.dashboard import auth
from bot.dashboard.two_step import STEP_COOKIE, set_up
from storage import users
from storage.second_factor import RecoveryCode
from tests.dashboard.conftest import PASSWORD, dashboard_app, submit_login

CODE_FIELD = 'data-testid="login-code"'


async def _code_form(client, name: str = "fatima", password: str = PASSWORD):
    response = await submit_login(client, name, password)
    html = await response.text()
    assert response.status == 200 and CODE_FIELD in html, html
    assert auth.COOKIE not in response.cookies and STEP_COOKIE in response.cookies
    return html


async def _send_code(client, code: str, html: str):
    token = re.search(r'name="_csrf" value="([^"]*)"', html).group(1)
    data = {"_csrf": token, "step": "code", "code": code, "next": ""}
    return await client.post("/dashboard/login", data=data)


async def _with_totp(client, add_user, name: str = "fatima") -> tuple[pyotp.TOTP, list[str]]:
    await add_user(name)
    uri, codes = await set_up(client.app[DB], name)
    return pyotp.TOTP(pyotp.parse_uri(uri).secret), codes


async def test_the_code_comes_after_the_password_and_works_once(client, add_user):
    totp, _ = await _with_totp(client, add_user)
    html = await _code_form(client)
    code = totp.now()
    done = await _send_code(client, code, html)
    assert done.status == 200 and done.url.path == "/dashboard/"
    # The same code again, in a new login: refused.
    client.session.cookie_jar.clear()
    html = await _code_form(client)
    again = await _send_code(client, code, html)
    assert again.status == 401 and "Die code klopt niet" in await again.text()


async def test_wrong_codes_count_toward_the_lockout(client, add_user):
    await _with_totp(client, add_user)
    answers = []
    for _ in range(users.USER_LIMIT):
        html = await _code_form(client)
        answers.append((await _send_code(client, "000000", html)).status)
    assert answers[-1] == 429 and set(answers[:-1]) == {401}
    # Locked: even the right password and code do not get in now.
    locked = await submit_login(client, "fatima", PASSWORD)
    assert locked.status == 429


async def test_a_recovery_code_works_once_and_is_stored_hashed(client, add_user):
    _, codes = await _with_totp(client, add_user)
    async with client.app[DB].transaction() as s:
        stored = [r.code_hash for r in (await s.exec(select(RecoveryCode))).all()]
    assert len(stored) == 8 and not set(codes) & set(stored)
    html = await _code_form(client)
    assert (await _send_code(client, codes[0].upper(), html)).url.path == "/dashboard/"
    client.session.cookie_jar.clear()
    html = await _code_form(client)
    assert (await _send_code(client, codes[0], html)).status == 401


async def test_without_two_step_login_the_password_is_enough(client, add_user):
    await add_user("fatima")
    response = await submit_login(client, "fatima", PASSWORD)
    assert response.url.path == "/dashboard/" and CODE_FIELD not in await response.text()


@pytest.fixture
async def required(aiohttp_client, config):
    """The dashboard with BUURTBOT_REQUIRE_2FA=1."""
    from bot.dashboard.settings import Settings

    return await aiohttp_client(
        dashboard_app(config, Settings(poll_interval=0.2, require_2fa=True))
    )


async def test_required_two_step_login_is_set_up_at_the_next_login(required):
    from tests.dashboard.conftest import create_user

    client = required
    await create_user(client.app[DB], "fatima")
    html = await _code_form(client)
    assert 'data-testid="login-qr"' in html and "data:image/svg+xml" in html
    secret = re.search(r'data-testid="login-secret">([A-Z2-7]+)<', html).group(1)
    wrong = await _send_code(client, "123456", html)
    assert wrong.status == 401 and secret in await wrong.text()  # shown again
    done = await _send_code(client, pyotp.TOTP(secret).now(), await wrong.text())
    page = await done.text()
    assert done.status == 200 and 'data-testid="recovery-codes"' in page
    async with client.app[DB].transaction() as s:
        user = await users.find_user(s, "fatima")
    assert user.totp_secret == secret


def test_the_command_line_sets_it_up_and_off(tmp_path, monkeypatch, capsys):
    import asyncio

    from storage.db import Database
    from tests.dashboard.conftest import create_user

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)

    async def prepare():
        db = Database(url)
        from storage import migrate

        await migrate.upgrade(db)
        await create_user(db, "fatima")
        await db.dispose()

    asyncio.run(prepare())
    assert cli.main(["users", "totp", "fatima"]) == 0
    out = capsys.readouterr().out
    assert "otpauth://totp/Buurtbot:fatima?secret=" in out and "█" in out
    assert len(re.findall(r"^  [0-9a-f]{6}-[0-9a-f]{6}-[0-9a-f]{6}$", out, re.M)) == 8
    assert cli.main(["users", "totp", "fatima", "--off"]) == 0
    assert "off" in capsys.readouterr().out
    assert cli.main(["users", "totp", "nobody"]) == 1
    assert "no user 'nobody'" in capsys.readouterr().err


def test_codes_are_accepted_one_step_either_side_only():
    from bot.dashboard import totp as codes

    secret = codes.new_secret()
    now = datetime.now(UTC)
    totp = pyotp.TOTP(secret)
    assert codes.matching_step(secret, totp.at(now - timedelta(seconds=30)), now, None)
    assert codes.matching_step(secret, totp.at(now - timedelta(seconds=90)), now, None) is None
    step = codes.matching_step(secret, totp.at(now), now, None)
    assert codes.matching_step(secret, totp.at(now), now, step) is None
