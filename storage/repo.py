"""What the rest of Buurtbot asks of storage: plain async functions on an open session.

The caller owns the transaction (`Database.transaction()`); functions here flush when they need
an id and never commit. Every time is passed in (`now`) and must be timezone-aware.

Text is stored after `storage.types.clean_text`: NUL characters are removed and lone surrogates
become U+FFFD, on SQLite as on PostgreSQL (whose `text` cannot hold NUL), so what is read back
does not depend on the backend.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import NotFound
from storage.models import (
    Channel,
    Conversation,
    Direction,
    Resident,
    TranscriptEntry,
)

logger = logging.getLogger(__name__)

PSEUDONYM_PREFIX = "Bewoner-"
PSEUDONYM_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L
PSEUDONYM_LENGTH = 5
_CREATE_ATTEMPTS = 8


def new_pseudonym() -> str:
    """A random name such as `Bewoner-7F3K2`: easy to read aloud, unrelated to the person."""
    suffix = "".join(secrets.choice(PSEUDONYM_ALPHABET) for _ in range(PSEUDONYM_LENGTH))
    return PSEUDONYM_PREFIX + suffix


# Residents


def chat_lock_key(channel: str, external_id: str) -> int:
    """A 64-bit key for one chat, the same in every process (Python's hash() is not)."""
    digest = hashlib.blake2b(f"{channel}:{external_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


async def lock_chat(s: AsyncSession, channel: str, external_id: str) -> None:
    """Let one transaction at a time work on this chat, across every process: on PostgreSQL a
    transaction-scoped advisory lock, released at commit or rollback. SQLite has one writer
    for the whole database, which is all the order it needs."""
    if s.bind.dialect.name == "postgresql":
        key = chat_lock_key(Channel(channel).value, external_id)
        await s.exec(text("SELECT pg_advisory_xact_lock(:key)").bindparams(key=key))


async def find_resident(s: AsyncSession, channel: str, external_id: str) -> Resident | None:
    query = select(Resident).where(Resident.channel == channel, Resident.external_id == external_id)
    return (await s.exec(query)).first()


async def get_or_create_resident(
    s: AsyncSession, channel: str, external_id: str, *, now: datetime, language: str | None = None
) -> Resident:
    """The resident behind `external_id` on `channel`, created on first contact.

    Called for each inbound message, so it also records `last_seen_at` and clears `blocked_at`
    (writing to the bot means it is no longer blocked). `language` only applies to a new
    resident; an existing one keeps theirs. Safe against a concurrent first contact.
    """
    channel = Channel(channel).value
    for _ in range(_CREATE_ATTEMPTS):
        resident = await find_resident(s, channel, external_id)
        if resident is not None:
            resident.last_seen_at = now
            resident.blocked_at = None
            await s.flush()
            return resident
        resident = Resident(
            channel=channel,
            external_id=external_id,
            pseudonym=new_pseudonym(),
            language=language,
            created_at=now,
            last_seen_at=now,
        )
        try:
            async with s.begin_nested():
                s.add(resident)
        except IntegrityError:
            # Another transaction created this resident, or the pseudonym is taken: look again.
            logger.debug("resident insert conflicted for channel %s; retrying", channel)
            continue
        return resident
    raise RuntimeError(f"could not create a resident after {_CREATE_ATTEMPTS} attempts")


async def pseudonym_of(s: AsyncSession, resident_id: int) -> str | None:
    query = select(Resident.pseudonym).where(Resident.id == resident_id)
    return (await s.exec(query)).first()


async def set_language(s: AsyncSession, resident_id: int, language: str) -> None:
    result = await s.exec(
        update(Resident).where(col(Resident.id) == resident_id).values(language=language)
    )
    if result.rowcount != 1:
        raise NotFound(f"no resident {resident_id}")


# Conversation state


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


# Transcript


async def add_transcript(
    s: AsyncSession,
    resident_id: int,
    direction: str,
    text: str,
    *,
    now: datetime,
    data: dict[str, Any] | None = None,
) -> TranscriptEntry:
    entry = TranscriptEntry(
        resident_id=resident_id,
        direction=Direction(direction).value,
        text=text,
        data=data,
        created_at=now,
    )
    s.add(entry)
    await s.flush()
    return entry


async def transcript(
    s: AsyncSession, resident_id: int, *, limit: int | None = None
) -> list[TranscriptEntry]:
    """The resident's messages, oldest first; with `limit`, only the latest `limit` of them."""
    query = select(TranscriptEntry).where(TranscriptEntry.resident_id == resident_id)
    if limit is None:
        return list((await s.exec(query.order_by(col(TranscriptEntry.id)))).all())
    query = query.order_by(col(TranscriptEntry.id).desc()).limit(limit)
    return list(reversed((await s.exec(query)).all()))
