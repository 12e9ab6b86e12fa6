"""Internal notes on a case: written by social workers for each other, never sent to the
resident. Deleted with the case when a resident erases their data (`/vergeet`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.types import CleanText, UTCDateTime

KINDS = ("note", "close")  # a note written while closing holds the outcome's explanation


class CaseNote(SQLModel, table=True):
    __tablename__ = "case_note"
    __table_args__ = (Index("ix_case_note_case", "case_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", ondelete="CASCADE")
    user_id: int | None = None
    kind: str = Field(default="note", sa_type=String(8))
    text: str = Field(sa_type=CleanText)
    created_at: datetime = Field(sa_type=UTCDateTime)


async def add_note(
    s: AsyncSession,
    case_id: int,
    user_id: int | None,
    text: str,
    *,
    now: datetime,
    kind: str = "note",
) -> CaseNote:
    if kind not in KINDS:
        raise ValueError(f"unknown note kind {kind!r}")
    note = CaseNote(case_id=case_id, user_id=user_id, kind=kind, text=text, created_at=now)
    s.add(note)
    await s.flush()
    return note


async def notes_of(s: AsyncSession, case_id: int, *, after: int = 0) -> list[CaseNote]:
    """The notes on a case, oldest first; only those after note `after` when given."""
    query = select(CaseNote).where(CaseNote.case_id == case_id, col(CaseNote.id) > after)
    return list((await s.exec(query.order_by(col(CaseNote.id)))).all())
