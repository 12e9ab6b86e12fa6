"""The outbox's rows when text is erased: `/vergeet`, and the retention purge
(storage/privacy.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, exists, func, update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.outbox import OutboxMessage, OutboxStatus
from storage.residents import Resident


def has_pending() -> Any:
    """A clause for a resident query: something still waits to be sent to `Resident`."""
    return exists().where(
        OutboxMessage.resident_id == Resident.id,
        OutboxMessage.status == OutboxStatus.PENDING.value,
    )


async def delete_of(s: AsyncSession, resident_ids: Sequence[int]) -> int:
    """Delete every row of these residents; returns how many."""
    statement = delete(OutboxMessage).where(col(OutboxMessage.resident_id).in_(resident_ids))
    return int((await s.exec(statement)).rowcount or 0)  # type: ignore[call-overload]


async def delete_finished(s: AsyncSession, *, before: datetime) -> int:
    """Delete the delivery records of rows sent or given up before `before`."""
    finished_at = func.coalesce(
        OutboxMessage.sent_at, OutboxMessage.last_attempt_at, OutboxMessage.created_at
    )
    done = col(OutboxMessage.status).in_((OutboxStatus.SENT.value, OutboxStatus.FAILED.value))
    statement = delete(OutboxMessage).where(done, finished_at < before)
    return int((await s.exec(statement)).rowcount or 0)  # type: ignore[call-overload]


async def unlink_transcript(s: AsyncSession, entries: Any) -> None:
    """Rows pointing at the transcript entries `entries` (a select of their ids) stop doing so,
    before those entries are deleted."""
    await s.exec(
        update(OutboxMessage)  # type: ignore[call-overload]
        .where(col(OutboxMessage.transcript_id).in_(entries))
        .values(transcript_id=None)
        .execution_options(synchronize_session=False)
    )
