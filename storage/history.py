"""A resident's history, for the case page: their earlier cases with outcomes and the flows
they used (the topics of `contact_event`), so a worker does not start from nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.cases import Case
from storage.contacts import ContactEvent


@dataclass(frozen=True)
class FlowUse:
    flow: str
    times: int
    last: datetime


@dataclass(frozen=True)
class History:
    cases: list[Case]  # the other cases, newest first
    flows: list[FlowUse]  # the flows started, most recently used first


async def of_resident(
    s: AsyncSession, resident_id: int, *, besides: int | None = None, limit: int = 20
) -> History:
    query = select(Case).where(Case.resident_id == resident_id)
    if besides is not None:
        query = query.where(Case.id != besides)
    cases = (await s.exec(query.order_by(col(Case.created_at).desc()).limit(limit))).all()
    used = (
        select(ContactEvent.topic, func.count(), func.max(ContactEvent.at))
        .where(ContactEvent.resident_id == resident_id, ContactEvent.kind == "topic")
        .group_by(ContactEvent.topic)
        .order_by(func.max(ContactEvent.at).desc())
        .limit(limit)
    )
    flows = [FlowUse(topic, times, last) for topic, times, last in (await s.exec(used)).all()]
    return History(list(cases), flows)
