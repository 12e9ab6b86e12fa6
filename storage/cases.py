"""Cases: a resident handed to a social worker, and the functions around them.

One open case per resident at most: a new reason while a case is open raises its priority
(urgent > high > normal) instead of opening a second one. A resident who needs a person again
within `REOPEN_WITHIN` of a case's closing gets that case back, claimed by the same worker
when that worker is on duty, else a new case linked to it (`previous_case_id`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Index, String
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.types import CleanText, UTCDateTime
from storage.users import User

RANK = {"urgent": 0, "high": 1, "normal": 2}
OPEN = ("waiting", "claimed")
REOPEN_WITHIN = timedelta(days=14)


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
    # The case closed lately that this one follows up (docs/followups.md), and when a closed
    # case was opened again for the same worker.
    # No foreign key: the earlier case may be purged before this one (then no case has the id).
    previous_case_id: int | None = None
    reopened_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


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
    on_duty: bool = False,
) -> Case:
    """Open a case, or raise the priority of the one already open. Returns the case.
    `on_duty`: workers are on duty now, so a case closed lately may go back to its worker."""
    if priority not in RANK:
        raise ValueError(f"unknown priority {priority!r}")
    case = await open_case_of(s, resident_id)
    before = await closed_lately(s, resident_id, now) if case is None else None
    if before is not None and on_duty and await _still_working(s, before.worker_id):
        case = before
        case.status, case.claimed_at, case.reopened_at = "claimed", now, now
        case.closed_at, case.outcome = None, None
        case.detail = "; ".join(filter(None, (case.detail, detail)))
        if RANK[priority] < case.priority_rank:
            case.priority, case.priority_rank, case.reason = priority, RANK[priority], reason
    elif case is None:
        case = Case(
            resident_id=resident_id,
            reason=reason,
            detail=detail,
            priority=priority,
            priority_rank=RANK[priority],
            language=language,
            created_at=now,
            previous_case_id=before.id if before is not None else None,
        )
    elif RANK[priority] < case.priority_rank:
        case.priority, case.priority_rank = priority, RANK[priority]
        case.reason = reason
        case.detail = "; ".join(filter(None, (case.detail, detail)))
    s.add(case)
    await s.flush()
    return case


async def closed_lately(s: AsyncSession, resident_id: int, now: datetime) -> Case | None:
    """The resident's case closed within `REOPEN_WITHIN`, the latest one."""
    query = select(Case).where(
        Case.resident_id == resident_id,
        Case.status == "closed",
        col(Case.closed_at) >= now - REOPEN_WITHIN,
    )
    return (await s.exec(query.order_by(col(Case.closed_at).desc()))).first()


async def _still_working(s: AsyncSession, worker_id: int | None) -> bool:
    worker = await s.get(User, worker_id) if worker_id is not None else None
    return worker is not None and worker.active
