"""Cases: a resident handed to a social worker, and the functions around them.

One open case per resident at most: a new reason while a case is open raises its priority
(urgent > high > normal) instead of opening a second one.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.types import CleanText, UTCDateTime

RANK = {"urgent": 0, "high": 1, "normal": 2}
OPEN = ("waiting", "claimed")


class Case(SQLModel, table=True):
    __tablename__ = "cases"
    __table_args__ = (Index("ix_case_queue", "status", "priority_rank", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    resident_id: int = Field(foreign_key="resident.id", ondelete="CASCADE", index=True)
    reason: str = Field(sa_type=String(64))  # e.g. asked_for_person, no_bed, suicide
    detail: str = Field(default="", sa_type=CleanText)  # what matched, for the worker
    priority: str = Field(sa_type=String(8))  # urgent | high | normal
    priority_rank: int  # RANK[priority], so the queue sorts in the database
    status: str = Field(default="waiting", sa_type=String(8))  # waiting | claimed | closed
    language: str | None = Field(default=None, sa_type=String(16))
    worker_id: int | None = None
    created_at: datetime = Field(sa_type=UTCDateTime)
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    outcome: str | None = Field(default=None, sa_type=CleanText)
    # The team whose queue it is in (storage/teams.py; set by `teams.assign_team` only). No
    # foreign key: removing a team clears it here itself (`teams.remove_team`).
    team_id: int | None = Field(default=None, index=True)


async def open_case_of(s: AsyncSession, resident_id: int) -> Case | None:
    query = select(Case).where(Case.resident_id == resident_id, col(Case.status).in_(OPEN))
    return (await s.exec(query.order_by(col(Case.id).desc()))).first()


async def open_case(
    s: AsyncSession,
    resident_id: int,
    *,
    reason: str,
    priority: str,
    now: datetime,
    detail: str = "",
    language: str | None = None,
) -> Case:
    """Open a case, or raise the priority of the one already open. Returns the case."""
    if priority not in RANK:
        raise ValueError(f"unknown priority {priority!r}")
    case = await open_case_of(s, resident_id)
    if case is None:
        case = Case(
            resident_id=resident_id,
            reason=reason,
            detail=detail,
            priority=priority,
            priority_rank=RANK[priority],
            language=language,
            created_at=now,
        )
    elif RANK[priority] < case.priority_rank:
        case.priority, case.priority_rank = priority, RANK[priority]
        case.reason = reason
        case.detail = "; ".join(filter(None, (case.detail, detail)))
    s.add(case)
    await s.flush()
    return case
