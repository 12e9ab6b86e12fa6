"""The tables. Timestamps are aware UTC datetimes (`UTCDateTime`); JSON columns are text.

`/vergeet` (storage/privacy.py) empties a resident: their conversation state, transcript, cases,
notes and outbox rows go, the row itself stays under a new pseudonym until the confirmation is
sent and the purge removes it. What is kept, and for how long: docs/privacy.md.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Index, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import CleanText, JSONText, UTCDateTime


class Channel(StrEnum):
    TELEGRAM = "telegram"
    WEB = "web"
    TERMINAL = "terminal"


class Direction(StrEnum):
    IN = "in"
    OUT = "out"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


PRIORITY_CRISIS = 0
PRIORITY_NORMAL = 10


class Resident(SQLModel, table=True):
    """Someone who writes to the bot on one channel. Workers see only the pseudonym."""

    __tablename__ = "resident"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(sa_type=String(16))
    external_id: str = Field(sa_type=String(64))  # e.g. the Telegram chat id, as text
    pseudonym: str = Field(sa_type=String(32), unique=True)
    language: str | None = Field(default=None, sa_type=String(16))  # None: not chosen yet
    created_at: datetime = Field(sa_type=UTCDateTime)
    last_seen_at: datetime = Field(sa_type=UTCDateTime)
    blocked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Conversation(SQLModel, table=True):
    """Where a resident is in the flows: the engine's `State.to_dict()`."""

    __tablename__ = "conversation"

    resident_id: int = Field(foreign_key="resident.id", primary_key=True, ondelete="CASCADE")
    state: dict[str, Any] = Field(sa_type=JSONText)
    updated_at: datetime = Field(sa_type=UTCDateTime)


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


class OutboxMessage(SQLModel, table=True):
    """A message waiting to be sent, or the record of one that was sent or given up."""

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_next", "status", "priority", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    resident_id: int = Field(foreign_key="resident.id", ondelete="CASCADE", index=True)
    transcript_id: int | None = Field(
        default=None, foreign_key="transcript_entry.id", ondelete="SET NULL"
    )
    priority: int = PRIORITY_NORMAL  # lower goes first; PRIORITY_CRISIS = 0
    text: str = Field(sa_type=CleanText)
    buttons: list[Any] | None = Field(default=None, sa_type=JSONText)
    status: str = Field(default=OutboxStatus.PENDING.value, sa_type=String(8))
    attempts: int = 0
    not_before: datetime | None = Field(default=None, sa_type=UTCDateTime)  # retry backoff
    created_at: datetime = Field(sa_type=UTCDateTime)
    last_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, sa_type=CleanText)
