"""Need to know (issue 20): a worker sees, opens, searches and hears about the cases of their
own teams only; an admin sees every team (storage/teams.py, `visible_teams`).

One check covers every route with a case id: the guard middleware (bot/dashboard/
middlewares.py) asks `may_see_case` before any handler runs, and a case of another team is
404, the same as a case that does not exist. Lists go through `visible` (the queue, the
closed list, search, "take the next"), and the live updates through `Visible.sees`.
"""

from __future__ import annotations

from aiohttp import web
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.dashboard.settings import LOGIN
from bot.keys import DB
from storage import teams
from storage.cases import Case
from storage.casework import Actor
from storage.teams import Visible
from storage.users import User

VISIBLE = web.RequestKey("dashboard_visible", Visible)


async def visible_to(s: AsyncSession, user: User | Actor) -> Visible:
    assert user.id is not None
    return await teams.visible_teams(s, user.id, user.role)


async def sees_case(s: AsyncSession, user: User | Actor, case: Case) -> bool:
    return (await visible_to(s, user)).sees(case.team_id)


async def may_see_case(request: web.Request, case_id: int) -> bool:
    """Whether the logged-in user may see case `case_id` (also False when there is none)."""
    user = request[LOGIN].user
    async with request.config_dict[DB].transaction() as s:
        case = await s.get(Case, case_id)
        return case is not None and await sees_case(s, user, case)


async def visible(request: web.Request) -> Visible:
    """What the logged-in user may see, looked up once per request."""
    found = request.get(VISIBLE)
    if found is None:
        async with request.config_dict[DB].transaction() as s:
            found = await visible_to(s, request[LOGIN].user)
        request[VISIBLE] = found
    return found


async def guard_case(request: web.Request) -> None:
    """404 for a case id in the path that the user may not see (or that does not exist)."""
    case_id = request.match_info.get("case_id")
    if case_id is None or (await visible(request)).everything:
        return  # an admin, or no teams: the handler finds the case (or answers 404) itself
    if not await may_see_case(request, int(case_id)):
        raise web.HTTPNotFound()
