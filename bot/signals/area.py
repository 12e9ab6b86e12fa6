"""The area a count belongs to: the case's team (wijk, storage/teams.py) when it has one,
else `UNKNOWN` (no teams set up, or no case yet)."""

from __future__ import annotations

from sqlalchemy import bindparam
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.cases import Case
from storage.teams import Team

UNKNOWN = "Onbekend"


async def area_of_case(s: AsyncSession, case: Case | None) -> str:
    """The name of `case`'s team, or `UNKNOWN`."""
    if case is None or case.team_id is None:
        return UNKNOWN
    team = await s.get(Team, case.team_id)
    return team.name if team is not None else UNKNOWN


async def area_of_resident(s: AsyncSession, resident_id: int) -> str:
    """The team of the resident's latest case that has one (their messages count there), or
    `UNKNOWN`."""
    found = await s.exec(_AREA_OF_RESIDENT, params={"resident_id": resident_id})  # type: ignore[call-overload]
    return found.first() or UNKNOWN


# Built once: the conversation path asks on many messages.
_AREA_OF_RESIDENT = (
    select(Team.name)
    .join(Case, col(Case.team_id) == col(Team.id))
    .where(Case.resident_id == bindparam("resident_id"))
    .order_by(col(Case.id).desc())
    .limit(1)
)
