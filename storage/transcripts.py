"""The transcript: every message in and out, as the resident saw or wrote it.

Text is stored after `storage.types.clean_text`: NUL characters are removed and lone surrogates
become U+FFFD, on SQLite as on PostgreSQL (whose `text` cannot hold NUL), so what is read back
does not depend on the backend.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Index, String, func
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.types import CleanText, JSONText, UTCDateTime


class Direction(StrEnum):
    IN = "in"
    OUT = "out"


class TranscriptEntry(SQLModel, table=True):
    """One message in or out, as the resident saw or wrote it."""

    __tablename__ = "transcript_entry"
    __table_args__ = (Index("ix_transcript_entry_resident_id", "resident_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    resident_id: int = Field(foreign_key="resident.id", ondelete="CASCADE")
    direction: str = Field(sa_type=String(3))
    text: str = Field(sa_type=CleanText)
    data: dict[str, Any] | None = Field(default=None, sa_type=JSONText)  # buttons shown / pressed
    created_at: datetime = Field(sa_type=UTCDateTime, index=True)
    case_id: int | None = None


async def add_transcript(
    s: AsyncSession,
    resident_id: int,
    direction: str,
    text: str,
    *,
    now: datetime,
    data: dict[str, Any] | None = None,
) -> TranscriptEntry:
    entry = TranscriptEntry(
        resident_id=resident_id,
        direction=Direction(direction).value,
        text=text,
        data=data,
        created_at=now,
    )
    s.add(entry)
    await s.flush()
    return entry


async def transcript(
    s: AsyncSession, resident_id: int, *, limit: int | None = None
) -> list[TranscriptEntry]:
    """The resident's messages, oldest first; with `limit`, only the latest `limit` of them."""
    query = select(TranscriptEntry).where(TranscriptEntry.resident_id == resident_id)
    if limit is None:
        return list((await s.exec(query.order_by(col(TranscriptEntry.id)))).all())
    query = query.order_by(col(TranscriptEntry.id).desc()).limit(limit)
    return list(reversed((await s.exec(query)).all()))


async def entries_after(
    s: AsyncSession, resident_id: int, after_id: int, *, limit: int
) -> list[TranscriptEntry]:
    """The resident's entries with an id above `after_id`, oldest first, at most `limit`: the
    newest `limit` when there are more (a page opened on a long conversation). One range scan
    of the index on (resident_id, id): the cost follows the rows returned, not the transcript."""
    query = (
        select(TranscriptEntry)
        .where(TranscriptEntry.resident_id == resident_id, col(TranscriptEntry.id) > after_id)
        .order_by(col(TranscriptEntry.id).desc())
        .limit(limit)
    )
    return list(reversed((await s.exec(query)).all()))


async def first_entry_id(s: AsyncSession, resident_id: int) -> int | None:
    """The id of the resident's first entry (one step down the same index), None without one."""
    query = select(func.min(TranscriptEntry.id)).where(TranscriptEntry.resident_id == resident_id)
    return (await s.exec(query)).first()
