"""The conversation path's own SQL, in as few statements as it can be (issue 21).

Every inbound message runs these, so they are SQLAlchemy Core statements (compiled once and
cached by SQLAlchemy), not the ORM's unit of work: no flush, no identity-map bookkeeping, and
one round trip each, which on SQLite is one hand-off to aiosqlite's thread each.

- `load`: the resident (touched: last seen now, no longer blocked), their flow state and their
  open case: an UPDATE and one joined SELECT. The resident and the case come back as ORM objects
  in the caller's session, as the pipeline's steps expect them.
- `note_in`: the message in the transcript, with the open case, in one INSERT.
- the replies: `outbox.add_replies`, one multi-row INSERT of transcript entries returning
  their ids, one of their outbox rows.

The caller owns the transaction, as everywhere in storage/.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, insert, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.cases import OPEN, Case
from storage.residents import Channel, Resident, get_or_create_resident
from storage.states import Conversation
from storage.transcripts import Direction, TranscriptEntry

_ENTRY = TranscriptEntry.__table__  # type: ignore[attr-defined]


@dataclass
class Loaded:
    """What a turn starts from."""

    resident: Resident
    state: dict[str, Any] | None  # the stored `State.to_dict()` and data, None without one
    open_case: Case | None


async def load(s: AsyncSession, channel: str, external_id: str, *, now: datetime) -> Loaded:
    """The resident writing on `channel` as `external_id` (created on first contact), touched
    as `resident_db.get_or_create_resident` does, with their state and open case."""
    channel = Channel(channel).value
    touched = await s.exec(
        update(Resident)  # type: ignore[call-overload]
        .where(col(Resident.channel) == channel, col(Resident.external_id) == external_id)
        .values(last_seen_at=now, blocked_at=None)
        .execution_options(synchronize_session=False)
    )
    if touched.rowcount == 0:  # first contact: nothing stored for them yet
        resident = await get_or_create_resident(s, channel, external_id, now=now)
        return Loaded(resident, None, None)
    open_case = and_(col(Case.resident_id) == col(Resident.id), col(Case.status).in_(OPEN))
    query = (
        select(Resident, Conversation.state, Case)
        .outerjoin(Conversation, col(Conversation.resident_id) == col(Resident.id))
        .outerjoin(Case, open_case)
        .where(col(Resident.channel) == channel, col(Resident.external_id) == external_id)
        .order_by(col(Case.id).desc())
        .limit(1)
    )
    resident, state, case = (await s.exec(query)).one()
    return Loaded(resident, state, case)


async def note_in(
    s: AsyncSession,
    resident_id: int,
    text: str,
    *,
    now: datetime,
    data: dict[str, Any] | None,
    case_id: int | None,
) -> None:
    """A message in, in the transcript."""
    await s.exec(
        insert(_ENTRY).values(  # type: ignore[call-overload]
            resident_id=resident_id,
            direction=Direction.IN.value,
            text=text,
            data=data,
            created_at=now,
            case_id=case_id,
        )
    )
