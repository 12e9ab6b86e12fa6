"""bot/channels/telegram/transport.py: PTB's requests over aiohttp's client, against a real
local HTTP server. (Every other Telegram test runs the bot through it too.)"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from telegram import InputFile
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData
from telegram.request._requestparameter import RequestParameter

from bot.channels.telegram.transport import AiohttpRequest


@pytest.fixture
async def server() -> AsyncIterator[tuple[str, list[dict]]]:
    seen: list[dict] = []

    async def form(request: web.Request) -> web.Response:
        if request.content_type.startswith("multipart/"):
            fields = {}
            async for part in await request.multipart():
                fields[part.name] = (part.filename, bytes(await part.read()))
        else:
            assert request.content_type == "application/json"
            fields = await request.json()
        seen.append({"agent": request.headers.get("User-Agent"), "fields": fields})
        return web.json_response({"ok": True, "result": True}, status=200)

    async def file(request: web.Request) -> web.Response:
        return web.Response(body=b"\x00bytes")

    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(2)
        return web.json_response({"ok": True, "result": True})

    app = web.Application()
    app.router.add_post("/form", form)
    app.router.add_get("/file", file)
    app.router.add_post("/slow", slow)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}", seen
    await runner.cleanup()


def _data(*parameters: RequestParameter) -> RequestData:
    return RequestData(list(parameters))


async def test_parameters_go_out_as_json_and_the_answer_comes_back(server) -> None:
    base, seen = server
    request = AiohttpRequest(4)
    await request.initialize()
    await request.initialize()  # twice is harmless: the same session
    try:
        status, body = await request.do_request(
            f"{base}/form",
            "POST",
            _data(
                RequestParameter("chat_id", 7, None),
                RequestParameter("text", "مرحبا ሰላም", None),
                RequestParameter("reply_markup", {"inline_keyboard": [[{"text": "Ja"}]]}, None),
            ),
        )
        assert status == 200 and b'"ok": true' in body
        fields = {
            "chat_id": 7,
            "text": "مرحبا ሰላም",
            "reply_markup": {"inline_keyboard": [[{"text": "Ja"}]]},  # an object, as Telegram reads
        }
        assert seen == [{"agent": BaseRequest.USER_AGENT, "fields": fields}]
        assert await request.do_request(f"{base}/file", "GET") == (200, b"\x00bytes")
    finally:
        await request.shutdown()
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request(f"{base}/file", "GET")
    await request.initialize()  # and it can start again after a shutdown
    try:
        assert (await request.do_request(f"{base}/file", "GET"))[0] == 200
    finally:
        await request.shutdown()


async def test_a_file_goes_as_multipart(server) -> None:
    base, seen = server
    request = AiohttpRequest()
    await request.initialize()
    try:
        document = InputFile(b"%PDF brief", filename="brief.pdf", attach=True)
        await request.do_request(
            f"{base}/form",
            "POST",
            _data(
                RequestParameter("chat_id", 7, None),
                RequestParameter("document", document.attach_uri, [document]),
            ),
        )
    finally:
        await request.shutdown()
    fields = seen[0]["fields"]
    assert fields["chat_id"] == (None, b"7")
    assert (document.attach_name, "brief.pdf", b"%PDF brief") in {
        (name, filename, content) for name, (filename, content) in fields.items()
    }


async def test_a_slow_answer_is_timed_out_and_a_closed_port_a_network_error(server) -> None:
    base, _ = server
    request = AiohttpRequest(read_timeout=0.2)
    await request.initialize()
    try:
        with pytest.raises(TimedOut):
            await request.do_request(f"{base}/slow", "POST", _data())
        with pytest.raises(TimedOut):  # a timeout given per call wins
            await request.do_request(f"{base}/slow", "POST", _data(), read_timeout=0.1)
        with socket.socket() as unused:
            unused.bind(("127.0.0.1", 0))
            port = unused.getsockname()[1]
        with pytest.raises(NetworkError) as refused:
            await request.do_request(f"http://127.0.0.1:{port}/x", "POST", _data())
        assert not isinstance(refused.value, TimedOut) and "aiohttp." in str(refused.value)
    finally:
        await request.shutdown()
