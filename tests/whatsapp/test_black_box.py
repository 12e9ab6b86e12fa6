"""The issue's black-box check: `buurtbot run` as a process of its own with the WHATSAPP_*
variables, against the Graph API stand-in, with signed webhooks posted at it over HTTP; and
a process killed with SIGKILL after taking a message, whose reply still goes out after the
restart."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import aiohttp

from tests.support import graphapi
from tests.support.graphapi import GraphAPI
from tests.telegram.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(5000)
LOGIN_CSRF = re.compile(r'name="_csrf" value="([^"]*)"')
PHOTO_ON_PAGE = re.compile(r'src="(/dashboard/cases/\d+/attachments/\d+)\?preview=1"')


def environment(graph: GraphAPI, tmp_path: Path, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'buurtbot.db'}",
        "WHATSAPP_TOKEN": graph.token,
        "WHATSAPP_PHONE_NUMBER_ID": graph.phone_number_id,
        "WHATSAPP_APP_SECRET": graph.app_secret,
        "WHATSAPP_VERIFY_TOKEN": graphapi.VERIFY_TOKEN,
        "WHATSAPP_API_BASE_URL": graph.base_url,
        "DASHBOARD_PORT": str(port),
        "BUURTBOT_SEND_RATE": "0",
        "BUURTBOT_OFFICE_HOURS": "altijd",
        "BUURTBOT_SPOOL_DIR": str(tmp_path / "spool"),
    }


@contextlib.contextmanager
def process(env: dict[str, str]) -> Iterator[subprocess.Popen]:
    started = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield started
    finally:
        if started.poll() is None:
            started.send_signal(signal.SIGTERM)
            try:
                started.wait(10)
            except subprocess.TimeoutExpired:
                started.kill()
                started.wait()


async def healthy(base: str, started: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as http:
        while time.monotonic() < deadline and started.poll() is None:
            with contextlib.suppress(aiohttp.ClientError, OSError, TimeoutError):
                async with http.get(f"{base}/healthz") as response:
                    if response.status == 200 and (await response.json()).get("whatsapp") == "ok":
                        return
            await asyncio.sleep(0.2)
    detail = started.stderr.read()[-3000:] if started.poll() is not None else "no answer"
    raise AssertionError(f"buurtbot did not come up: {detail}")


def add_worker(env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "-m", "bot", "users", "add", "sanne", "--role", "worker"],
        cwd=ROOT,
        env=env,
        input=f"{PASSWORD}\n{PASSWORD}\n",
        text=True,
        check=True,
        capture_output=True,
    )


async def logged_in(base: str) -> aiohttp.ClientSession:
    # A cookie jar that takes cookies from an IP address; the form posted as a browser does.
    http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    async with http.get(f"{base}/dashboard/login") as form:
        token = LOGIN_CSRF.search(await form.text())
    assert token
    data = {"_csrf": token.group(1), "name": "sanne", "password": PASSWORD}
    headers = {"Origin": base}
    try:
        async with http.post(f"{base}/dashboard/login", data=data, headers=headers) as response:
            assert response.status == 200 and response.url.path == "/dashboard/"
    except BaseException:
        await http.close()
        raise
    return http


async def answered(graph: GraphAPI, wa_id: str, count: int, timeout: float = 10) -> list[str]:
    await graph.wait_for(lambda: len(graph.sent_to(wa_id)) > count, timeout=timeout)
    await graph.settle()
    return graph.texts(wa_id)[count:]


async def test_buurtbot_run_with_whatsapp_against_its_stand_in(graph: GraphAPI, tmp_path: Path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    hook = f"{base}/whatsapp/webhook"
    env = environment(graph, tmp_path, port)
    add_worker(env)
    with process(env) as started:
        await healthy(base, started)
        async with aiohttp.ClientSession() as http:
            query = {
                "hub.mode": "subscribe",
                "hub.verify_token": graphapi.VERIFY_TOKEN,
                "hub.challenge": "8412",
            }
            async with http.get(hook, params=query) as response:
                assert (response.status, await response.text()) == (200, "8412")

        # A wrong signature: refused, and nobody gets a reply.
        intruder = graphapi.text("31600000001", "hallo")
        assert await graphapi.post(hook, intruder, secret="guessed") == 403
        await asyncio.sleep(1.0)
        assert graph.requests == []

        # Buttons, and a pressed one moving the flow.
        ana = "31600000002"
        assert await graphapi.post(hook, graphapi.text(ana, "hallo")) == 200
        await answered(graph, ana, 0)
        picker = next(r for r in graph.sent_to(ana) if r.options)
        dutch = next(o for o in picker.options if o["title"] == "Nederlands")
        reply = "list_reply" if picker.body["interactive"]["type"] == "list" else "button_reply"
        count = len(graph.sent_to(ana))
        assert await graphapi.post(hook, graphapi.press(ana, dutch, kind=reply)) == 200
        await answered(graph, ana, count)
        assert graph.sent_to(ana)[-1].options  # the menu

        # An Arabic crisis: 113 within 3 seconds.
        omar = "31600000003"
        started_at = time.monotonic()
        assert await graphapi.post(hook, graphapi.text(omar, "بدي موت")) == 200
        await graph.wait_for(lambda: any("113" in t for t in graph.texts(omar)), timeout=3)
        assert time.monotonic() - started_at < 3

        # A message delivered twice is answered once.
        again = graphapi.text(ana, "/menu")
        count = len(graph.sent_to(ana))
        assert await graphapi.post(hook, again) == 200
        first = await answered(graph, ana, count)
        assert await graphapi.post(hook, again) == 200
        await graph.settle(quiet=0.5)
        assert graph.texts(ana)[count:] == first

        # 130429: retried.
        graph.fail_next(130429, message="Rate limit hit")
        count = len(graph.sent_to(ana))
        assert await graphapi.post(hook, graphapi.text(ana, "/menu")) == 200
        await answered(graph, ana, count, timeout=15)
        assert any(r.answered == 400 for r in graph.sent_to(ana, ok_only=False))

        # A photo after asking for a person: on the case page with login, not without.
        lea = "31600000004"
        assert await graphapi.post(hook, graphapi.text(lea, "ik wil een mens spreken")) == 200
        await answered(graph, lea, 0)
        graph.media_files["LETTER"] = (JPEG, "image/jpeg")
        count = len(graph.sent_to(lea))
        assert await graphapi.post(hook, graphapi.image(lea, "LETTER")) == 200
        await answered(graph, lea, count)
        http = await logged_in(base)
        try:
            async with http.get(f"{base}/dashboard/") as queue:
                cases = re.findall(r'href="(/dashboard/cases/\d+)"', await queue.text())
            photo = None
            for case in dict.fromkeys(cases):
                async with http.get(base + case) as page:
                    found = PHOTO_ON_PAGE.search(await page.text())
                if found:
                    photo = found.group(1)
            assert photo is not None, "no case page shows the photo"
            async with http.get(base + photo) as response:
                assert response.status == 200 and await response.read() == JPEG
        finally:
            await http.close()
        async with (
            aiohttp.ClientSession() as stranger,
            stranger.get(base + photo, allow_redirects=False) as refused,
        ):
            assert refused.status in (302, 303, 401)


async def test_a_message_taken_before_a_kill_is_answered_after_the_restart(
    graph: GraphAPI, tmp_path: Path
):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    hook = f"{base}/whatsapp/webhook"
    env = environment(graph, tmp_path, port)
    ana = "31600000005"
    with process(env) as started:
        await healthy(base, started)
        graph.down = True  # Meta unreachable: the replies wait in the outbox
        assert await graphapi.post(hook, graphapi.text(ana, "hallo")) == 200  # stored
        await graph.wait_for(lambda: graph.sent_to(ana, ok_only=False))
        started.send_signal(signal.SIGKILL)
        started.wait()
    assert graph.sent_to(ana) == []
    graph.down = False
    with process(env) as restarted:
        await healthy(base, restarted)
        await graph.wait_for(lambda: any(r.options for r in graph.sent_to(ana)), timeout=20)
