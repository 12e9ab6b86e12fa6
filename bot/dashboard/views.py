"""The social worker's pages: the queue, a case, and what can be done with it (login:
bot/dashboard/login.py).

Handlers are thin: read the request, call `actions` (one transaction each, audited), render or
redirect. Errors are raised and turned into answers by `middlewares.errors`.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from aiohttp import web

from bot.dashboard import (
    actions,
    attachments,
    auth,
    finding,
    i18n,
    need_to_know,
    team_pages,
    texts,
)
from bot.dashboard.actions import Refused, Work
from bot.dashboard.ids import row_id
from bot.dashboard.live import Subscription
from bot.dashboard.rendering import fragment, render
from bot.dashboard.settings import LIVE, LOGIN, REPLIES
from bot.engine import FlowSet
from bot.i18n import RTL
from bot.keys import CONVERSATIONS, DB
from storage import casework, users
from storage.casework import Actor
from storage.types import utcnow

logger = logging.getLogger(__name__)

PING_EVERY = 20.0  # seconds between keep-alives on the event stream (and session checks)
CASE_PATH = "/dashboard/cases/{}"


# --- helpers ----------------------------------------------------------------------------------


def login_of(request: web.Request) -> users.Login:
    return request[LOGIN]


def actor_of(request: web.Request) -> Actor:
    user = login_of(request).user
    assert user.id is not None
    return Actor(user.id, user.name, user.role)


def work_of(request: web.Request) -> Work:
    return Work(
        request.config_dict[DB],
        request.config_dict[CONVERSATIONS],
        actor_of(request),
        auth.client_ip(request),
    )


def redirect(location: str) -> web.Response:
    """303 See Other: after a POST the browser GETs `location`."""
    return web.Response(status=303, headers={"Location": location})


def case_id_of(request: web.Request) -> int:
    return int(request.match_info["case_id"])


def safe_next(value: object) -> str:
    """Where to go after login: a dashboard page of this site only, or the simulator."""
    if value == "/simulator":
        return value
    if (
        isinstance(value, str)
        and value.startswith("/dashboard/")
        and not value.startswith("/dashboard/login")
        and "//" not in value
        and "\\" not in value
        and value.isascii()
        and value.isprintable()  # no CR, LF or other control characters in a header
    ):
        return value
    return "/dashboard/"


async def form(request: web.Request) -> dict[str, str]:
    data = await request.post()
    return {k: v for k, v in data.items() if isinstance(v, str)}


# --- the queue --------------------------------------------------------------------------------


async def _queue_context(request: web.Request) -> dict[str, Any]:
    chosen = finding.wanted(request)
    visible = await need_to_know.visible(request)
    async with request.config_dict[DB].transaction() as s:
        rows = await casework.queue(s, chosen, visible)
    me = login_of(request).user.id
    return {
        "find": await finding.form(request, chosen),
        "waiting": [r for r in rows if r.case.status == "waiting"],
        "mine": [r for r in rows if r.case.status == "claimed" and r.case.worker_id == me],
        "others": [r for r in rows if r.case.status == "claimed" and r.case.worker_id != me],
        **await team_pages.queue_teams(request, visible),
        "now": utcnow(),
    }


async def queue_page(request: web.Request) -> web.Response:
    context = await _queue_context(request)
    context["closed"] = request.query.get("closed", "")
    await actions.log_view(work_of(request), "view_queue")
    return render(request, "queue.html", context)


@auth.api
async def queue_rows(request: web.Request) -> web.Response:
    """The queue's lists, for the page to swap in when something changed."""
    context = await _queue_context(request)
    await actions.log_poll(work_of(request), "view_queue_rows")
    html = fragment(request, "_queue_lists.html", {**context, "lang": i18n.current_language()})
    return web.Response(text=html, content_type="text/html")


async def take_next(request: web.Request) -> web.Response:
    case = await actions.claim_next(work_of(request))
    return redirect(CASE_PATH.format(case.id))


async def closed_page(request: web.Request) -> web.Response:
    chosen = finding.wanted(request)
    rows = await actions.recently_closed(work_of(request), chosen)
    find = await finding.form(request, chosen)
    return render(request, "closed.html", {"rows": rows, "now": utcnow(), "find": find})


# --- a case -----------------------------------------------------------------------------------


def questions(flows: FlowSet) -> dict[str, tuple[str, str]]:
    """Saved answer name -> (question, msgctxt), for the summary of what a resident answered."""
    found: dict[str, tuple[str, str]] = {}
    for flow in flows.flows.values():
        for node in flow.nodes.values():
            if node.save and node.ask and node.save not in found:
                found[node.save] = (node.ask, node.context)
    return found


def answers(request: web.Request, data: actions.CaseData) -> list[dict[str, str]]:
    if data.state is None:
        return []
    asked = questions(request.config_dict[CONVERSATIONS].flows)
    catalogs = request.config_dict[CONVERSATIONS].catalogs
    lang = i18n.current_language()
    shown = []
    for name, value in data.state.vars.items():
        question = asked.get(name)
        label = catalogs.translate(lang, *question)[0] if question else name.replace("_", " ")
        if isinstance(value, bool):
            text = i18n.gettext(texts.YES if value else texts.NO)
        else:
            text = "" if value is None else str(value)
        shown.append({"name": name, "question": label, "value": text})
    return shown


async def case_page(request: web.Request) -> web.Response:
    work = work_of(request)
    data = await actions.view_case(work, case_id_of(request))
    case, resident = data.view.case, data.view.resident
    lang = resident.language or case.language or "nl"
    replies = request.config_dict[REPLIES].for_language(lang)
    me = work.actor
    holder = case.worker_id == me.id and case.status == "claimed"
    flows = request.config_dict[CONVERSATIONS].flows
    flow = data.state.flow if data.state else None
    return render(
        request,
        "case.html",
        {
            "data": data,
            "case": case,
            "resident": resident,
            "resident_lang": lang,
            "resident_dir": "rtl" if lang in RTL else "ltr",
            "worker_name": data.view.worker_name,
            "answers": answers(request, data),
            "flow_title": flows.flows[flow].title if flow in flows.flows else None,
            "flow_titles": {key: f.title or key for key, f in flows.flows.items()},
            "replies": replies,
            "holder": holder,
            "can_manage": case.status != "closed" and (holder or me.admin),
            "outcomes": casework.OUTCOMES,
            "closing_text": actions.closing_message(request.config_dict[CONVERSATIONS], lang),
            "last_entry": max((e.id or 0 for e in data.transcript), default=0),
            "last_note": max((n.id or 0 for n in data.notes), default=0),
            "now": utcnow(),
            **await team_pages.case_context(request, case),
        },
    )


async def attachment(request: web.Request) -> web.Response:
    """A photo, PDF or voice note of the case's resident (bot/dashboard/attachments.py)."""
    found = await actions.view_attachment(
        work_of(request), case_id_of(request), int(request.match_info["attachment_id"])
    )
    if "preview" in request.query and found.kind == "photo":
        resized = await asyncio.to_thread(attachments.preview, found.data)
        if resized is not None:
            return attachments.response(found, resized=resized)
    return attachments.response(found)


@auth.api
async def case_updates(request: web.Request) -> web.Response:
    """New messages and notes of a case, and its status, for the open case page."""
    after = row_id(request.query.get("after", "0"))
    notes_after = row_id(request.query.get("notes_after", "0"))
    view, entries, found, names = await actions.updates(
        work_of(request), case_id_of(request), after=after, notes_after=notes_after
    )
    context = {"case": view.case, "names": names, "lang": i18n.current_language()}
    return web.json_response(
        {
            "status": view.case.status,
            "worker": view.worker_name or "",
            "priority": view.case.priority,
            "messages": fragment(request, "_messages.html", {**context, "entries": entries}),
            "last_entry": max((e.id or 0 for e in entries), default=after),
            "notes": fragment(request, "_notes.html", {**context, "notes": found}),
            "last_note": max((n.id or 0 for n in found), default=notes_after),
            "status_text": fragment(
                request,
                "_case_status.html",
                {**context, "worker_name": view.worker_name},
            ).strip(),
        }
    )


async def claim(request: web.Request) -> web.Response:
    case_id = case_id_of(request)
    await actions.claim(work_of(request), case_id)
    return redirect(CASE_PATH.format(case_id))


async def reply(request: web.Request) -> web.Response:
    case_id = case_id_of(request)
    data = await form(request)
    await actions.reply(work_of(request), case_id, data.get("text", ""))
    return redirect(CASE_PATH.format(case_id))


async def note(request: web.Request) -> web.Response:
    case_id = case_id_of(request)
    data = await form(request)
    await actions.add_note(work_of(request), case_id, data.get("text", ""))
    return redirect(CASE_PATH.format(case_id) + "#notes")


async def release(request: web.Request) -> web.Response:
    await actions.release(work_of(request), case_id_of(request))
    return redirect("/dashboard/")


async def reassign(request: web.Request) -> web.Response:
    case_id = case_id_of(request)
    data = await form(request)
    try:
        to = row_id(data.get("to", ""))
    except web.HTTPBadRequest:
        raise Refused(texts.UNKNOWN_COLLEAGUE) from None
    await actions.reassign(work_of(request), case_id, to)
    return redirect("/dashboard/")


async def move_team(request: web.Request) -> web.Response:
    """To another team's queue (bot/dashboard/team_pages.py); the worker may no longer see it."""
    case_id = case_id_of(request)
    data = await form(request)
    try:
        to = row_id(data.get("team", ""))
    except web.HTTPBadRequest:
        raise Refused(texts.UNKNOWN_TEAM) from None
    await team_pages.move(work_of(request), case_id, to)
    return redirect(f"/dashboard/?moved={case_id}")


async def close_page(request: web.Request) -> web.Response:
    """The close form on a page of its own (the case page opens it as a dialog)."""
    work = work_of(request)
    case_id = case_id_of(request)
    view = await actions.view_close(work, case_id)
    lang = view.resident.language or view.case.language or "nl"
    return render(
        request,
        "close.html",
        {
            "case": view.case,
            "resident": view.resident,
            "outcomes": casework.OUTCOMES,
            "closing_text": actions.closing_message(request.config_dict[CONVERSATIONS], lang),
            "resident_lang": lang,
        },
    )


async def close(request: web.Request) -> web.Response:
    case_id = case_id_of(request)
    data = await form(request)
    await actions.close(work_of(request), case_id, data.get("outcome", ""), data.get("note", ""))
    return redirect("/dashboard/?closed=" + str(case_id))


# --- live -------------------------------------------------------------------------------------


def _sse(event: str, data: object) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data)}\n\n".encode()


@auth.api
async def events(request: web.Request) -> web.StreamResponse:
    """Server-Sent Events: `summary` (waiting and urgent cases) when the queue changed, `cases`
    (ids) when cases changed, `logout` when the session ended."""
    if not auth.same_origin(request):
        raise web.HTTPForbidden()
    live = request.config_dict[LIVE]
    db = request.config_dict[DB]
    token = request.cookies.get(auth.COOKIE, "")
    visible = await need_to_know.visible(request)  # news of the worker's teams only
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream",
            "Cache-Control": "no-store",
            "X-Accel-Buffering": "no",
        }
    )
    await response.prepare(request)
    subscription: Subscription = live.subscribe()
    try:
        await response.write(b"retry: 3000\n\n" + _sse("summary", live.snapshot.summary(visible)))
        while True:
            news = await subscription.next(PING_EVERY)
            if news is None:
                break
            queue_changed, cases = news
            if not queue_changed and not cases:
                async with db.transaction() as s:
                    still = await users.find_session(s, token, now=utcnow())
                if still is None:
                    await response.write(_sse("logout", {}))
                    break
                await response.write(b": ping\n\n")
                continue
            cases = {c for c in cases if visible.sees(live.teams.get(c))}
            if queue_changed:
                await response.write(_sse("summary", live.snapshot.summary(visible)))
            if cases:
                await response.write(_sse("cases", {"ids": sorted(cases)}))
    except ConnectionResetError:
        pass  # the page went away
    finally:
        live.unsubscribe(subscription)
    return response


@auth.api
async def alive(request: web.Request) -> web.Response:
    """The page saw the worker type, click or move: that counts as activity."""
    login = login_of(request)
    async with request.config_dict[DB].transaction() as s:
        await users.touch(s, login.session, now=utcnow())
    return web.json_response({"ok": True})


@auth.api
async def whoami(request: web.Request) -> web.Response:
    user = login_of(request).user
    return web.json_response({"name": user.name, "role": user.role})
