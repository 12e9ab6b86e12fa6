"""Where each resident is in the flows: the engine's `State.to_dict()` with the conversation's
own keys beside it, one row per resident."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import dialect
from storage.types import JSONText, UTCDateTime


class Conversation(SQLModel, table=True):
    """Where a resident is in the flows: the engine's `State.to_dict()`."""

    __tablename__ = "conversation"

    resident_id: int = Field(foreign_key="resident.id", primary_key=True, ondelete="CASCADE")
    state: dict[str, Any] = Field(sa_type=JSONText)
    updated_at: datetime = Field(sa_type=UTCDateTime)


async def load_state(s: AsyncSession, resident_id: int) -> dict[str, Any] | None:
    """The stored `State.to_dict()`, or None when the resident has none yet."""
    query = select(Conversation.state).where(Conversation.resident_id == resident_id)
    return (await s.exec(query)).first()


async def save_state(
    s: AsyncSession, resident_id: int, state: dict[str, Any], *, now: datetime
) -> None:
    """Store the resident's `State.to_dict()` (and data), replacing what was stored: one
    upsert, built once per database kind (the conversation path saves on every message)."""
    params = {"resident_id": resident_id, "state": state, "updated_at": now}
    await s.exec(_save_state(dialect.of(s)), params=params)  # type: ignore[call-overload]


@functools.cache
def _save_state(kind: str) -> Any:
    table = Conversation.__table__  # type: ignore[attr-defined]
    upsert = dialect.insert(kind, table)
    return upsert.on_conflict_do_update(
        index_elements=[table.c.resident_id],
        set_={"state": upsert.excluded.state, "updated_at": upsert.excluded.updated_at},
    )
