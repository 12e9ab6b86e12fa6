"""deploy/nginx.conf: it matches the app's paths, `nginx -t` accepts it, and a real nginx with
it in front of a stand-in app passes the webhook and the live updates and keeps /metrics in.

nginx and openssl come from Debian (skipped when missing; a failure when
BUURTBOT_REQUIRE_SERVICES=1).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import shutil
import signal
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from bot.channels.telegram import webhook
from bot.config import Config
from bot.dashboard import PREFIX, create_app
from bot.dashboard import views as dashboard_views
from tests.conftest import _unavailable
from tests.deploy import files

SECRET = "s3cret_for-the-test"


def test_locations_match_the_app():
    locations = files.nginx_locations()
    assert f"= {webhook.PATH}" in locations
    events = next(
        route.resource.canonical
        for route in create_app().router.routes()
        if route.handler is dashboard_views.events
    )
    assert f"= {PREFIX}{events}" in locations
    assert "proxy_buffering off;" in locations[f"= {PREFIX}{events}"]
    assert "deny all;" in locations["= /metrics"]
    assert "proxy_pass" not in locations["= /metrics"]
    assert f"server 127.0.0.1:{Config.dashboard_port};" in files.NGINX.read_text()


def _tools() -> tuple[str, str]:
    # Debian puts nginx in /usr/sbin, which is not on an ordinary user's PATH.
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
    openssl = shutil.which("openssl")
    if nginx is None:
        _unavailable("nginx not installed (Debian: nginx)")
    if openssl is None:
        _unavailable("openssl not installed (Debian: openssl)")
    return nginx, openssl


def _certificate(openssl: str, where: Path) -> tuple[Path, Path]:
    cert, key = where / "cert.pem", where / "key.pem"
    request = "req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1"
    files_out = ["-keyout", str(key), "-out", str(cert)]
    subprocess.run(
        [openssl, *request.split(), "-subj", "/CN=buurtbot.example.nl", *files_out],
        check=True,
        capture_output=True,
    )
    return cert, key


def _prepare(where: Path, site: str) -> Path:
    """A main config for nginx that includes `site`, with every file it writes in `where`."""
    cert, key = _certificate(_tools()[1], where)
    site = re.sub(r"ssl_certificate .*;", f"ssl_certificate {cert};", site)
    site = re.sub(r"ssl_certificate_key .*;", f"ssl_certificate_key {key};", site)
    site = re.sub(r"access_log \S+", f"access_log {where / 'access.log'}", site)
    (where / "site.conf").write_text(site)
    temp = "\n".join(
        f"    {kind}_temp_path {where / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    main = where / "nginx.conf"
    main.write_text(
        f"daemon off;\npid {where / 'nginx.pid'};\nerror_log stderr;\nevents {{}}\n"
        f"http {{\n{temp}\n    include {where / 'site.conf'};\n}}\n"
    )
    return main


def test_nginx_accepts_the_config(tmp_path: Path):
    nginx, _ = _tools()
    main = _prepare(tmp_path, files.NGINX.read_text())
    result = subprocess.run(
        [nginx, "-t", "-q", "-e", "stderr", "-p", str(tmp_path), "-c", str(main)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stderr) == (0, "")


# --- a real nginx in front of a stand-in for the app --------------------------------------


class StandIn:
    """The app's routes that the proxy treats differently, telling what reached them."""

    def __init__(self) -> None:
        self.seen: list[web.Request] = []
        self.release = asyncio.Event()

    async def echo(self, request: web.Request) -> web.Response:
        self.seen.append(request)
        await request.read()
        return web.Response(text=f"app {request.method} {request.path}")

    async def events(self, request: web.Request) -> web.StreamResponse:
        # Deliberately without X-Accel-Buffering: the proxy's own config must not buffer.
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        await response.write(b"data: first\n\n")
        await self.release.wait()
        await response.write(b"data: second\n\n")
        return response

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get(f"{PREFIX}/events", self.events)
        app.router.add_route("*", "/{tail:.*}", self.echo)
        return app


@pytest.fixture
async def proxy(aiohttp_server, tmp_path: Path) -> AsyncIterator[tuple[StandIn, int, int]]:
    """nginx with deploy/nginx.conf on free ports, in front of a `StandIn`: (app, http, https)."""
    nginx, _ = _tools()
    app = StandIn()
    server = await aiohttp_server(app.app())
    http, https = files.free_port(), files.free_port()
    site = files.NGINX.read_text()
    site = site.replace(f"127.0.0.1:{Config.dashboard_port}", f"127.0.0.1:{server.port}")
    site = re.sub(r"listen \[::\]:\d+[^;]*;", "", site)
    site = site.replace("listen 80;", f"listen 127.0.0.1:{http};")
    site = site.replace("listen 443 ", f"listen 127.0.0.1:{https} ")
    main = _prepare(tmp_path, site)
    arguments = ["-e", "stderr", "-p", str(tmp_path), "-c", str(main)]
    process = await asyncio.create_subprocess_exec(
        nginx, *arguments, stderr=asyncio.subprocess.PIPE
    )
    try:
        await _wait_for_port(https, process)
        yield app, http, https
    finally:
        app.release.set()
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)  # fast stop: open streams end now
        try:
            await asyncio.wait_for(process.wait(), 10)
        except TimeoutError:
            process.kill()
            await process.wait()


async def _wait_for_port(port: int, process: asyncio.subprocess.Process) -> None:
    for _ in range(100):
        if process.returncode is not None:
            assert process.stderr is not None
            pytest.fail(f"nginx stopped: {(await process.stderr.read()).decode()}")
        with contextlib.suppress(OSError):
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        await asyncio.sleep(0.05)
    pytest.fail("nginx did not listen within 5 s")


def _client() -> aiohttp.ClientSession:
    # A proxy that holds a response back fails the test in seconds, not aiohttp's 5 minutes.
    return aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))


async def test_http_is_sent_to_https(proxy):
    _, http, _ = proxy
    async with _client() as client:
        url = f"http://127.0.0.1:{http}/dashboard/"
        async with client.get(url, allow_redirects=False) as response:
            assert response.status == 301
            assert response.headers["Location"] == "https://127.0.0.1/dashboard/"


async def test_the_webhook_reaches_the_app_with_its_secret_and_the_real_address(proxy):
    app, _, https = proxy
    async with _client() as client:
        async with client.post(
            f"https://127.0.0.1:{https}{webhook.PATH}",
            json={"update_id": 1},
            headers={webhook.SECRET_HEADER: SECRET, "X-Forwarded-For": "203.0.113.9"},
            ssl=False,
        ) as response:
            assert (response.status, await response.text()) == (200, f"app POST {webhook.PATH}")
        async with client.get(f"https://127.0.0.1:{https}{webhook.PATH}", ssl=False) as response:
            assert response.status == 403  # only POST goes through
    (request,) = app.seen
    assert request.headers[webhook.SECRET_HEADER] == SECRET
    assert request.headers["X-Forwarded-Proto"] == "https"
    # Overwritten, not appended: what the client claimed is gone.
    assert request.headers["X-Forwarded-For"] == "127.0.0.1"


async def test_metrics_stay_inside(proxy):
    app, _, https = proxy
    url = f"https://127.0.0.1:{https}/metrics"
    async with _client() as client, client.get(url, ssl=False) as response:
        assert response.status == 403
    assert app.seen == []


async def test_live_updates_pass_as_they_come(proxy):
    app, _, https = proxy
    async with _client() as client:
        url = f"https://127.0.0.1:{https}{PREFIX}/events"
        async with client.get(url, ssl=False) as response:
            assert response.status == 200
            # The app holds the stream open after the first event: a buffering proxy would
            # keep it back until the stream ends.
            first = await asyncio.wait_for(response.content.readuntil(b"\n\n"), 5)
            assert first == b"data: first\n\n"
            app.release.set()
            assert await asyncio.wait_for(response.content.readuntil(b"\n\n"), 5) == (
                b"data: second\n\n"
            )


async def test_the_access_log_holds_no_address_and_no_query(proxy, tmp_path: Path):
    _, _, https = proxy
    async with _client() as client:
        url = f"https://127.0.0.1:{https}/dashboard/cases/7?naam=Fatima"
        async with client.get(url, ssl=False) as response:
            assert response.status == 200
    # nginx writes the line after the response went out: give it a moment.
    log = ""
    for _ in range(50):
        log = (tmp_path / "access.log").read_text()
        if "GET /dashboard/cases/7 200" in log:
            break
        await asyncio.sleep(0.1)
    assert "GET /dashboard/cases/7 200" in log
    assert "Fatima" not in log and "127.0.0.1" not in log


async def test_the_web_chat_and_the_login_are_rate_limited_per_address(proxy):
    _, _, https = proxy
    async with _client() as client:
        sends = []
        for _ in range(40):
            url = f"https://127.0.0.1:{https}/chat/api/send"
            async with client.post(url, json={"text": "hoi"}, ssl=False) as response:
                sends.append(response.status)
        logins = []
        for _ in range(25):
            url = f"https://127.0.0.1:{https}{PREFIX}/login"
            async with client.post(url, data={"name": "x"}, ssl=False) as response:
                logins.append(response.status)
    assert sends.count(200) == 31 and sends.count(429) == 9, sends
    assert logins.count(200) == 21 and logins.count(429) == 4, logins
