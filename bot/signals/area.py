"""The area a count belongs to: the case's team (wijk) when it has one, else `UNKNOWN`.

Teams come with issue 20 (a `team` table and `cases.team_id`). Until a database has them,
or while a case has no team yet, everything counts under `UNKNOWN`. The lookup is plain SQL
on whatever the schema has, so this module works before and after that migration.
"""

from __future__ import annotations

import logging
import weakref
from typing import Any

from sqlalchemy import inspect, text
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.cases import Case

logger = logging.getLogger(__name__)

UNKNOWN = "Onbekend"
# Per engine: are there teams in its schema?
_HAS_TEAMS: weakref.WeakKeyDictionary[Any, bool] = weakref.WeakKeyDictionary()


async def _teams(s: AsyncSession) -> bool:
    key = s.bind
    if key not in _HAS_TEAMS:

        def look(sync_session) -> bool:  # type: ignore[no-untyped-def]
            found = inspect(sync_session.connection())
            return found.has_table("team") and any(
                c["name"] == "team_id" for c in found.get_columns("cases")
            )

        _HAS_TEAMS[key] = await s.run_sync(look)
    return _HAS_TEAMS[key]


async def area_of_case(s: AsyncSession, case: Case | None) -> str:
    """The name of `case`'s team, or `UNKNOWN` (no case, no team yet, no teams at all)."""
    if case is None or case.id is None or not await _teams(s):
        return UNKNOWN
    query = text("SELECT t.name FROM cases c JOIN team t ON t.id = c.team_id WHERE c.id = :id")
    name = (await s.exec(query, params={"id": case.id})).scalar()  # type: ignore[call-overload]
    return str(name) if name else UNKNOWN


async def area_of_resident(s: AsyncSession, resident_id: int) -> str:
    """The team of the resident's latest case that has one (their messages count there), or
    `UNKNOWN`."""
    if not await _teams(s):
        return UNKNOWN
    query = text(
        "SELECT t.name FROM cases c JOIN team t ON t.id = c.team_id"
        " WHERE c.resident_id = :rid ORDER BY c.id DESC LIMIT 1"
    )
    name = (await s.exec(query, params={"rid": resident_id})).scalar()  # type: ignore[call-overload]
    return str(name) if name else UNKNOWN
