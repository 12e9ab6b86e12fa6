"""Neighbourhood signals: counts per day, area and measure, added as things happen.

A row is a count and nothing else: the day (Europe/Amsterdam), the area (a team's name, or
"Onbekend"), a measure name such as `case.normal.asked_for_person`, and how many times it
happened. No resident id, no text, no pseudonym: the rows survive the retention purge and
`/vergeet` because nothing in them points at anybody (docs/signals.md, docs/privacy.md).
"""

from __future__ import annotations

import functools
from datetime import date
from typing import Any

from sqlalchemy import Date, Integer, String, UniqueConstraint
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import dialect

MAX_AREA = 64
MAX_MEASURE = 96


class SignalCount(SQLModel, table=True):
    __tablename__ = "signal_count"
    __table_args__ = (UniqueConstraint("day", "area", "measure"),)

    id: int | None = Field(default=None, primary_key=True)
    day: date = Field(sa_type=Date, index=True)
    area: str = Field(sa_type=String(MAX_AREA))
    measure: str = Field(sa_type=String(MAX_MEASURE))
    count: int = Field(default=0, sa_type=Integer)


async def add(s: AsyncSession, day: date, area: str, measure: str, n: int = 1) -> None:
    """Count `n` more of `measure` in `area` on `day`, in the caller's transaction. One
    statement (an upsert), so two processes counting at once both count."""
    values = {"day": day, "area": area[:MAX_AREA], "measure": measure[:MAX_MEASURE], "count": n}
    await s.exec(_upsert(dialect.of(s)), params=values)  # type: ignore[call-overload]


@functools.cache
def _upsert(kind: str) -> Any:
    """`add`'s statement, built once per database kind, on the table (Core, not the ORM): the
    conversation path counts on many messages."""
    table = SignalCount.__table__  # type: ignore[attr-defined]
    upsert = dialect.insert(kind, table)
    return upsert.on_conflict_do_update(
        index_elements=["day", "area", "measure"],
        set_={"count": table.c["count"] + upsert.excluded["count"]},
    )


async def counts(
    s: AsyncSession, *, start: date | None = None, end: date | None = None
) -> list[tuple[date, str, str, int]]:
    """Every count from `start` to `end` (both included, either open): (day, area, measure,
    count)."""
    query = select(SignalCount.day, SignalCount.area, SignalCount.measure, SignalCount.count)
    if start is not None:
        query = query.where(col(SignalCount.day) >= start)
    if end is not None:
        query = query.where(col(SignalCount.day) <= end)
    return [tuple(row) for row in await s.exec(query)]  # type: ignore[misc]
