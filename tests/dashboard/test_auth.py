"""Logging in and out over real HTTP: sessions, cookies, lockout, expiry, CSRF, roles, and that
no dashboard page is shown to someone who has not logged in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from bot.app import DB
from bot.dashboard import auth
from bot.dashboard.settings import SETTINGS, Settings
from storage import users
from storage.audit import AuditEntry
from tests.dashboard.conftest import (
    PASSWORD,
    Worker,
    dashboard_app,
    resident_says,
    submit_login,
)

FAILED = "Inloggen lukt niet. Controleer je naam en wachtwoord."
LOCKED = "Te veel mislukte pogingen"


async def audit_actions(app) -> list[str]:
    async with app[DB].transaction() as s:
        rows = (await s.exec(select(AuditEntry).order_by(AuditEntry.id))).all()
    return [r.action for r in rows]


async def test_login_gives_a_private_session_cookie_and_the_queue(client, add_user):
    await add_user("fatima")
    response = await submit_login(client, "Fatima", PASSWORD)  # names are case-insensitive
    assert response.status == 200 and response.url.path == "/dashboard/"
    cookie = response.history[0].cookies[auth.COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    assert cookie["path"] == "/dashboard" and not cookie["secure"]
    assert "fatima" in await response.text()
    assert "login" in await audit_actions(client.app)


async def test_the_password_is_stored_as_an_argon2id_hash(client, add_user):
    user = await add_user("fatima")
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash


async def test_wrong_password_and_unknown_name_get_the_same_answer(client, add_user):
    await add_user("fatima")
    wrong = await submit_login(client, "fatima", "not the password")
    unknown = await submit_login(client, "nobody", "not the password")
    assert wrong.status == unknown.status == 401
    assert FAILED in await wrong.text() and FAILED in await unknown.text()
    assert auth.COOKIE not in wrong.cookies
    assert (await audit_actions(client.app)).count("login_failed") == 2


async def test_five_failures_lock_the_name_even_for_the_right_password(client, add_user):
    await add_user("fatima")
    for _ in range(users.USER_LIMIT):
        assert (await submit_login(client, "fatima", "guess")).status in (401, 429)
    locked = await submit_login(client, "fatima", PASSWORD)
    assert locked.status == 429
    assert LOCKED in await locked.text()
    assert "login_locked" in await audit_actions(client.app)
    # An unknown name locks the same way: the lock says nothing about who exists.
    for _ in range(users.USER_LIMIT):
        await submit_login(client, "nobody", "guess")
    assert LOCKED in await (await submit_login(client, "nobody", "guess")).text()


async def test_the_lock_ends_after_fifteen_minutes(client, add_user):
    await add_user("fatima")
    for _ in range(users.USER_LIMIT):
        await submit_login(client, "fatima", "guess")
    async with client.app[DB].transaction() as s:
        for row in (await s.exec(select(users.LoginFailure))).all():
            if row.locked_until is not None:
                row.locked_until -= users.LOCK
            row.first_at -= users.LOCK
            s.add(row)
    ok = await submit_login(client, "fatima", PASSWORD)
    assert ok.status == 200 and ok.url.path == "/dashboard/"


async def test_many_names_from_one_address_lock_the_address(client, add_user):
    await add_user("fatima")
    for i in range(users.IP_LIMIT):
        await submit_login(client, f"guess{i}", "guess")
    locked = await submit_login(client, "fatima", PASSWORD)
    assert locked.status == 429


async def test_a_session_ends_after_idle_time_and_after_twelve_hours(client, add_user):
    await add_user("fatima")
    worker = await Worker.login(client, "fatima")
    assert (await worker.page("/dashboard/"))[0] == 200

    async def age(**delta: float) -> None:
        async with client.app[DB].transaction() as s:
            for row in (await s.exec(select(users.WebSession))).all():
                row.last_seen_at -= timedelta(**delta)
                row.created_at -= timedelta(**delta)
                s.add(row)

    await age(minutes=29)
    assert (await worker.page("/dashboard/"))[0] == 200  # and that counts as activity
    await age(minutes=31)
    response = await client.get("/dashboard/", allow_redirects=False)
    assert response.status == 303
    assert response.headers["Location"].startswith("/dashboard/login?next=")
    assert "expired=1" in response.headers["Location"]

    worker = await Worker.login(client, "fatima")
    async with client.app[DB].transaction() as s:
        for row in (await s.exec(select(users.WebSession))).all():
            row.created_at -= users.ABSOLUTE
            s.add(row)
    assert (await client.get("/dashboard/", allow_redirects=False)).status == 303


async def test_logout_ends_the_session_on_the_server(client, add_user):
    await add_user("fatima")
    worker = await Worker.login(client, "fatima")
    token = client.session.cookie_jar.filter_cookies(client.make_url("/dashboard/"))[auth.COOKIE]
    response = await worker.post("/dashboard/logout")
    assert response.url.path == "/dashboard/login"
    assert "Je bent uitgelogd." in await response.text()
    # The old cookie, sent again, is worth nothing.
    client.session.cookie_jar.update_cookies(
        {auth.COOKIE: token.value}, client.make_url("/dashboard/")
    )
    assert (await client.get("/dashboard/", allow_redirects=False)).status == 303
    assert "logout" in await audit_actions(client.app)


async def test_login_makes_a_new_session_whatever_cookie_came_with_it(client, add_user):
    await add_user("fatima")
    url = client.make_url("/dashboard/")
    planted = "p" * 43  # session fixation: a cookie someone put there beforehand
    client.session.cookie_jar.update_cookies({auth.COOKIE: planted}, url)
    await Worker.login(client, "fatima")
    first = client.session.cookie_jar.filter_cookies(url)[auth.COOKIE].value
    assert first != planted
    await client.post("/dashboard/logout", data={"_csrf": await csrf_of(client)})
    await Worker.login(client, "fatima")
    assert client.session.cookie_jar.filter_cookies(url)[auth.COOKIE].value not in (first, planted)


async def csrf_of(client) -> str:
    from tests.dashboard.conftest import page_csrf

    return page_csrf(await (await client.get("/dashboard/")).text())


async def test_every_page_asks_for_login_first(client, add_user):
    await add_user("fatima")
    await resident_says(client.app, "r1", "/mens")
    pages = [
        "/dashboard/",
        "/dashboard/closed",
        "/dashboard/cases/1",
        "/dashboard/cases/1/close",
        "/dashboard/audit",
        "/dashboard/admin/users",
        "/dashboard/admin/flows",
        "/dashboard/admin/translations",
        "/dashboard/no-such-page",
    ]
    for path in pages:
        response = await client.get(path, allow_redirects=False)
        assert response.status == 303, path
        assert response.headers["Location"].startswith("/dashboard/login"), path
    # Scripts' endpoints answer 401, forms redirect to the login page.
    for path in ("/dashboard/queue/rows", "/dashboard/cases/1/updates", "/dashboard/events"):
        assert (await client.get(path)).status == 401, path
    response = await client.post(
        "/dashboard/cases/1/claim", data={"_csrf": "x"}, allow_redirects=False
    )
    assert response.status == 303
    # Nothing of the case leaked on the way.
    assert "Bewoner-" not in await (await client.get("/dashboard/")).text()
    # /dashboard without the slash leads there too.
    response = await client.get("/dashboard", allow_redirects=False)
    assert response.status == 301 and response.headers["Location"] == "/dashboard/"


async def test_after_login_the_page_asked_for_opens(client, add_user):
    await add_user("fatima")
    response = await submit_login(client, "fatima", PASSWORD, next="/dashboard/closed")
    assert response.url.path == "/dashboard/closed"
    for bad in ("https://evil.example/", "//evil.example/", "/dashboard/..//evil", "/elsewhere"):
        await client.post("/dashboard/logout")  # without token: refused, no matter
        client.session.cookie_jar.clear()
        response = await submit_login(client, "fatima", PASSWORD, next=bad)
        assert response.url.path == "/dashboard/", bad


async def test_forms_without_the_csrf_token_are_refused(client, add_user):
    await add_user("fatima")
    worker = await Worker.login(client, "fatima")
    await resident_says(client.app, "r1", "/mens")
    missing = await client.post("/dashboard/cases/1/claim", data={})
    assert missing.status == 403
    assert "formulier is verlopen" in await missing.text()
    wrong = await client.post("/dashboard/cases/1/claim", data={"_csrf": "x" * 43})
    assert wrong.status == 403
    other_site = await worker.post(
        "/dashboard/cases/1/claim", headers={"Origin": "https://evil.example"}
    )
    assert other_site.status == 403
    cross = await worker.post("/dashboard/cases/1/claim", headers={"Sec-Fetch-Site": "cross-site"})
    assert cross.status == 403
    ok = await worker.post("/dashboard/cases/1/claim", headers={"Origin": str(client.make_url(""))})
    assert ok.status == 200 and ok.url.path == "/dashboard/cases/1"


async def test_the_login_form_has_its_own_csrf_token(client, add_user):
    await add_user("fatima")
    await client.get("/dashboard/login")
    response = await client.post(
        "/dashboard/login", data={"name": "fatima", "password": PASSWORD, "_csrf": "forged"}
    )
    assert response.status == 403
    assert auth.COOKIE not in response.cookies


async def test_workers_do_not_see_admin_pages(client, add_user, second_client):
    await add_user("fatima")
    await add_user("anne", role="admin")
    worker = await Worker.login(client, "fatima")
    admin = await Worker.login(second_client, "anne")
    for path in (
        "/dashboard/audit",
        "/dashboard/admin/users",
        "/dashboard/admin/flows",
        "/dashboard/admin/translations",
    ):
        status, html = await worker.page(path)
        assert status == 403 and "Hiervoor heb je geen rechten." in html, path
        assert (await admin.page(path))[0] == 200, path
    refused = await worker.post(
        "/dashboard/admin/users",
        {"name": "mallory", "role": "admin", "password": PASSWORD, "password2": PASSWORD},
    )
    assert refused.status == 403
    status, html = await worker.page("/dashboard/")
    assert "/dashboard/admin/users" not in html  # no menu entries they cannot use


async def test_a_disabled_user_is_logged_out_at_once(client, add_user, second_client):
    await add_user("fatima")
    await add_user("anne", role="admin")
    worker = await Worker.login(client, "fatima")
    admin = await Worker.login(second_client, "anne")
    fatima = await users_by_name(client.app, "fatima")
    await admin.post(f"/dashboard/admin/users/{fatima.id}/disable")
    assert (await client.get("/dashboard/", allow_redirects=False)).status == 303
    response = await submit_login(client, "fatima", PASSWORD)
    assert response.status == 401 and FAILED in await response.text()
    del worker


async def users_by_name(app, name: str) -> users.User:
    async with app[DB].transaction() as s:
        found = await users.find_user(s, name)
    assert found is not None
    return found


@pytest.mark.parametrize("trusted", [True, False])
async def test_secure_cookie_behind_a_trusted_https_proxy(aiohttp_client, config, trusted):
    app = dashboard_app(config, Settings(trust_proxy=trusted, poll_interval=0.2))
    client = await aiohttp_client(app)
    from tests.dashboard.conftest import create_user

    await create_user(app[DB], "fatima")
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    form = await client.get("/dashboard/login", headers=headers)
    token = form.cookies[auth.LOGIN_COOKIE].value
    assert bool(form.cookies[auth.LOGIN_COOKIE]["secure"]) is trusted
    response = await client.post(
        "/dashboard/login",
        data={"_csrf": token, "name": "fatima", "password": PASSWORD},
        headers=headers,
        cookies={auth.LOGIN_COOKIE: token},  # a Secure cookie is not sent back over http
        allow_redirects=False,
    )
    assert response.status == 303
    assert bool(response.cookies[auth.COOKIE]["secure"]) is trusted
    async with app[DB].transaction() as s:
        login = (await s.exec(select(AuditEntry).where(AuditEntry.action == "login"))).one()
    assert (login.ip == "203.0.113.9") is trusted
    assert app[SETTINGS].trust_proxy is trusted


async def test_pages_carry_security_headers(client, add_user):
    response = await client.get("/dashboard/login")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
