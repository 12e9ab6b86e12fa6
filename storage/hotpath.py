"""The conversation path's own SQL, in as few statements as it can be (issue 21).

Every inbound message runs these, so they are SQLAlchemy Core statements (built once, compiled
once and cached by SQLAlchemy), not the ORM's unit of work: no flush, no identity-map
bookkeeping, one round trip each (on SQLite none: storage/sqlite_inline.py).

- `load`: the resident (touched: last seen now, no longer blocked), their flow state and their
  open case: an UPDATE and one joined SELECT. The resident and the case come back as ORM objects
  in the caller's session, as the pipeline's steps expect them.
- `note_in`: the message in the transcript, with the open case, in one INSERT.
- the replies: `outbox.add_replies`, one multi-row INSERT of transcript entries returning
  their ids, one of their outbox rows.
- the handled key and the state, `handled.first_time` and `states.save_state`: one INSERT ...
  ON CONFLICT each, built once per database kind (storage/dialect.py).

The caller owns the transaction, as everywhere in storage/.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, insert, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.cases import OPEN, Case
from storage.residents import Channel, Resident, get_or_create_resident
from storage.states import Conversation
from storage.transcripts import Direction, TranscriptEntry

_ENTRY = TranscriptEntry.__table__  # type: ignore[attr-defined]
_RESIDENT = Resident.__table__  # type: ignore[attr-defined]


@dataclass
class Loaded:
    """What a turn starts from."""

    resident: Resident
    state: dict[str, Any] | None  # the stored `State.to_dict()` and data, None without one
    open_case: Case | None


# Built once: SQLAlchemy then also keeps each one's cache key, not only its compiled form.
_CHAT = and_(
    col(Resident.channel) == bindparam("b_channel"),
    col(Resident.external_id) == bindparam("b_external_id"),
)
_TOUCH = (
    update(_RESIDENT)
    .where(
        _RESIDENT.c.channel == bindparam("b_channel"),
        _RESIDENT.c.external_id == bindparam("b_external_id"),
    )
    .values(last_seen_at=bindparam("now", type_=_RESIDENT.c.last_seen_at.type), blocked_at=None)
)
_LOAD = (
    select(Resident, Conversation.state, Case)
    .outerjoin(Conversation, col(Conversation.resident_id) == col(Resident.id))
    .outerjoin(Case, and_(col(Case.resident_id) == col(Resident.id), col(Case.status).in_(OPEN)))
    .where(_CHAT)
    .order_by(col(Case.id).desc())
    .limit(1)
)
_NOTE_IN = insert(_ENTRY)


async def load(s: AsyncSession, channel: str, external_id: str, *, now: datetime) -> Loaded:
    """The resident writing on `channel` as `external_id` (created on first contact), touched
    as `resident_db.get_or_create_resident` does, with their state and open case."""
    chat = {"b_channel": Channel(channel).value, "b_external_id": external_id}
    touched = await s.exec(_TOUCH, params={**chat, "now": now})  # type: ignore[call-overload]
    if touched.rowcount == 0:  # first contact: nothing stored for them yet
        resident = await get_or_create_resident(s, channel, external_id, now=now)
        return Loaded(resident, None, None)
    resident, state, case = (await s.exec(_LOAD, params=chat)).one()  # type: ignore[call-overload]
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
    entry = {
        "resident_id": resident_id,
        "direction": Direction.IN.value,
        "text": text,
        "data": data,
        "created_at": now,
        "case_id": case_id,
    }
    await s.exec(_NOTE_IN, params=entry)  # type: ignore[call-overload]
