"""Alert mails: one row per mail a waiting case calls for, kept until it is sent.

A row is made when an urgent case waits unclaimed, or a high one waits too long (round 0),
and again every repeat interval while it still waits (round 1, 2, ...); `(case_id, round)` is
unique, so several processes making the same round make one row. A sender takes a due row
with a lease (a conditional UPDATE whose row count is checked, after `FOR UPDATE SKIP LOCKED`
on PostgreSQL), so each mail goes out once; a failed send is tried again later, with backoff,
and never dropped. Rows hold no resident data: the case id, team, priority and reason code.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Index, String, UniqueConstraint, func, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.types import UTCDateTime

PENDING, SENT, DROPPED = "pending", "sent", "dropped"
LEASE = timedelta(seconds=60)
MAX_BACKOFF = timedelta(minutes=10)


class Alert(SQLModel, table=True):
    __tablename__ = "alert"
    __table_args__ = (
        UniqueConstraint("case_id", "round"),
        Index("ix_alert_due", "status", "next_try_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", ondelete="CASCADE")
    round: int
    team_id: int | None = Field(default=None, foreign_key="team.id", ondelete="SET NULL")
    to_address: str = Field(sa_type=String(254))
    on_call: bool = False  # sent to the team's on-call address (outside office hours)
    priority: str = Field(sa_type=String(8))
    reason: str = Field(sa_type=String(64))
    status: str = Field(default=PENDING, sa_type=String(8))  # pending | sent | dropped
    attempts: int = 0
    next_try_at: datetime = Field(sa_type=UTCDateTime)
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str = Field(default="", sa_type=String(500))
    created_at: datetime = Field(sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


async def make(s: AsyncSession, alert: Alert) -> Alert | None:
    """Store `alert` unless its round exists already (another process made it): None then."""
    try:
        async with s.begin_nested():
            s.add(alert)
    except IntegrityError:
        return None
    return alert


async def rounds_of(s: AsyncSession, case_ids: list[int]) -> dict[int, int]:
    """Case id -> the highest round made for it."""
    if not case_ids:
        return {}
    query = (
        select(Alert.case_id, func.max(Alert.round))
        .where(col(Alert.case_id).in_(case_ids))
        .group_by(col(Alert.case_id))
    )
    return dict((await s.exec(query)).all())


async def take_due(s: AsyncSession, *, now: datetime, limit: int = 20) -> list[Alert]:
    """Lease the pending alerts that are due: each returned row is this caller's to send for
    `LEASE`. Commit right after, so other senders see the lease."""
    query = (
        select(Alert.id)
        .where(
            Alert.status == PENDING,
            col(Alert.next_try_at) <= now,
            or_(col(Alert.lease_until).is_(None), col(Alert.lease_until) <= now),
        )
        .order_by(col(Alert.next_try_at), col(Alert.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    taken = []
    for alert_id in (await s.exec(query)).all():
        result = await s.exec(
            update(Alert)
            .where(
                col(Alert.id) == alert_id,
                Alert.status == PENDING,
                or_(col(Alert.lease_until).is_(None), col(Alert.lease_until) <= now),
            )
            .values(lease_until=now + LEASE, attempts=Alert.attempts + 1)
        )
        if result.rowcount == 1:
            taken.append(alert_id)
    if not taken:
        return []
    query = select(Alert).where(col(Alert.id).in_(taken)).execution_options(populate_existing=True)
    return list((await s.exec(query.order_by(col(Alert.id)))).all())


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, ... at most `MAX_BACKOFF`."""
    return min(timedelta(seconds=30 * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


async def sent(s: AsyncSession, alert_id: int, *, now: datetime) -> None:
    await s.exec(
        update(Alert)
        .where(col(Alert.id) == alert_id)
        .values(status=SENT, sent_at=now, lease_until=None, last_error="")
    )


async def dropped(s: AsyncSession, alert_id: int) -> None:
    """The case was claimed or closed before the mail went: no mail."""
    await s.exec(
        update(Alert).where(col(Alert.id) == alert_id).values(status=DROPPED, lease_until=None)
    )


async def failed(s: AsyncSession, alert: Alert, error: str, *, now: datetime) -> None:
    """Try again later; the row stays pending (never lost)."""
    await s.exec(
        update(Alert)
        .where(col(Alert.id) == alert.id)
        .values(
            lease_until=None,
            next_try_at=now + backoff(alert.attempts),
            last_error=error[:500],
        )
    )


async def failing(s: AsyncSession) -> list[Alert]:
    """Alerts tried at least once and still not sent (for the dashboard)."""
    query = select(Alert).where(Alert.status == PENDING, col(Alert.attempts) > 0)
    query = query.where(Alert.last_error != "")
    return list((await s.exec(query.order_by(col(Alert.id)))).all())
