"""The issue's check, from outside: the real `buurtbot` command makes the teams and workers,
`buurtbot run` serves, residents use the web chat over HTTP, workers the dashboard, and a
real SMTP server (aiosmtpd) receives the alert."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiohttp import ClientError, ClientSession, ClientTimeout, CookieJar

from tests.teams.smtp import SmtpServer, free_port

ROOT = Path(__file__).resolve().parents[2]
BUURTBOT = str(Path(sys.executable).parent / "buurtbot")
PASSWORD = "correct horse battery"
URGENT = "ik wil niet meer leven, ik heb alle pillen klaarliggen"
LOGIN_CSRF = re.compile(r'name="_csrf" value="([^"]*)"')
CASE_LINK = re.compile(r'href="/dashboard/cases/(\d+)"')


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


@pytest.fixture
def env(tmp_path: Path, smtp: SmtpServer) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'buurtbot.db'}",
        "BUURTBOT_FLOWS_DIR": str(ROOT / "flows"),
        "BUURTBOT_LOCALES_DIR": str(ROOT / "locales"),
        "BUURTBOT_SPOOL_DIR": str(tmp_path / "spool"),
        "DASHBOARD_PORT": str(free_port()),
        "BUURTBOT_SMTP_URL": smtp.url,
        "BUURTBOT_MAIL_FROM": "buurtbot@example.org",
        "BUURTBOT_OFFICE_HOURS": "altijd",
    }


def buurtbot(env: dict[str, str], *args: str, stdin: str = "") -> str:
    done = subprocess.run(
        [BUURTBOT, *args], env=env, input=stdin, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, (args, done.stderr)
    return done.stdout


@pytest.fixture
def server(env: dict[str, str]) -> Iterator[str]:
    twice = f"{PASSWORD}\n{PASSWORD}\n"
    for name, area in (("Noord", "1020-1039"), ("Zuid", "1070-1083")):
        address = f"{name.lower()}@example.org"
        buurtbot(env, "teams", "add", name, "--postcodes", area, "--alert-email", address)
    buurtbot(env, "teams", "add", "Centraal", "--default", "--alert-email", "centraal@example.org")
    buurtbot(env, "users", "add", "noor", "--role", "worker", "--team", "Noord", stdin=twice)
    buurtbot(env, "users", "add", "zoe", "--role", "worker", "--team", "Zuid", stdin=twice)
    process = subprocess.Popen(
        [BUURTBOT, "run"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        yield f"http://127.0.0.1:{env['DASHBOARD_PORT']}"
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def up(base: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    async with ClientSession(timeout=ClientTimeout(total=2)) as session:
        while time.monotonic() < deadline:
            with contextlib.suppress(ClientError, OSError, TimeoutError):
                async with session.get(f"{base}/healthz") as response:
                    if response.status == 200:
                        return
            await asyncio.sleep(0.3)
    raise AssertionError("buurtbot run did not come up")


async def chat(session: ClientSession, base: str, text: str) -> list[dict]:
    """Send `text` from the web chat; the bot's messages that came with the answer."""
    async with session.post(f"{base}/chat/api/send", json={"text": text}) as response:
        assert response.status == 200, await response.text()
        data = await response.json()
    return [m for m in data["messages"] if m["from"] == "bot"]


async def login(base: str, name: str) -> ClientSession:
    session = ClientSession(base_url=base, cookie_jar=CookieJar(unsafe=True))  # 127.0.0.1
    async with session.get("/dashboard/login") as page:
        token = LOGIN_CSRF.search(await page.text())
    assert token
    form = {"_csrf": token.group(1), "name": name, "password": PASSWORD}
    async with session.post("/dashboard/login", data=form) as response:
        if response.status != 200 or response.url.path != "/dashboard/":
            await session.close()
            raise AssertionError(f"login of {name}: {response.status} {response.url}")
    return session


async def test_a_city_with_three_teams(server: str, smtp: SmtpServer) -> None:
    base = server
    await up(base)
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as resident:
        await resident.get(f"{base}/")
        said = await chat(resident, base, "ik wil graag een mens spreken")
        assert "postcode" in said[-1]["text"], said
        assert [b[0] for b in said[-1]["buttons"]] == ["Zeg ik liever niet"]
        await chat(resident, base, "1023 ab")

    noor, zoe = await login(base, "noor"), await login(base, "zoe")
    try:
        async with noor.get("/dashboard/") as page:
            noord_cases = CASE_LINK.findall(await page.text())
        async with zoe.get("/dashboard/") as page:
            zuid_cases = CASE_LINK.findall(await page.text())
        assert len(noord_cases) == 1 and zuid_cases == []
        case = noord_cases[0]
        for path in (f"/dashboard/cases/{case}", f"/dashboard/cases/{case}/updates"):
            async with zoe.get(path) as response:
                assert response.status == 404, path
            async with noor.get(path) as response:
                assert response.status == 200, path
    finally:
        await noor.close()
        await zoe.close()

    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as resident:
        await resident.get(f"{base}/")
        started = time.monotonic()
        said = [m["text"] for m in await chat(resident, base, URGENT)]
        crisis = [i for i, text in enumerate(said) if "113" in text]
        asked = [i for i, text in enumerate(said) if "postcode" in text]
        assert crisis and asked and max(crisis) < min(asked), said

    deadline = time.monotonic() + 60
    while not smtp.inbox.to("centraal@example.org") and time.monotonic() < deadline:
        await asyncio.sleep(0.5)
    [mail] = smtp.inbox.to("centraal@example.org")
    print(f"alert mail {time.monotonic() - started:.1f} s after the urgent message")
    body = mail.get_payload()
    assert "Urgent" in body and "Centraal" in body and "/dashboard/cases/" in body
    words = {w.strip(",.").casefold() for w in URGENT.split() if len(w) > 3}
    assert not any(w in body.casefold() for w in words), body
    assert smtp.inbox.to("noord@example.org") == [] and smtp.inbox.to("zuid@example.org") == []
