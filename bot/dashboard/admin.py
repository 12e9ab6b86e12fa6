"""Admin pages: the audit log, users, flow validation, translation status."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from aiohttp import web

from bot import engine
from bot.authoring.author_lang import problem_text
from bot.dashboard import accounts, actions, auth, i18n, replies, texts
from bot.dashboard.actions import Refused
from bot.dashboard.ids import row_id
from bot.dashboard.middlewares import CSP
from bot.dashboard.settings import REPLIES, SETTINGS
from bot.dashboard.views import actor_of, form, redirect, render, work_of
from bot.engine.graph import mermaid
from bot.keys import CONFIG, CONVERSATIONS, DB
from bot.ops.content import CONTENT
from bot.yamldoc import Problem
from storage import audit, users

try:  # the i18n work may not be there in every checkout
    from bot.authoring.i18n_status import status as translation_status
except ImportError:  # pragma: no cover
    translation_status = None

logger = logging.getLogger(__name__)

AUDIT_PAGE = 100
DIAGRAM_CSP = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


async def _log_view(request: web.Request, action: str, detail: str = "") -> None:
    await actions.log_view(work_of(request), action, detail)


@auth.admin_only
async def audit_page(request: web.Request) -> web.Response:
    query = request.query
    before = row_id(query["before"]) if query.get("before") else None
    case_id = row_id(query["case"]) if query.get("case") else None
    who = query.get("user") or None
    action = query.get("action") or None
    await _log_view(
        request, "view_audit", f"user={who or ''} action={action or ''} case={case_id or ''}"
    )
    async with request.config_dict[DB].transaction() as s:
        rows = await audit.entries(
            s, before=before, limit=AUDIT_PAGE, user_name=who, action=action, case_id=case_id
        )
    older = rows[-1].id if len(rows) == AUDIT_PAGE else None
    return render(
        request,
        "audit.html",
        {
            "rows": rows,
            "older": older,
            "actions": audit.ACTIONS,
            "filters": {"user": who or "", "action": action or "", "case": case_id or ""},
        },
    )


@auth.admin_only
async def users_page(request: web.Request) -> web.Response:
    await _log_view(request, "view_users")
    return await _users(request)


async def _users(
    request: web.Request, *, notice: str | None = None, error: str | None = None, status: int = 200
) -> web.Response:
    async with request.config_dict[DB].transaction() as s:
        everyone = await users.all_users(s)
    return render(
        request,
        "users.html",
        {"users": everyone, "roles": users.ROLES, "notice": notice, "error": error},
        status=status,
    )


@auth.admin_only
async def users_add(request: web.Request) -> web.Response:
    data = await form(request)
    name, role = data.get("name", "").strip(), data.get("role", "worker")
    password, again = data.get("password", ""), data.get("password2", "")
    if password != again:
        return await _users(request, error=i18n.gettext(texts.PASSWORDS_DIFFER), status=400)
    if len(password) < users.MIN_PASSWORD:
        message = i18n.gettext(texts.PASSWORD_SHORT, min=users.MIN_PASSWORD)
        return await _users(request, error=message, status=400)
    try:
        users.check_name(name)
    except users.UserError:
        return await _users(request, error=i18n.gettext(texts.BAD_NAME), status=400)
    work = work_of(request)
    try:
        await accounts.add(work.db, name, role, password, by=work.actor, ip=work.ip)
    except users.UserError:
        return await _users(request, error=i18n.gettext(texts.NAME_TAKEN), status=400)
    return redirect("/dashboard/admin/users")


@auth.admin_only
async def users_disable(request: web.Request) -> web.Response:
    user_id = int(request.match_info["user_id"])
    work = work_of(request)
    if user_id == actor_of(request).id:
        raise Refused(texts.NOT_YOURSELF)
    async with work.db.transaction() as s:
        user = await users.get_user(s, user_id)
    if user is None:
        raise web.HTTPNotFound()
    await accounts.disable(work.db, user.name, by=work.actor, ip=work.ip)
    work.notify()  # their cases are back in the queue
    return redirect("/dashboard/admin/users")


def _content_problems(flows_dir: Path, replies_dir: Path) -> dict[str, list[Problem]]:
    from bot.risk import check as check_risk

    _, flow_problems = engine.check(flows_dir)
    _, risk_problems = check_risk(flows_dir / "risk")
    _, reply_problems = replies.check(replies_dir)
    return {"flows": flow_problems, "risk": risk_problems, "replies": reply_problems}


@auth.admin_only
async def flows_page(request: web.Request) -> web.Response:
    await _log_view(request, "view_flows")
    config = request.config_dict[CONFIG]
    settings = request.config_dict[SETTINGS]
    replies_dir = settings.replies_dir or config.flows_dir / "replies"
    found = await asyncio.to_thread(_content_problems, config.flows_dir, replies_dir)
    groups: list[dict[str, Any]] = [
        {
            "key": key,
            "problems": problems,
            "errors": sum(p.severity == "error" for p in problems),
            "warnings": sum(p.severity != "error" for p in problems),
        }
        for key, problems in found.items()
    ]
    loaded = request.config_dict[REPLIES]
    running = request.config_dict[CONVERSATIONS].flows.flows
    response = render(
        request,
        "flows.html",
        {
            "groups": groups,
            "flows_dir": str(config.flows_dir),
            "replies_dir": str(replies_dir),
            "flows": request.config_dict[CONVERSATIONS].flows.flows,
            "replies_loaded": len(loaded.replies),
            "content": request.config_dict.get(CONTENT),
            "diagrams": {key: mermaid(flow) for key, flow in sorted(running.items())},
            "problem_text": problem_text,  # in the worker's language: Dutch, or English
        },
    )
    # Mermaid puts a <style> into each drawing; script stays 'self' only.
    response.headers["Content-Security-Policy"] = DIAGRAM_CSP
    return response


@auth.admin_only
async def translations_page(request: web.Request) -> web.Response:
    await _log_view(request, "view_translations")
    config = request.config_dict[CONFIG]
    rows = None
    if translation_status is not None:
        rows = await asyncio.to_thread(translation_status, config.locales_dir)
    from bot.authoring import stale  # the flow texts `flows validate` warns about

    texts = await asyncio.to_thread(stale.check, config.flows_dir, config.locales_dir)
    return render(
        request,
        "translations.html",
        {"rows": rows, "locales_dir": str(config.locales_dir), "stale": texts},
    )
