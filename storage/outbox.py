"""The outbox table's SQL, all of it: queueing replies, taking due rows, recording what became of
a send, leases, blocked residents, the backlog for /metrics and the purge's deletes.

Like the rest of storage: plain async functions on the caller's session, which owns the
transaction; every time is passed in. Who sends the rows and when: bot/outbox/.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Index,
    Integer,
    String,
    and_,
    bindparam,
    exists,
    func,
    insert,
    or_,
    update,
)
from sqlalchemy.orm import aliased
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.errors import NotFound
from storage.residents import Resident
from storage.transcripts import Direction, TranscriptEntry
from storage.types import CleanText, JSONText, UTCDateTime

_ENTRY = TranscriptEntry.__table__  # type: ignore[attr-defined]


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


PRIORITY_CRISIS = 0
PRIORITY_NORMAL = 10


class OutboxMessage(SQLModel, table=True):
    """A message waiting to be sent, or the record of one that was sent or given up."""

    __tablename__ = "outbox_message"
    __table_args__ = (
        Index("ix_outbox_message_next", "status", "priority", "id"),
        # One chat's pending rows (the web chat's poll, `next_pending(resident_id=...)`)
        # without reading the chat's sent ones: revision 0010.
        Index("ix_outbox_message_resident_pending", "resident_id", "status", "id"),
    )

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
    # The channel's own id for the sent message (a WhatsApp wamid), and what the channel
    # reported since: delivered, read, failed, or `window` (held until the resident writes).
    # Written by storage/deliveries.py.
    channel_message_id: str | None = Field(default=None, sa_type=String(128), index=True)
    delivery: str | None = Field(default=None, sa_type=String(16))


_OUTBOX = OutboxMessage.__table__  # type: ignore[attr-defined]
# `add_replies`' statements, built once (SQLAlchemy keeps their cache keys too): one
# multi-row INSERT each. PostgreSQL: SQLAlchemy returns the ids in the rows' order. SQLite
# would need a statement per row for that; but there a table's new ids are max + 1, given row
# by row in the order of VALUES under the one write lock, so the ids sorted are in that order.
_ADD = {
    dialect: (
        insert(_ENTRY).returning(_ENTRY.c.id, sort_by_parameter_order=ordered),
        insert(_OUTBOX).returning(_OUTBOX.c.id, sort_by_parameter_order=ordered),
    )
    for dialect, ordered in (("postgresql", True), ("sqlite", False))
}


# --- queueing --------------------------------------------------------------------------------


async def enqueue(
    s: AsyncSession,
    resident_id: int,
    text: str,
    *,
    now: datetime,
    buttons: list[Any] | None = None,
    priority: int = PRIORITY_NORMAL,
    transcript_id: int | None = None,
) -> OutboxMessage:
    message = OutboxMessage(
        resident_id=resident_id,
        transcript_id=transcript_id,
        priority=priority,
        text=text,
        buttons=buttons,
        created_at=now,
    )
    s.add(message)
    await s.flush()
    return message


@dataclass(frozen=True)
class Queued:
    """An outbox row `add_replies` queued: what the caller may want to know of it (a plain
    record: making each an ORM object cost more than the statements)."""

    id: int
    transcript_id: int
    text: str
    buttons: list[Any] | None
    priority: int


async def add_replies(
    s: AsyncSession,
    resident_id: int,
    replies: Sequence[tuple[str, list[Any] | None, int]],
    *,
    now: datetime,
    sources: Mapping[str, str] | None = None,
) -> list[Queued]:
    """A turn's replies, each (text, buttons, priority): transcript entries and their outbox
    rows, in two Core statements (the conversation path's, issue 21), not two per reply.
    `sources`: text -> its Dutch source, kept in the transcript for the worker (not sent).
    Returns the rows, in order."""
    if not replies:
        return []
    sources = sources or {}

    def data(text: str, buttons: list[Any] | None) -> dict[str, Any] | None:
        found: dict[str, Any] = {"buttons": buttons} if buttons else {}
        if text in sources:
            found["source"] = sources[text]
        return found or None

    entries = [
        {
            "resident_id": resident_id,
            "direction": Direction.OUT.value,
            "text": text,
            "data": data(text, buttons),
            "created_at": now,
            "case_id": None,
        }
        for text, buttons, _ in replies
    ]
    dialect = s.get_bind().dialect.name
    add_entries, add_rows = _ADD[dialect]
    in_order = sorted if dialect == "sqlite" else list
    ids = in_order((await s.exec(add_entries, params=entries)).scalars())  # type: ignore[call-overload]
    rows = [
        {
            "resident_id": resident_id,
            "transcript_id": entry_id,
            "priority": priority,
            "text": text,
            "buttons": buttons,
            "status": OutboxStatus.PENDING.value,
            "attempts": 0,
            "created_at": now,
        }
        for entry_id, (text, buttons, priority) in zip(ids, replies, strict=True)
    ]
    queued_ids = in_order((await s.exec(add_rows, params=rows)).scalars())  # type: ignore[call-overload]
    return [
        Queued(i, row["transcript_id"], row["text"], row["buttons"], row["priority"])
        for i, row in zip(queued_ids, rows, strict=True)
    ]


# --- taking due rows -------------------------------------------------------------------------


async def next_pending(
    s: AsyncSession,
    *,
    now: datetime,
    limit: int = 10,
    channel: str | None = None,
    resident_id: int | None = None,
) -> list[OutboxMessage]:
    """Messages due now, by priority then id, locked for this transaction.

    On PostgreSQL rows another transaction holds are skipped (`FOR UPDATE SKIP LOCKED`), so
    concurrent senders never get the same message. SQLite has no row locks; there transactions
    take turns (`BEGIN IMMEDIATE`), so mark the messages in the same transaction.

    A message waiting for a retry holds back the same resident's later messages of equal or
    lower priority, so a chat never receives its messages out of order.

    `channel` keeps each channel's sender to its own residents; `resident_id` narrows to one.
    """
    params: dict[str, Any] = {"now": now, "limit": limit}
    if resident_id is not None:
        params["resident_id"] = resident_id
    if channel is not None:
        params["channel"] = channel
    query = _due_query(channel is not None, resident_id is not None)
    return list((await s.exec(query, params=params)).all())


@functools.cache
def _due_query(of_channel: bool, of_resident: bool) -> Any:
    """`next_pending`'s statement, built once with its values as parameters: the outbox looks
    several times a second, and building the statement cost more than running it."""
    now = bindparam("now", type_=UTCDateTime)
    pending = OutboxMessage.status == OutboxStatus.PENDING
    due = or_(col(OutboxMessage.not_before).is_(None), col(OutboxMessage.not_before) <= now)
    earlier = aliased(OutboxMessage)
    waiting_before = exists().where(
        earlier.resident_id == OutboxMessage.resident_id,
        earlier.status == OutboxStatus.PENDING,
        earlier.priority <= OutboxMessage.priority,
        col(earlier.id) < OutboxMessage.id,
        col(earlier.not_before) > now,
    )
    conditions = [pending, due, ~waiting_before]
    if of_resident:
        conditions.append(OutboxMessage.resident_id == bindparam("resident_id"))
    if of_channel:
        conditions.append(col(OutboxMessage.resident_id).in_(_of_channel(bindparam("channel"))))
    return (
        select(OutboxMessage)
        .where(and_(*conditions))
        .order_by(col(OutboxMessage.priority), col(OutboxMessage.id))
        .limit(bindparam("limit", type_=Integer))
        .with_for_update(skip_locked=True)
    )


def _of_channel(channel: Any) -> Any:
    return select(Resident.id).where(Resident.channel == channel)


async def addresses(s: AsyncSession, resident_ids: set[int]) -> dict[int, str]:
    """External ids of those residents who have not blocked the bot."""
    query = select(Resident.id, Resident.external_id).where(
        col(Resident.id).in_(resident_ids), col(Resident.blocked_at).is_(None)
    )
    return {rid: external for rid, external in (await s.exec(query)).all()}


async def lease(s: AsyncSession, ids: list[int], *, until: datetime | None) -> None:
    """Hold pending rows back until `until` (a sender has them in hand); None lifts it."""
    if ids:
        await s.exec(_LEASE, params={"ids": ids, "until": until})  # type: ignore[call-overload]


_ROWS = OutboxMessage.__table__  # type: ignore[attr-defined]
# The dispatcher's statements, built once (they run several times a second), on the table:
# no ORM objects are involved.
_LEASE = (
    update(_ROWS)
    .where(
        _ROWS.c.id.in_(bindparam("ids", expanding=True)),
        _ROWS.c.status == OutboxStatus.PENDING.value,
    )
    .values(not_before=bindparam("until", type_=UTCDateTime))
)
_MARK_SENT = (
    update(_ROWS)
    .where(
        _ROWS.c.id.in_(bindparam("ids", expanding=True)),
        _ROWS.c.status == OutboxStatus.PENDING.value,
    )
    .values(
        status=OutboxStatus.SENT.value,
        attempts=_ROWS.c.attempts + 1,
        last_attempt_at=bindparam("now", type_=UTCDateTime),
        sent_at=bindparam("now", type_=UTCDateTime),
    )
)


async def release_leases(s: AsyncSession, channel: str, *, now: datetime) -> int:
    """Make the channel's pending rows held back beyond `now` due again; returns how many."""
    statement = (
        update(OutboxMessage)
        .where(
            OutboxMessage.status == OutboxStatus.PENDING,
            col(OutboxMessage.not_before) > now,
            col(OutboxMessage.resident_id).in_(_of_channel(channel)),
            # Rows held until the resident writes (storage/deliveries.py) stay held.
            or_(col(OutboxMessage.delivery).is_(None), OutboxMessage.delivery != "window"),
        )
        .values(not_before=None)
        .execution_options(synchronize_session=False)
    )
    return (await s.exec(statement)).rowcount


# --- what became of a send -------------------------------------------------------------------


async def _finish_attempt(s: AsyncSession, message_id: int, **values: Any) -> None:
    statement = (
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == message_id, OutboxMessage.status == OutboxStatus.PENDING)
        .values(attempts=OutboxMessage.attempts + 1, **values)
        .execution_options(synchronize_session="fetch")
    )
    result = await s.exec(statement)
    if result.rowcount != 1:
        raise NotFound(f"no pending outbox message {message_id}")


async def mark_sent(s: AsyncSession, message_id: int, *, now: datetime) -> None:
    await _finish_attempt(s, message_id, status=OutboxStatus.SENT, last_attempt_at=now, sent_at=now)


async def mark_sent_many(s: AsyncSession, ids: list[int], *, now: datetime) -> None:
    """`mark_sent` for many rows in one statement (a row no longer pending, e.g. deleted
    meanwhile, is left alone)."""
    await s.exec(_MARK_SENT, params={"ids": ids, "now": now})  # type: ignore[call-overload]


async def mark_retry(
    s: AsyncSession, message_id: int, *, now: datetime, not_before: datetime, error: str
) -> None:
    """Record a failed attempt; the message stays pending and is due again at `not_before`."""
    await _finish_attempt(
        s, message_id, last_attempt_at=now, not_before=not_before, last_error=error
    )


async def mark_failed(s: AsyncSession, message_id: int, *, now: datetime, error: str) -> None:
    """Give the message up (for example: the resident blocked the bot)."""
    await _finish_attempt(
        s, message_id, status=OutboxStatus.FAILED, last_attempt_at=now, last_error=error
    )


async def mark_blocked(s: AsyncSession, resident_id: int, *, now: datetime, error: str) -> int:
    """The resident blocked the bot: note it and give up their pending rows. Writing to the bot
    again clears the mark (`resident_db.get_or_create_resident`). Returns the rows given up."""
    await s.exec(
        update(Resident)
        .where(col(Resident.id) == resident_id)
        .values(blocked_at=now)
        .execution_options(synchronize_session=False)
    )
    result = await s.exec(
        update(OutboxMessage)
        .where(
            OutboxMessage.resident_id == resident_id,
            OutboxMessage.status == OutboxStatus.PENDING,
        )
        .values(status=OutboxStatus.FAILED, last_attempt_at=now, last_error=error)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


# --- the backlog, for /metrics ---------------------------------------------------------------


async def pending_by_channel(s: AsyncSession) -> list[tuple[str, int, int, datetime | None]]:
    """Undelivered rows as (channel, priority, count, oldest created_at): one grouped query
    over indexed columns."""
    pending = (
        select(
            Resident.channel,
            OutboxMessage.priority,
            func.count(),
            func.min(OutboxMessage.created_at),
        )
        .join(Resident, col(Resident.id) == col(OutboxMessage.resident_id))
        .where(OutboxMessage.status == OutboxStatus.PENDING)
        .group_by(Resident.channel, OutboxMessage.priority)
    )
    return list((await s.exec(pending)).all())
