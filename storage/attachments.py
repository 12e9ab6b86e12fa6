"""Photos, PDFs and voice notes residents send: the bytes with their checked type, linked to
the transcript entry that notes them (`[photo]`), the resident and, when one is open, the case.

Kept in the database, not in files: outside any web root by construction, and erased and
purged in the same transaction as the message they belong to (`/vergeet`, retention:
storage/privacy.py), with SQLite's `secure_delete` and checkpoint as for text. Served only
through the dashboard's one access check (bot/dashboard/attachments.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Index, LargeBinary, String, delete, func
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.types import UTCDateTime


class Attachment(SQLModel, table=True):
    __tablename__ = "attachment"
    __table_args__ = (Index("ix_attachment_resident", "resident_id"),)

    id: int | None = Field(default=None, primary_key=True)
    resident_id: int = Field(foreign_key="resident.id", ondelete="CASCADE")
    transcript_id: int | None = Field(
        default=None, foreign_key="transcript_entry.id", ondelete="CASCADE", index=True
    )
    case_id: int | None = None  # the case open when it came (cases are purged on their own)
    kind: str = Field(sa_type=String(16))  # photo, document, voice
    mime: str = Field(sa_type=String(64))  # as checked from the content, never as claimed
    size: int
    data: bytes = Field(sa_type=LargeBinary)
    created_at: datetime = Field(sa_type=UTCDateTime)


async def add(
    s: AsyncSession,
    *,
    resident_id: int,
    transcript_id: int | None,
    case_id: int | None,
    kind: str,
    mime: str,
    data: bytes,
    now: datetime,
) -> Attachment:
    found = Attachment(
        resident_id=resident_id,
        transcript_id=transcript_id,
        case_id=case_id,
        kind=kind,
        mime=mime,
        size=len(data),
        data=data,
        created_at=now,
    )
    s.add(found)
    await s.flush()
    return found


async def get(s: AsyncSession, attachment_id: int) -> Attachment | None:
    return await s.get(Attachment, attachment_id)


async def count_of(s: AsyncSession, resident_id: int) -> int:
    query = select(func.count()).where(Attachment.resident_id == resident_id)
    return int((await s.exec(query)).one() or 0)


async def delete_of(s: AsyncSession, resident_ids: Sequence[int]) -> int:
    """Delete every attachment of these residents; returns how many."""
    statement = delete(Attachment).where(col(Attachment.resident_id).in_(resident_ids))
    return int((await s.exec(statement)).rowcount or 0)  # type: ignore[call-overload]


async def delete_for_entries(s: AsyncSession, entries: Any) -> int:
    """Delete the attachments of the transcript entries `entries` (a select of their ids)."""
    statement = delete(Attachment).where(col(Attachment.transcript_id).in_(entries))
    return int((await s.exec(statement)).rowcount or 0)  # type: ignore[call-overload]
