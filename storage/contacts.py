"""Contacts: when a resident started a topic, or said the bot did not help. The repeated-contact
rule (bot/escalation.py) reads them to decide that a person should take over."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Index, String
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.types import UTCDateTime


class ContactEvent(SQLModel, table=True):
    __tablename__ = "contact_event"
    __table_args__ = (Index("ix_contact_event_resident", "resident_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    resident_id: int = Field(foreign_key="resident.id", ondelete="CASCADE")
    kind: str = Field(sa_type=String(16))  # "topic" | "not_helped"
    topic: str = Field(sa_type=String(64))  # the flow id
    at: datetime = Field(sa_type=UTCDateTime)


async def add_contact(
    s: AsyncSession, resident_id: int, kind: str, topic: str, *, now: datetime
) -> None:
    s.add(ContactEvent(resident_id=resident_id, kind=kind, topic=topic, at=now))
    await s.flush()


async def recent_contacts(
    s: AsyncSession, resident_id: int, *, now: datetime, days: int
) -> list[ContactEvent]:
    since = now - timedelta(days=days)
    query = select(ContactEvent).where(
        ContactEvent.resident_id == resident_id, col(ContactEvent.at) >= since
    )
    return list((await s.exec(query.order_by(col(ContactEvent.at)))).all())
