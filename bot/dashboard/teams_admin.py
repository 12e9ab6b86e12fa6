"""The admin's teams page (`/dashboard/admin/teams`): list, add, change and remove teams and
who works in them, with the checks of `buurtbot teams` (bot/teams/manage.py), audited."""

from __future__ import annotations

from aiohttp import web

from bot.dashboard import auth, i18n, texts
from bot.dashboard.views import form, redirect, render, work_of
from bot.keys import DB
from bot.teams import manage
from storage import audit, teams, users
from storage.teams import Changes, TeamError
from storage.types import utcnow

PATH = "/dashboard/admin/teams"


async def _page(request: web.Request, *, error: str | None = None, status: int = 200):
    listed = await manage.listing(request.config_dict[DB])
    async with request.config_dict[DB].transaction() as s:
        everyone = await users.active_users(s)
    return render(
        request,
        "teams.html",
        {"teams": listed, "people": everyone, "error": error},
        status=status,
    )


def _refused(e: Exception) -> str:
    return i18n.gettext(texts.TEAM_NOT_SAVED, reason=str(e))


@auth.admin_only
async def teams_page(request: web.Request) -> web.Response:
    return await _page(request)


@auth.admin_only
async def teams_add(request: web.Request) -> web.Response:
    data = await form(request)
    work = work_of(request)
    try:
        await manage.add(
            work.db,
            data.get("name", ""),
            postcodes=data.get("postcodes", ""),
            alert_email=data.get("alert_email"),
            on_call_email=data.get("on_call_email"),
            is_default=data.get("is_default") == "1",
            by=work.actor,
            ip=work.ip,
        )
    except TeamError as e:
        return await _page(request, error=_refused(e), status=400)
    return redirect(PATH)


async def _team(request: web.Request) -> teams.Team:
    async with request.config_dict[DB].transaction() as s:
        team = await s.get(teams.Team, int(request.match_info["team_id"]))
    if team is None:
        raise web.HTTPNotFound()
    return team


@auth.admin_only
async def teams_edit(request: web.Request) -> web.Response:
    team = await _team(request)
    data = await request.post()
    work = work_of(request)
    changes = Changes(
        name=str(data.get("name", team.name)),
        postcodes=str(data.get("postcodes", "")),
        alert_email=str(data.get("alert_email", "")),
        on_call_email=str(data.get("on_call_email", "")),
        is_default=data.get("is_default") == "1",
    )
    try:
        member_ids = [int(v) for v in data.getall("members", []) if str(v).isdigit()]
        await manage.edit(work.db, team.name, changes, by=work.actor, ip=work.ip)
    except TeamError as e:
        return await _page(request, error=_refused(e), status=400)
    now = utcnow()
    async with work.db.transaction() as s:
        known = {u.id: u.name for u in await users.all_users(s)}
        chosen = [i for i in member_ids if i in known]
        await teams.set_members_of(s, team.id or 0, chosen)
        detail = f"{changes.name}: {', '.join(known[i] for i in chosen) or '-'}"
        await audit.record(
            s,
            "user_teams",
            now=now,
            user_id=work.actor.id,
            user_name=work.actor.name,
            detail=detail,
            ip=work.ip,
        )
    return redirect(PATH)


@auth.admin_only
async def teams_remove(request: web.Request) -> web.Response:
    team = await _team(request)
    work = work_of(request)
    try:
        await manage.remove(work.db, team.name, by=work.actor, ip=work.ip)
    except TeamError as e:
        return await _page(request, error=_refused(e), status=400)
    return redirect(PATH)
