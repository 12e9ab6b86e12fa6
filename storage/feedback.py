"""Closing the loop: after a case is closed the resident is asked once "Heb je hier iets aan
gehad?"; the question and its answer are kept here for the team's figures.

A row outlives the case: when the case is erased (/vergeet, the purge) `case_id` becomes NULL
and what remains is the reason, the outcome and the answer, with nobody's data attached.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, update
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.cases import Case
from storage.types import UTCDateTime

ANSWERS = ("helped", "a_bit", "not_helped")


class CaseFeedback(SQLModel, table=True):
    """The question after a closed case, and the resident's answer (None: not answered)."""

    __tablename__ = "case_feedback"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int | None = Field(
        default=None, foreign_key="cases.id", ondelete="SET NULL", index=True
    )
    reason: str = Field(sa_type=String(64))  # the case's reason, e.g. asked_for_person
    priority: str = Field(sa_type=String(8))
    outcome: str | None = Field(default=None, sa_type=String(16))  # the worker's, at closing
    worker_id: int | None = None
    asked_at: datetime = Field(sa_type=UTCDateTime)
    answer: str | None = Field(default=None, sa_type=String(12))  # one of ANSWERS
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


async def ask(s: AsyncSession, case: Case, *, now: datetime) -> CaseFeedback:
    row = CaseFeedback(
        case_id=case.id,
        reason=case.reason,
        priority=case.priority,
        outcome=case.outcome,
        worker_id=case.worker_id,
        asked_at=now,
    )
    s.add(row)
    await s.flush()
    return row


async def answer(
    s: AsyncSession, feedback_id: int, resident_id: int, given: str, *, now: datetime
) -> CaseFeedback | None:
    """Note the answer, once, and only from the resident whose case it was."""
    if given not in ANSWERS:
        raise ValueError(f"unknown answer {given!r}")
    theirs = select(Case.id).where(Case.resident_id == resident_id)
    done = await s.exec(
        update(CaseFeedback)
        .where(
            col(CaseFeedback.id) == feedback_id,
            col(CaseFeedback.answer).is_(None),
            col(CaseFeedback.case_id).in_(theirs),
        )
        .values(answer=given, answered_at=now)
    )
    if done.rowcount != 1:
        return None
    row = await s.get(CaseFeedback, feedback_id)
    if row is not None:
        await s.refresh(row)
    return row


async def of_case(s: AsyncSession, case_id: int) -> list[CaseFeedback]:
    query = select(CaseFeedback).where(CaseFeedback.case_id == case_id)
    return list((await s.exec(query.order_by(col(CaseFeedback.id)))).all())
