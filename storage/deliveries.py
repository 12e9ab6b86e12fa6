"""What a channel reports about messages it took: its own id for each sent outbox row (a
WhatsApp wamid), the delivery states its status callbacks bring (sent, delivered, read,
failed), and rows held back until the resident writes again (WhatsApp's 24-hour window).

Plain async functions on the caller's session, like the rest of storage; the outbox table
itself is storage/outbox.py's.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import bindparam, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.errors import NotFound
from storage.outbox import OutboxMessage, OutboxStatus
from storage.residents import Resident

WINDOW = "window"  # `delivery` of a row held until the resident writes
FAILED = "failed"
REPORTED = ("sent", "delivered", "read", FAILED)
# How far ahead a held row's `not_before` is set: it is released when the resident writes,
# long before this (a template's answer), or given up by the purge with the other rows.
HOLD = timedelta(days=30)
_ORDER = {"sent": 1, "delivered": 2, "read": 3}  # a late "sent" does not undo "read"


_RECORD_ID = (
    update(OutboxMessage.__table__)  # type: ignore[attr-defined]
    .where(OutboxMessage.__table__.c.id == bindparam("b_id"))  # type: ignore[attr-defined]
    .values(channel_message_id=bindparam("b_message_id"), delivery="sent")
)


async def record_ids(s: AsyncSession, sent: Sequence[tuple[int, str]]) -> None:
    """The channel's ids of rows just marked sent, each (row id, channel message id): one
    executemany for all of them, not a statement per row."""
    if not sent:
        return
    params = [{"b_id": row_id, "b_message_id": message_id[:128]} for row_id, message_id in sent]
    await s.exec(_RECORD_ID, params=params)  # type: ignore[call-overload]


async def report(
    s: AsyncSession, message_id: str, status: str, *, now: datetime, error: str | None = None
) -> OutboxMessage | None:
    """A status callback for the row sent as `message_id`; returns the row (None: not ours,
    or erased since). A state never goes back (read, then a late delivered); `failed` always
    counts and gives the row up with `error`."""
    if status not in REPORTED:
        return None
    query = select(OutboxMessage).where(OutboxMessage.channel_message_id == message_id)
    row = (await s.exec(query)).first()
    if row is None:
        return None
    if status == FAILED:
        row.delivery = FAILED
        row.status = OutboxStatus.FAILED.value
        row.last_error = error or "failed (no reason given)"
        row.last_attempt_at = now
    elif _ORDER.get(status, 0) > _ORDER.get(row.delivery or "", 0) and row.delivery != FAILED:
        row.delivery = status
    await s.flush()
    return row


async def hold_for_window(s: AsyncSession, row_id: int, *, now: datetime, error: str) -> None:
    """Hold a pending row until the resident writes (`release_window`). It keeps holding back
    the resident's later rows, so they stay in order behind it."""
    result = await s.exec(
        update(OutboxMessage)  # type: ignore[call-overload]
        .where(col(OutboxMessage.id) == row_id, OutboxMessage.status == OutboxStatus.PENDING)
        .values(
            delivery=WINDOW,
            not_before=now + HOLD,
            last_attempt_at=now,
            last_error=error,
            attempts=OutboxMessage.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise NotFound(f"no pending outbox message {row_id}")


async def requeue_for_window(s: AsyncSession, message_id: str, *, now: datetime) -> bool:
    """A row the channel took but later reported undeliverable because the window had closed
    (WhatsApp's 131047 in a status callback): pending again and due now, so that the sender
    finds the window closed and holds it. False when the row is unknown."""
    result = await s.exec(
        update(OutboxMessage)  # type: ignore[call-overload]
        .where(col(OutboxMessage.channel_message_id) == message_id)
        .values(
            status=OutboxStatus.PENDING.value,
            delivery=None,
            channel_message_id=None,
            sent_at=None,
            not_before=None,
            last_attempt_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)


async def release_window(s: AsyncSession, resident_id: int) -> int:
    """The resident wrote: their held rows are due now (before the new replies, which are
    later rows). Returns how many."""
    result = await s.exec(
        update(OutboxMessage)  # type: ignore[call-overload]
        .where(
            OutboxMessage.resident_id == resident_id,
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.delivery == WINDOW,
        )
        .values(delivery=None, not_before=None)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)


async def held_for_window(s: AsyncSession, resident_id: int) -> int:
    """How many of the resident's rows wait for them to write (the dashboard shows it)."""
    query = select(OutboxMessage.id).where(
        OutboxMessage.resident_id == resident_id,
        OutboxMessage.status == OutboxStatus.PENDING,
        OutboxMessage.delivery == WINDOW,
    )
    return len((await s.exec(query)).all())


async def last_seen(s: AsyncSession, channel: str, external_id: str) -> datetime | None:
    """When the resident last wrote (the start of WhatsApp's 24-hour window)."""
    query = select(Resident.last_seen_at).where(
        Resident.channel == channel, Resident.external_id == external_id
    )
    return (await s.exec(query)).first()
