"""Where each resident is in the flows: the engine's `State.to_dict()` with the conversation's
own keys beside it, one row per resident."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

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
    dialect = s.get_bind().dialect.name
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect]
    statement = insert(Conversation).values(resident_id=resident_id, state=state, updated_at=now)
    statement = statement.on_conflict_do_update(
        index_elements=[Conversation.resident_id],
        set_={"state": statement.excluded.state, "updated_at": statement.excluded.updated_at},
    )
    await s.exec(statement)
