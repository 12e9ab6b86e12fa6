"""Residents: who writes to the bot on which channel, under which pseudonym, in which language;
the per-chat lock every inbound message takes.

Like every storage module: the table and the plain async functions on the caller's session
around it. The caller owns the transaction (`Database.transaction()`); functions flush when
they need an id and never commit. Every time is passed in (`now`) and must be timezone-aware.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import datetime
from enum import StrEnum

from sqlalchemy import String, UniqueConstraint, text, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.errors import NotFound
from storage.types import UTCDateTime

logger = logging.getLogger(__name__)


class Channel(StrEnum):
    TELEGRAM = "telegram"
    WEB = "web"
    TERMINAL = "terminal"
    WHATSAPP = "whatsapp"


class Resident(SQLModel, table=True):
    """Someone who writes to the bot on one channel. Workers see only the pseudonym."""

    __tablename__ = "resident"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(sa_type=String(16))
    external_id: str = Field(sa_type=String(64))  # the Telegram chat id, the WhatsApp wa_id
    pseudonym: str = Field(sa_type=String(32), unique=True)
    language: str | None = Field(default=None, sa_type=String(16))  # None: not chosen yet
    created_at: datetime = Field(sa_type=UTCDateTime)
    last_seen_at: datetime = Field(sa_type=UTCDateTime)
    blocked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The 4 digits of their postcode, for the team (storage/teams.py); never the letters.
    postcode: str | None = Field(default=None, sa_type=String(4))
    # They would rather not say: not asked again.
    postcode_declined_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


PSEUDONYM_PREFIX = "Bewoner-"
PSEUDONYM_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L
PSEUDONYM_LENGTH = 5
_CREATE_ATTEMPTS = 8


def new_pseudonym() -> str:
    """A random name such as `Bewoner-7F3K2`: easy to read aloud, unrelated to the person."""
    suffix = "".join(secrets.choice(PSEUDONYM_ALPHABET) for _ in range(PSEUDONYM_LENGTH))
    return PSEUDONYM_PREFIX + suffix


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
