"""Web chat handlers: a page, and a small JSON API the page polls."""

from __future__ import annotations

import hashlib
import json
import logging
import re
import secrets
from pathlib import Path

from aiohttp import web

from bot.channels.webchat import people
from bot.channels.webchat.limits import LIMITS, over_limit
from bot.conversation import DeliverDirectly, Inbound
from bot.dashboard.auth import same_origin
from bot.engine import State
from bot.i18n import LANGUAGES, NATIVE_NAMES, RTL, supported, web_texts
from bot.keys import CATALOGS, CONVERSATIONS, DB
from storage import outbox as outbox_db
from storage import residents as resident_db
from storage import states as state_db
from storage import transcripts as transcript_db
from storage.db import Database
from storage.handled import MAX_KEY
from storage.types import utcnow

logger = logging.getLogger(__name__)

COOKIE = "buurtbot_chat"
CHANNEL = "web"
MAX_TEXT = 4096
MAX_SHOWN = 200  # messages in one answer; a page opened on a longer conversation gets the latest
KEY = re.compile(rf"[0-9A-Za-z-]{{1,{MAX_KEY}}}")  # a UUID, or hex
PAGE = (Path(__file__).parent / "static" / "chat.html").read_text(encoding="utf-8")


def _session(request: web.Request) -> tuple[str, str | None]:
    """(external id, new cookie value or None): the id is the hash of the cookie."""
    token = request.cookies.get(COOKIE, "")
    fresh = None
    if len(token) != 43:  # token_urlsafe(32)
        token = fresh = secrets.token_urlsafe(32)
    return hashlib.sha256(token.encode()).hexdigest()[:48], fresh


def _set_cookie(response: web.StreamResponse, token: str | None, request: web.Request) -> None:
    if token:
        response.set_cookie(
            COOKIE,
            token,
            max_age=90 * 24 * 3600,
            httponly=True,
            samesite="Strict",
            secure=request.secure,
            path="/",
        )


def _page(mode: str):
    async def handler(request: web.Request) -> web.Response:
        _, fresh = _session(request)
        response = web.Response(text=PAGE.replace("{{mode}}", mode), content_type="text/html")
        _set_cookie(response, fresh, request)
        return response

    return handler


page = _page("chat")


async def snapshot(
    request: web.Request,
    external_id: str,
    after: int,
    *,
    db: Database | None = None,
    risk: bool = False,
) -> dict:
    """Everything the page shows after message `after`; web outbox rows count as delivered
    once the page has them. The risk assessment of a message only with `risk` (the simulator
    behind the dashboard login): a resident never sees it, nor what matched."""
    db = db or request.app[DB]
    now = utcnow()
    shown, state, language, case, person = [], None, None, None, None
    async with db.transaction() as s:
        resident = await resident_db.find_resident(s, CHANNEL, external_id)
        if resident is not None:
            due = await outbox_db.next_pending(s, now=now, limit=200, resident_id=resident.id)
            if due:
                await outbox_db.mark_sent_many(s, [m.id for m in due], now=now)
            # Only the rows after `after`, by the index: a poll costs the same on a long
            # conversation as on a short one (issue 21).
            later = await transcript_db.entries_after(s, resident.id, after, limit=MAX_SHOWN)
            first = await transcript_db.first_entry_id(s, resident.id) if later else None
            shown = await people.shown(s, later, first, risk=risk)
            state = await state_db.load_state(s, resident.id)
            language = resident.language
            case, person = await people.case_and_person(s, resident.id)
    lang = language or _browser_language(request)
    return {
        "messages": shown,
        "case": case,
        "person": person,
        "language": language,
        "dir": "rtl" if lang in RTL else "ltr",
        "state": State.from_dict(state).to_dict() if state else None,
        "languages": [{"code": c, "name": NATIVE_NAMES[c]} for c in LANGUAGES],
        "ui": web_texts(request.app[CATALOGS], lang),
    }


def _browser_language(request: web.Request) -> str:
    return supported(request.headers.get("Accept-Language", "")[:5], default="nl")


async def messages(request: web.Request) -> web.Response:
    external_id, _ = _session(request)
    try:
        after = int(request.query.get("after", "0"))
    except ValueError:
        raise web.HTTPBadRequest(text="after must be a number") from None
    return web.json_response(await snapshot(request, external_id, after))


def _scoped(external_id: str, key: str | None) -> str | None:
    """The page's id made this chat's own: a key chosen by one browser never touches another
    chat's messages."""
    if key is None:
        return None
    return hashlib.blake2b(f"{external_id}:{key}".encode(), digest_size=16).hexdigest()


def _refuse_cross_site(request: web.Request) -> None:
    """A POST that the browser says came from another site (as the dashboard refuses them)."""
    if not same_origin(request):
        raise web.HTTPForbidden(text="cross-site request refused")


async def send(request: web.Request) -> web.Response:
    external_id, fresh = _session(request)
    inbound, body = await read_message(request, external_id)
    refused = await over_limit(request, external_id, inbound)
    if refused is not None:
        _set_cookie(refused, fresh, request)
        return refused
    try:
        # Not through Holding: the page sends again itself (bot/channels/holding.py says why).
        await request.app[CONVERSATIONS].receive(inbound)
    except DeliverDirectly as direct:
        # Storage is down and this is a crisis: the lines now, straight from memory. The page
        # keeps the typed text and says sending failed, so it can be sent again later.
        logger.error("crisis reply for a web chat sent directly (storage down)")
        return web.json_response(
            {"messages": [], "direct": [r.text for r in direct.replies], "stored": False}
        )
    after = body.get("after") if isinstance(body.get("after"), int) else 0
    data = await snapshot(request, external_id, after)
    request.app[LIMITS].remember(external_id, data["language"])
    response = web.json_response(data)
    _set_cookie(response, fresh, request)
    return response


async def read_message(request: web.Request, external_id: str) -> tuple[Inbound, dict]:
    """The message a page sent for chat `external_id`, and the JSON body; 4xx when it is not
    one (also for a cross-site post)."""
    _refuse_cross_site(request)
    if request.content_type != "application/json":
        raise web.HTTPUnsupportedMediaType(text="send JSON")  # also keeps out cross-site forms
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise web.HTTPBadRequest(text="not JSON") from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="send an object")
    text = body.get("text")
    payload = body.get("payload")
    key = body.get("id")  # the page's id for this message, the same when it is sent again
    if not all(isinstance(v, str | None) for v in (text, payload, key)):
        raise web.HTTPBadRequest(text="text, payload and id are strings")
    if not (text or payload):
        raise web.HTTPBadRequest(text="empty message")
    if key is not None and not KEY.fullmatch(key):
        raise web.HTTPBadRequest(text=f"id has 1 to {MAX_KEY} letters, digits and dashes")
    inbound = Inbound(
        CHANNEL,
        external_id,
        text=text[:MAX_TEXT] if text is not None else None,
        payload=payload[:64] if payload else None,
        language_hint=_browser_language(request),
        key=_scoped(external_id, key),
    )
    return inbound, body


async def reset(request: web.Request) -> web.Response:
    """A new conversation in this browser (the simulator's reset): a new cookie, a new resident."""
    _refuse_cross_site(request)
    response = web.json_response({"ok": True})
    _set_cookie(response, secrets.token_urlsafe(32), request)
    return response
