"""Follow-ups: a question sent to a resident some days later ("Is het gelukt met je
aanvraag?"), scheduled by a flow (`follow_up:` on a node) or by a worker on the case page.

A follow-up is `scheduled` until it is due and office hours allow it, then `sent` (its outbox
row written in the same transaction), then `answered` (helped, a_bit, not_helped) or
`cancelled` (the resident said stop). Taking a due row is a conditional update in the
transaction that writes its outbox row, after `FOR UPDATE SKIP LOCKED` on PostgreSQL: with
several processes each follow-up is sent once, and a process that dies before its commit
leaves the row scheduled for the next one (no lease to expire).

Who sends them: bot/followups/sender.py. What they mean for the team's figures: docs/followups.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Index, String, delete, update
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.types import CleanText, UTCDateTime

SCHEDULED, SENT, ANSWERED, CANCELLED = "scheduled", "sent", "answered", "cancelled"
ANSWERS = ("helped", "a_bit", "not_helped")
WAITING = (SCHEDULED, SENT)  # what "stop" cancels and /gegevens lists


class FollowUp(SQLModel, table=True):
    """One check-in with a resident."""

    __tablename__ = "follow_up"
    __table_args__ = (Index("ix_follow_up_due", "status", "due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    resident_id: int = Field(foreign_key="resident.id", ondelete="CASCADE", index=True)
    case_id: int | None = Field(default=None, foreign_key="cases.id", ondelete="SET NULL")
    due_at: datetime = Field(sa_type=UTCDateTime)
    # The question: a catalog msgid with its msgctxt (a flow's `follow_up.ask`, context
    # `flow.node`), or, with `context` None, a worker's own words sent as written.
    text: str = Field(sa_type=CleanText)
    context: str | None = Field(default=None, sa_type=String(128))
    language: str | None = Field(default=None, sa_type=String(16))  # the resident's, when made
    source: str = Field(sa_type=String(8))  # flow | worker
    flow: str | None = Field(default=None, sa_type=String(64))
    created_by: int | None = None  # the worker who scheduled it
    status: str = Field(default=SCHEDULED, sa_type=String(12))
    answer: str | None = Field(default=None, sa_type=String(12))  # one of ANSWERS
    created_at: datetime = Field(sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    outbox_id: int | None = None  # the outbox row that carried the question


async def schedule(
    s: AsyncSession,
    resident_id: int,
    *,
    due_at: datetime,
    text: str,
    source: str,
    now: datetime,
    context: str | None = None,
    language: str | None = None,
    case_id: int | None = None,
    flow: str | None = None,
    created_by: int | None = None,
) -> FollowUp:
    row = FollowUp(
        resident_id=resident_id,
        case_id=case_id,
        due_at=due_at,
        text=text,
        context=context,
        language=language,
        source=source,
        flow=flow,
        created_by=created_by,
        created_at=now,
    )
    s.add(row)
    await s.flush()
    return row


async def take_due(s: AsyncSession, *, now: datetime, limit: int = 50) -> list[FollowUp]:
    """Due follow-ups, marked sent in this transaction: the caller writes their outbox rows
    before it commits. Rows another transaction holds are skipped, not waited for."""
    query = (
        select(FollowUp)
        .where(FollowUp.status == SCHEDULED, FollowUp.due_at <= now)
        .order_by(col(FollowUp.due_at), col(FollowUp.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    taken = []
    for row in (await s.exec(query)).all():
        # SQLite ignores FOR UPDATE: the conditional update decides there.
        won = await s.exec(
            update(FollowUp)
            .where(col(FollowUp.id) == row.id, col(FollowUp.status) == SCHEDULED)
            .values(status=SENT, sent_at=now)
        )
        if won.rowcount == 1:
            await s.refresh(row)
            taken.append(row)
    return taken


async def answer(
    s: AsyncSession, follow_up_id: int, resident_id: int, given: str, *, now: datetime
) -> FollowUp | None:
    """Note the resident's answer to a sent follow-up of theirs; None when there is none to
    answer (another resident's id, answered before, cancelled)."""
    if given not in ANSWERS:
        raise ValueError(f"unknown answer {given!r}")
    done = await s.exec(
        update(FollowUp)
        .where(
            col(FollowUp.id) == follow_up_id,
            col(FollowUp.resident_id) == resident_id,
            col(FollowUp.status) == SENT,
        )
        .values(status=ANSWERED, answer=given, answered_at=now)
    )
    if done.rowcount != 1:
        return None
    row = await s.get(FollowUp, follow_up_id)
    if row is not None:
        await s.refresh(row)
    return row


async def cancel_all(s: AsyncSession, resident_id: int) -> int:
    """ "Stop": every follow-up of the resident not answered yet is cancelled. Returns how many."""
    done = await s.exec(
        update(FollowUp)
        .where(col(FollowUp.resident_id) == resident_id, col(FollowUp.status).in_(WAITING))
        .values(status=CANCELLED)
    )
    return int(done.rowcount or 0)


async def waiting_of(s: AsyncSession, resident_id: int) -> list[FollowUp]:
    """The resident's follow-ups still to be sent or answered, soonest first."""
    query = select(FollowUp).where(
        FollowUp.resident_id == resident_id, col(FollowUp.status).in_(WAITING)
    )
    return list((await s.exec(query.order_by(col(FollowUp.due_at)))).all())


async def of_case(s: AsyncSession, case_id: int) -> list[FollowUp]:
    query = select(FollowUp).where(FollowUp.case_id == case_id)
    return list((await s.exec(query.order_by(col(FollowUp.due_at)))).all())


async def delete_of(s: AsyncSession, resident_ids: Sequence[int]) -> int:
    """Erase the follow-ups of these residents (/vergeet, the purge)."""
    if not resident_ids:
        return 0
    done = await s.exec(delete(FollowUp).where(col(FollowUp.resident_id).in_(resident_ids)))
    return int(done.rowcount or 0)
