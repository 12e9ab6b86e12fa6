"""A stand-in for the WhatsApp Cloud API (Graph API) over real HTTP, and a stand-in for Meta's
side of the webhook: it records every message the bot sends, answers with error codes when
told to, serves media, and posts signed webhook payloads at the app the way Meta does.

Payload shapes follow Meta's webhook and messages references (docs/whatsapp.md)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

PHONE_NUMBER_ID = "106540352242922"
TOKEN = "EAAG-stand-in-token"
APP_SECRET = "stand-in-app-secret"
VERIFY_TOKEN = "stand-in-verify-token"


@dataclass
class Request:
    """One message the bot sent, as the stand-in received it."""

    body: dict[str, Any]
    authorization: str | None
    at: float
    answered: int  # HTTP status the stand-in gave
    wamid: str | None = None

    @property
    def to(self) -> str:
        return str(self.body.get("to"))

    @property
    def kind(self) -> str:
        return str(self.body.get("type"))

    @property
    def text(self) -> str:
        """The text a resident reads: a text's body, an interactive body, a template's name."""
        if self.kind == "text":
            return self.body["text"]["body"]
        if self.kind == "interactive":
            return self.body["interactive"]["body"]["text"]
        if self.kind == "template":
            return "template:" + self.body["template"]["name"]
        return ""

    @property
    def options(self) -> list[dict[str, Any]]:
        """Reply buttons as {id, title}, list rows as {id, title, description?}."""
        if self.kind != "interactive":
            return []
        interactive = self.body["interactive"]
        action = interactive["action"]
        if interactive["type"] == "button":
            return [b["reply"] for b in action["buttons"]]
        return [row for section in action["sections"] for row in section["rows"]]


@dataclass
class GraphAPI:
    """The stand-in; `start()` it, point WHATSAPP_API_BASE_URL at `base_url`."""

    phone_number_id: str = PHONE_NUMBER_ID
    token: str = TOKEN
    app_secret: str = APP_SECRET
    requests: list[Request] = field(default_factory=list)
    faults: list[tuple[int, int, str]] = field(default_factory=list)  # (http, code, message)
    down: bool = False  # every send answered 503 (Meta unreachable for a while)
    media_files: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    media_fetches: int = 0
    media_delay: float = 0.0  # seconds before a media download answers (a slow network)
    _ids: Any = field(default_factory=lambda: itertools.count(1))
    _runner: web.AppRunner | None = None
    base_url: str = ""
    port: int = 0

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/v23.0/{phone}/messages", self._messages)
        app.router.add_get("/media-bytes/{media_id}", self._media_bytes)
        app.router.add_get("/v23.0/{media_id}", self._media)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{self.port}/v23.0"

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    # --- the Graph API side --------------------------------------------------------------

    def fail_next(self, code: int, *, http: int = 400, message: str = "stand-in fault") -> None:
        """The next send is answered with this error (then the sends after it as usual)."""
        self.faults.append((http, code, message))

    def _authorised(self, request: web.Request) -> bool:
        return request.headers.get("Authorization") == f"Bearer {self.token}"

    async def _messages(self, request: web.Request) -> web.Response:
        body = await request.json()
        record = Request(body, request.headers.get("Authorization"), time.monotonic(), 200)
        self.requests.append(record)
        if not self._authorised(request) or request.match_info["phone"] != self.phone_number_id:
            record.answered = 401
            return _error(401, 190, "Invalid OAuth access token")
        if self.down:
            record.answered = 503
            return _error(503, 2, "Service temporarily unavailable")
        if self.faults:
            http, code, message = self.faults.pop(0)
            record.answered = http
            return _error(http, code, message)
        record.wamid = f"wamid.STANDIN{next(self._ids):06d}"
        return web.json_response(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": body.get("to"), "wa_id": body.get("to")}],
                "messages": [{"id": record.wamid}],
            }
        )

    async def _media(self, request: web.Request) -> web.Response:
        media_id = request.match_info["media_id"]
        if not self._authorised(request) or media_id not in self.media_files:
            return _error(404 if self._authorised(request) else 401, 100, "no such media")
        data, mime = self.media_files[media_id]
        base = self.base_url.rsplit("/", 1)[0]
        return web.json_response(
            {
                "messaging_product": "whatsapp",
                "url": f"{base}/media-bytes/{media_id}",
                "mime_type": mime,
                "sha256": hashlib.sha256(data).hexdigest(),
                "file_size": len(data),
                "id": media_id,
            }
        )

    async def _media_bytes(self, request: web.Request) -> web.Response:
        media_id = request.match_info["media_id"]
        if not self._authorised(request) or media_id not in self.media_files:
            return web.Response(status=404)
        self.media_fetches += 1
        await asyncio.sleep(self.media_delay)
        data, mime = self.media_files[media_id]
        return web.Response(body=data, content_type=mime)

    def sent_to(self, wa_id: str, *, ok_only: bool = True) -> list[Request]:
        return [r for r in self.requests if r.to == wa_id and (r.answered == 200 or not ok_only)]

    def texts(self, wa_id: str) -> list[str]:
        return [r.text for r in self.sent_to(wa_id)]

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out; sent so far: {[r.body for r in self.requests]}")
            await asyncio.sleep(0.02)

    async def settle(self, quiet: float = 0.3, timeout: float = 10.0) -> None:
        """Until nothing was sent for `quiet` seconds."""
        deadline = time.monotonic() + timeout
        count = -1
        while time.monotonic() < deadline:
            if len(self.requests) == count:
                return
            count = len(self.requests)
            await asyncio.sleep(quiet)


def _error(http: int, code: int, message: str) -> web.Response:
    return web.json_response(
        {
            "error": {
                "message": message,
                "type": "OAuthException",
                "code": code,
                "error_data": {"messaging_product": "whatsapp", "details": message},
                "fbtrace_id": "StandIn",
            }
        },
        status=http,
    )


# --- Meta's side of the webhook ----------------------------------------------------------

_wamids = itertools.count(1)


def new_wamid() -> str:
    # Real wamids are base64 and often longer than 64 characters.
    return "wamid.HBgLMzE2MTIzNDU2NzgVAgASGBQzQUVCN0" + f"{next(_wamids):030d}" + "AA=="


def envelope(value: dict[str, Any]) -> dict[str, Any]:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "31201234567",
                                "phone_number_id": PHONE_NUMBER_ID,
                            },
                            **value,
                        },
                    }
                ],
            }
        ],
    }


def inbound(wa_id: str, kind: str, content: dict[str, Any], *, wamid: str | None = None):
    message = {
        "from": wa_id,
        "id": wamid or new_wamid(),
        "timestamp": str(int(time.time())),
        "type": kind,
        kind: content,
    }
    return envelope(
        {"contacts": [{"profile": {"name": "Bewoner"}, "wa_id": wa_id}], "messages": [message]}
    )


def text(wa_id: str, body: str, **kw: Any) -> dict[str, Any]:
    return inbound(wa_id, "text", {"body": body}, **kw)


def press(wa_id: str, option: dict[str, Any], *, kind: str = "button_reply") -> dict[str, Any]:
    reply = {"id": option["id"], "title": option["title"]}
    return inbound(wa_id, "interactive", {"type": kind, kind: reply})


def image(wa_id: str, media_id: str, *, caption: str | None = None, mime="image/jpeg"):
    content = {"id": media_id, "mime_type": mime, "sha256": "x"}
    if caption:
        content["caption"] = caption
    return inbound(wa_id, "image", content)


def status(wamid: str, state: str, *, wa_id: str = "31600000000", code: int | None = None):
    report: dict[str, Any] = {
        "id": wamid,
        "status": state,
        "timestamp": str(int(time.time())),
        "recipient_id": wa_id,
    }
    if code is not None:
        report["errors"] = [{"code": code, "title": "stand-in failure"}]
    return envelope({"statuses": [report]})


def sign(body: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


async def post(
    url: str, payload: dict[str, Any], *, secret: str | None = APP_SECRET, signature=None
) -> int:
    """Post `payload` at the webhook `url` as Meta does; returns the HTTP status."""
    body = json.dumps(payload).encode()
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["X-Hub-Signature-256"] = signature
    elif secret is not None:
        headers["X-Hub-Signature-256"] = sign(body, secret)
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=body, headers=headers) as response,
    ):
        await response.read()
        return response.status
