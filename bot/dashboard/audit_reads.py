"""Audit rows for reading case content that a page polls for (AVG: log who read a case).

A page load is always recorded. What a page fetches by itself (new messages and notes of a
case, the queue's rows) is recorded too, but at most once per worker, case and `POLL_EVERY`:
a poll every few seconds must not drown the log, and a read within that window is already on
record.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.audit import AuditEntry

POLL_EVERY = timedelta(minutes=10)

# A poll of a case counts as seen when one of these was recorded for it in the window.
CASE_READS = ("view_case", "view_case_updates", "view_close")
QUEUE_READS = ("view_queue", "view_queue_rows")


async def seen_lately(s: AsyncSession, user_id: int, case_id: int | None, now: datetime) -> bool:
    """Whether a read by this worker of this case (or, without `case_id`, of the queue) is on
    record within `POLL_EVERY`: then a poll needs no row of its own."""
    reads = CASE_READS if case_id is not None else QUEUE_READS
    query = (
        select(AuditEntry.id)
        .where(AuditEntry.user_id == user_id)
        .where(col(AuditEntry.action).in_(reads))
        .where(col(AuditEntry.at) >= now - POLL_EVERY)
    )
    if case_id is None:
        query = query.where(col(AuditEntry.case_id).is_(None))
    else:
        query = query.where(AuditEntry.case_id == case_id)
    return (await s.exec(query.limit(1))).first() is not None
