"""The flow simulator: the web chat for flow authors and workers, behind the dashboard login,
with what a resident never sees: the flow, node and answers, and each message's risk
assessment with the phrases that matched.

Its conversations run on a database of their own (a temporary SQLite file per process), so
they never reach the real queue, the alerts or the figures. The page and its API
(`/simulator/api/send`, `/messages`, `/reset`) answer in the same JSON shapes as the web
chat's, plus `risk` on the resident's messages (level, categories and a sentence with the
resident's matched words and the category in words, never the lists' patterns or scores) and
`cases`: what the conversation would open, "Dit zou een hoge casus openen: ..."
(bot/dashboard/simulated.py).

The dashboard's session cookie is limited to `/dashboard`; at login a second cookie with the
same session token is set for `/simulator` (bot/dashboard/auth.py), so logging out, a new
password or an idle session end it here too.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

from aiohttp import web

from bot.channels.webchat import views
from bot.conversation import Conversations
from bot.dashboard import auth, simulated
from bot.keys import CATALOGS, CONVERSATIONS, DB
from bot.ops.content import CONTENT
from storage import residents, users
from storage.db import Database
from storage.types import utcnow

logger = logging.getLogger(__name__)

PATH = "/simulator"
CHAT_COOKIE = "buurtbot_simulator_chat"
SIMULATOR = web.AppKey("simulator_conversations", Conversations)


async def _login(request: web.Request) -> users.Login | None:
    token = request.cookies.get(auth.SIMULATOR_COOKIE)
    if not token:
        return None
    now = utcnow()
    async with request.app[DB].transaction() as s:
        login = await users.find_session(s, token, now=now)
        if login is not None:
            await users.touch(s, login.session, now=now)
    return login


async def _require_login(request: web.Request) -> users.Login:
    login = await _login(request)
    if login is None:
        raise web.HTTPUnauthorized(
            text='{"error": "login required"}', content_type="application/json"
        )
    return login


def _chat(request: web.Request, login: users.Login) -> tuple[str, str | None]:
    """(external id, new cookie value or None): one simulated resident per browser and worker
    until a reset."""
    token = request.cookies.get(CHAT_COOKIE, "")
    fresh = None
    if len(token) != 43:
        token = fresh = secrets.token_urlsafe(32)
    seed = f"{login.user.id}:{token}".encode()
    return "sim-" + hashlib.sha256(seed).hexdigest()[:40], fresh


def _set_chat_cookie(response: web.StreamResponse, request: web.Request, token: str | None):
    if token:
        response.set_cookie(
            CHAT_COOKIE,
            token,
            httponly=True,
            samesite="Strict",
            secure=auth.is_https(request),
            path=PATH,
        )


async def page(request: web.Request) -> web.StreamResponse:
    if await _login(request) is None:
        raise web.HTTPSeeOther("/dashboard/login?next=/simulator")
    return web.Response(text=views.PAGE.replace("{{mode}}", "simulator"), content_type="text/html")


async def messages(request: web.Request) -> web.Response:
    login = await _require_login(request)
    external_id, _ = _chat(request, login)
    try:
        after = int(request.query.get("after", "0"))
    except ValueError:
        raise web.HTTPBadRequest(text="after must be a number") from None
    return web.json_response(await _snapshot(request, login, external_id, after))


async def _snapshot(request: web.Request, login: users.Login, external_id: str, after: int) -> dict:
    """The web chat's snapshot from the simulator's database, plus what the author needs:
    each resident message's risk in words, and `cases`, what the conversation would open."""
    db = request.app[SIMULATOR].db
    data = await views.snapshot(request, external_id, after, db=db, risk=True)
    simulated.use(request.app[CATALOGS], login.user.language)
    for message in data["messages"]:
        if "risk" in message:
            message["risk"] = simulated.risk(message["risk"], message["text"])
    data["cases"] = []
    data["content"] = simulated.content_state(request.app.get(CONTENT))
    async with db.transaction() as s:
        resident = await residents.find_resident(s, views.CHANNEL, external_id)
        if resident is not None:
            data["cases"] = await simulated.cases(s, resident.id)
    return data


async def send(request: web.Request) -> web.Response:
    login = await _require_login(request)
    external_id, fresh = _chat(request, login)
    inbound, body = await views.read_message(request, external_id)
    await request.app[SIMULATOR].receive(inbound)
    after = body.get("after") if isinstance(body.get("after"), int) else 0
    response = web.json_response(await _snapshot(request, login, external_id, after))
    _set_chat_cookie(response, request, fresh)
    return response


async def reset(request: web.Request) -> web.Response:
    await _require_login(request)
    if not auth.same_origin(request):
        raise web.HTTPForbidden(text="cross-site request refused")
    response = web.json_response({"ok": True})
    _set_chat_cookie(response, request, secrets.token_urlsafe(32))
    return response


async def _database(app: web.Application) -> AsyncIterator[None]:
    """A database of the simulator's own, with the real flows, texts and risk lists."""
    folder = Path(tempfile.mkdtemp(prefix="buurtbot-simulator-"))
    folder.chmod(0o700)
    db = Database(f"sqlite:///{folder / 'simulator.db'}")
    await db.create_all()
    real = app[CONVERSATIONS]
    app[SIMULATOR] = Conversations(
        db,
        real.flows,
        real.catalogs,
        risk=real.risk,
        office=real.office,
        repeat_rule=real.repeat_rule,
        signals=False,
    )  # no listeners, metrics or signals: nothing of it reaches senders, alerts or figures
    real.followers.append(app[SIMULATOR])  # edited content reaches the simulator too
    try:
        yield
    finally:
        await db.dispose()
        shutil.rmtree(folder, ignore_errors=True)


def setup(app: web.Application) -> None:
    app.router.add_get(PATH, page, name="simulator")
    app.router.add_get(PATH + "/api/messages", messages)
    app.router.add_post(PATH + "/api/send", send)
    app.router.add_post(PATH + "/api/reset", reset)
    app.cleanup_ctx.append(_database)
