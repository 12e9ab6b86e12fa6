"""Messages handled already, known by the channel's own id for each (the bot's id and the
Telegram update_id, the web chat's id per message). A channel delivers a message again when it
never heard that the first delivery was taken: Telegram re-sends a webhook update whose answer
did not come, long polling fetches again what was not confirmed. The second delivery finds its
key here and is not handled a second time.

The key is written in the transaction that handles the message, so both commit or neither
does: a message whose handling failed has no key, and is handled when it comes again. A key
is an update number or a random id: no content, nothing that names the resident. The purge
(storage/privacy.py) removes keys after `KEEP`.
"""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, delete
from sqlmodel import Field, SQLModel, col
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import dialect
from storage.residents import Channel
from storage.types import UTCDateTime

KEEP = timedelta(days=2)
"""How long a key is kept: Telegram re-sends an update for at most 24 hours, and drops it
after that; a day more for a clock that is off, or a process restarted after a long stop."""

MAX_KEY = 64


class HandledMessage(SQLModel, table=True):
    """One message a channel might deliver again, and when it was handled."""

    __tablename__ = "handled_message"

    channel: str = Field(sa_type=String(16), primary_key=True)
    key: str = Field(sa_type=String(MAX_KEY), primary_key=True)
    handled_at: datetime = Field(sa_type=UTCDateTime, index=True)


async def first_time(s: AsyncSession, channel: str, key: str, *, now: datetime) -> bool:
    """Record, in the caller's transaction, that the message `key` of `channel` is handled;
    False when a committed transaction recorded it before. On PostgreSQL a transaction that
    is recording the same key at this moment makes this one wait for its commit or rollback."""
    params = {"channel": Channel(channel).value, "key": key, "handled_at": now}
    found = await s.exec(_first_time(dialect.of(s)), params=params)  # type: ignore[call-overload]
    return found.first() is not None


@functools.cache
def _first_time(kind: str) -> Any:
    """`first_time`'s statement, built once per database kind: every message asks."""
    table = HandledMessage.__table__  # type: ignore[attr-defined]
    return (
        dialect.insert(kind, table)
        .on_conflict_do_nothing(index_elements=["channel", "key"])
        .returning(table.c.key)
    )


async def forget(s: AsyncSession, *, before: datetime) -> int:
    """Delete the keys of messages handled before `before`; returns how many."""
    result = await s.exec(delete(HandledMessage).where(col(HandledMessage.handled_at) < before))
    return int(result.rowcount or 0)
