"""A case's team on its page, and moving it to another team (audited). The admin's teams
page is bot/dashboard/teams_admin.py."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy import update
from sqlmodel import col

from bot.dashboard import texts
from bot.dashboard.actions import Refused, Work, _record
from bot.keys import DB
from storage import alerts, casework, teams
from storage.cases import OPEN, Case
from storage.types import utcnow


async def case_context(request: web.Request, case: Case) -> dict[str, Any]:
    """The case's team and the teams it can move to, for the case page."""
    async with request.config_dict[DB].transaction() as s:
        every = await teams.all_teams(s)
    current = next((t for t in every if t.id == case.team_id), None)
    return {
        "team_name": current.name if current else None,
        "team_choices": [t for t in every if t.id != case.team_id],
    }


async def queue_teams(request: web.Request, visible: teams.Visible) -> dict[str, Any]:
    """What the queue shows of teams, from one load of them: a name per row when the user
    sees more than one team's cases (an admin, a worker in two teams; one team's own queue
    needs no names), and the alert mails of those teams that could not be sent yet (they are
    tried again)."""
    async with request.config_dict[DB].transaction() as s:
        names = {t.id: t.name for t in await teams.all_teams(s) if t.id is not None}
        found = await alerts.failing(s)
    shown = {i: n for i, n in names.items() if visible.sees(i)}
    failures = [
        {
            "case_id": a.case_id,
            "team": names.get(a.team_id, "-"),
            "error": a.last_error,
            "attempts": a.attempts,
            "next_try_at": a.next_try_at,
        }
        for a in found
        if visible.sees(a.team_id)
    ]
    return {"team_names": shown if len(shown) > 1 else {}, "alert_failures": failures}


async def move(work: Work, case_id: int, team_id: int) -> Case:
    """Put an open case in another team's queue. A worker holding it who is not in that team
    lets go of it: the new team picks it up."""
    now = utcnow()
    async with work.db.transaction() as s:
        case = await s.get(Case, case_id)
        if case is None:
            raise casework.CaseNotFound(case_id)
        if case.status not in OPEN:
            raise casework.CaseClosed(case_id)
        team = await s.get(teams.Team, team_id)
        if team is None:
            raise Refused(texts.UNKNOWN_TEAM)
        before = await s.get(teams.Team, case.team_id) if case.team_id else None
        if case.worker_id is not None:
            holder_teams = {t.id for t in await teams.teams_of(s, case.worker_id)}
            if team.id not in holder_teams:
                await s.exec(
                    update(Case)
                    .where(col(Case.id) == case_id)
                    .values(status="waiting", worker_id=None, claimed_at=None)
                )
                await s.refresh(case)
        await teams.assign_team(s, case, team, why="moved", now=now)
        detail = f"{before.name if before else '-'} -> {team.name}"
        await _record(s, work, "move_team", now, case_id, detail)
    work.notify()
    return case
