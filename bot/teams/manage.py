"""Adding, changing and removing teams and who works in them, each in one transaction with
its audit row: the same for `buurtbot teams ...` and the admin's teams page. `by` is None on
the command line. Errors are `storage.teams.TeamError` (or `UserError`), saying what is wrong."""

from __future__ import annotations

from dataclasses import dataclass

from storage import audit, teams, users
from storage.casework import Actor
from storage.db import Database
from storage.teams import Changes, Team
from storage.types import utcnow


def _who(by: Actor | None) -> dict[str, object]:
    return {"user_id": by.id, "user_name": by.name} if by else {"user_name": "(command line)"}


def describe(team: Team) -> str:
    area = team.postcodes or "no postcodes"
    return f"{team.name}: {area}" + (" (default)" if team.is_default else "")


async def add(
    db: Database,
    name: str,
    *,
    postcodes: str = "",
    alert_email: str | None = None,
    on_call_email: str | None = None,
    is_default: bool = False,
    by: Actor | None = None,
    ip: str = "",
) -> Team:
    now = utcnow()
    async with db.transaction() as s:
        team = await teams.add_team(
            s,
            name,
            postcodes=postcodes,
            alert_email=alert_email,
            on_call_email=on_call_email,
            is_default=is_default,
            now=now,
        )
        await audit.record(s, "team_add", now=now, detail=describe(team), ip=ip, **_who(by))
    return team


async def edit(
    db: Database, name: str, changes: Changes, *, by: Actor | None = None, ip: str = ""
) -> Team:
    now = utcnow()
    async with db.transaction() as s:
        team = await teams.edit_team(s, name, changes)
        await audit.record(s, "team_edit", now=now, detail=describe(team), ip=ip, **_who(by))
    return team


async def remove(db: Database, name: str, *, by: Actor | None = None, ip: str = "") -> Team:
    now = utcnow()
    async with db.transaction() as s:
        team = await teams.remove_team(s, name)
        await audit.record(s, "team_remove", now=now, detail=team.name, ip=ip, **_who(by))
    return team


async def set_members(
    db: Database, user_name: str, team_names: list[str], *, by: Actor | None = None, ip: str = ""
) -> list[Team]:
    """`user_name` works in exactly `team_names` (none: in no team)."""
    now = utcnow()
    async with db.transaction() as s:
        user = await users.find_user(s, user_name)
        if user is None or user.id is None:
            raise users.UserError(f"no user '{users.normal_name(user_name)}'")
        joined = await teams.set_teams_of(s, user.id, team_names)
        detail = f"{user.name}: {', '.join(t.name for t in joined) or '-'}"
        await audit.record(s, "user_teams", now=now, detail=detail, ip=ip, **_who(by))
    return joined


@dataclass(frozen=True)
class Listed:
    team: Team
    members: list[str]  # login names


async def listing(db: Database) -> list[Listed]:
    async with db.transaction() as s:
        found = await teams.all_teams(s)
        who = await teams.members(s)
        names = {u.id: u.name for u in await users.all_users(s)}
    return [Listed(t, sorted(names[u] for u in who.get(t.id or 0, []))) for t in found]
