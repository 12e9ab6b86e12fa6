"""Residents and their conversation state, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from storage import outbox as outbox_db
from storage import residents as resident_db
from storage import states as state_db
from storage import transcripts as transcript_db
from storage.db import Database
from storage.outbox import OutboxMessage
from storage.residents import Resident
from storage.states import Conversation
from storage.transcripts import TranscriptEntry

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
PSEUDONYM = re.compile(r"^Bewoner-[2-9A-HJKMNP-Z]{5}$")


async def _resident_count(database: Database) -> int:
    async with database.transaction() as s:
        return (await s.exec(select(func.count()).select_from(Resident))).one()


async def test_first_contact_creates_a_resident(database: Database) -> None:
    async with database.transaction() as s:
        resident = await resident_db.get_or_create_resident(s, "telegram", "123456789", now=NOW)
    assert resident.id is not None
    assert PSEUDONYM.match(resident.pseudonym)
    assert "123456789" not in resident.pseudonym
    assert resident.language is None
    assert (resident.created_at, resident.last_seen_at, resident.blocked_at) == (NOW, NOW, None)


async def test_next_contact_finds_the_same_resident(database: Database) -> None:
    later = NOW + timedelta(days=3)
    async with database.transaction() as s:
        first = await resident_db.get_or_create_resident(
            s, "telegram", "42", now=NOW, language="ar"
        )
        first.blocked_at = NOW
    async with database.transaction() as s:
        again = await resident_db.get_or_create_resident(
            s, "telegram", "42", now=later, language="nl"
        )
    assert again.id == first.id
    assert again.pseudonym == first.pseudonym
    assert again.language == "ar"  # a language hint does not overrule the resident's choice
    assert (again.created_at, again.last_seen_at, again.blocked_at) == (NOW, later, None)


async def test_channels_keep_their_own_residents(database: Database) -> None:
    async with database.transaction() as s:
        telegram = await resident_db.get_or_create_resident(s, "telegram", "7", now=NOW)
        web = await resident_db.get_or_create_resident(s, "web", "7", now=NOW)
        terminal = await resident_db.get_or_create_resident(s, "terminal", "7", now=NOW)
    assert len({telegram.id, web.id, terminal.id}) == 3
    assert len({telegram.pseudonym, web.pseudonym, terminal.pseudonym}) == 3


async def test_unknown_channel_is_refused(database: Database) -> None:
    async with database.transaction() as s:
        with pytest.raises(ValueError, match="signal"):  # not a channel (WhatsApp is, issue 19)
            await resident_db.get_or_create_resident(s, "signal", "1", now=NOW)


async def test_pseudonym_collision_draws_again(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = iter(["Bewoner-AAAAA", "Bewoner-AAAAA", "Bewoner-BBBBB"])
    monkeypatch.setattr(resident_db, "new_pseudonym", lambda: next(names))
    async with database.transaction() as s:
        first = await resident_db.get_or_create_resident(s, "telegram", "1", now=NOW)
        second = await resident_db.get_or_create_resident(s, "telegram", "2", now=NOW)
    assert (first.pseudonym, second.pseudonym) == ("Bewoner-AAAAA", "Bewoner-BBBBB")
    assert await _resident_count(database) == 2


async def test_concurrent_first_contact_makes_one_resident(database: Database) -> None:
    async def contact() -> Resident:
        async with database.transaction() as s:
            return await resident_db.get_or_create_resident(s, "telegram", "99", now=NOW)

    async with database.transaction() as s:
        first = await resident_db.get_or_create_resident(s, "telegram", "99", now=NOW)
        # The other transaction cannot see this uncommitted row; it has to wait for it
        # (the unique index on PostgreSQL, BEGIN IMMEDIATE on SQLite), then find it.
        other = asyncio.create_task(contact())
        await asyncio.sleep(0.2)
        assert not other.done()
    second = await other
    assert second.id == first.id
    assert await _resident_count(database) == 1


async def test_many_concurrent_first_contacts(database: Database) -> None:
    async def contact() -> int | None:
        async with database.transaction() as s:
            return (await resident_db.get_or_create_resident(s, "web", "session-1", now=NOW)).id

    ids = await asyncio.gather(*(contact() for _ in range(8)))
    assert len(set(ids)) == 1
    assert await _resident_count(database) == 1


async def test_set_language(database: Database) -> None:
    async with database.transaction() as s:
        resident = await resident_db.get_or_create_resident(s, "telegram", "1", now=NOW)
        await resident_db.set_language(s, resident.id, "ti")
        assert resident.language == "ti"
    async with database.transaction() as s:
        assert (await s.get(Resident, resident.id)).language == "ti"


async def test_set_language_of_unknown_resident(database: Database) -> None:
    async with database.transaction() as s:
        with pytest.raises(resident_db.NotFound):
            await resident_db.set_language(s, 12345, "nl")


def _state(**values: object) -> dict[str, object]:
    """A state shaped like `bot.engine.state.State.to_dict()`."""
    return {"flow": None, "node": None, "vars": {}, "wait": "", "tries": 0, **values}


async def test_state_round_trip(database: Database) -> None:
    state = _state(
        flow="debt",
        node="amount",
        vars={
            "naam": "سارة الأحمد",
            "vraag": "ሰላም፣ ክሕግዘኒ ትኽእል ዶ?",
            "emoji": "🏠💶 👨‍👩‍👧 🇳🇱",
            "rtl_mix": "\u2067ابن\u2069 1234 AB",
            "debt_total": 5000,
            "ratio": 0.25,
            "urgent": True,
            "nothing": None,
        },
        wait="amount#3",
        tries=2,
    )
    async with database.transaction() as s:
        resident = await resident_db.get_or_create_resident(s, "telegram", "1", now=NOW)
        assert await state_db.load_state(s, resident.id) is None
        await state_db.save_state(s, resident.id, _state(), now=NOW)
        assert await state_db.load_state(s, resident.id) == _state()
        await state_db.save_state(s, resident.id, state, now=NOW + timedelta(seconds=1))
        assert await state_db.load_state(s, resident.id) == state
    async with database.transaction() as s:
        loaded = await state_db.load_state(s, resident.id)
        conversation = await s.get(Conversation, resident.id)
    assert loaded == state
    assert conversation.updated_at == NOW + timedelta(seconds=1)


async def test_state_loses_nul_and_lone_surrogates_only(database: Database) -> None:
    # PostgreSQL text cannot hold NUL; both backends drop it so they behave the same.
    state = {"flow": "f", "vars": {"a\x00": "x\x00y", "b": "z\ud800", "c": ["\x00ok"]}}
    async with database.transaction() as s:
        resident = await resident_db.get_or_create_resident(s, "web", "1", now=NOW)
        await state_db.save_state(s, resident.id, state, now=NOW)
    async with database.transaction() as s:
        loaded = await state_db.load_state(s, resident.id)
    assert loaded == {"flow": "f", "vars": {"a": "xy", "b": "z\ufffd", "c": ["ok"]}}


async def test_state_of_unknown_resident_is_refused(database: Database) -> None:
    with pytest.raises(IntegrityError):
        async with database.transaction() as s:
            await state_db.save_state(s, 12345, _state(), now=NOW)


async def test_timestamps_read_back_aware_utc(database: Database) -> None:
    amsterdam_summer = timezone(timedelta(hours=2))
    local = datetime(2025, 7, 1, 14, 30, 15, 123456, tzinfo=amsterdam_summer)
    async with database.transaction() as s:
        resident = await resident_db.get_or_create_resident(s, "telegram", "1", now=local)
        await state_db.save_state(s, resident.id, {}, now=local)
        entry = await transcript_db.add_transcript(s, resident.id, "in", "hoi", now=local)
        message = await outbox_db.enqueue(s, resident.id, "hallo", now=local)
        await outbox_db.mark_retry(s, message.id, now=local, not_before=local, error="timeout")
        await outbox_db.mark_sent(s, message.id, now=local)
    async with database.transaction() as s:
        stored_resident = await s.get(Resident, resident.id)
        stored_message = await s.get(OutboxMessage, message.id)
        values = [
            stored_resident.created_at,
            stored_resident.last_seen_at,
            (await s.get(Conversation, resident.id)).updated_at,
            (await s.get(TranscriptEntry, entry.id)).created_at,
            stored_message.created_at,
            stored_message.not_before,
            stored_message.last_attempt_at,
            stored_message.sent_at,
        ]
    for value in values:
        assert value == local
        assert value.tzinfo is UTC
        assert value.hour == 12


async def test_deleting_a_resident_deletes_their_data(database: Database) -> None:
    async with database.transaction() as s:
        resident = await resident_db.get_or_create_resident(s, "telegram", "1", now=NOW)
        await state_db.save_state(s, resident.id, {}, now=NOW)
        entry = await transcript_db.add_transcript(s, resident.id, "in", "hoi", now=NOW)
        await outbox_db.enqueue(s, resident.id, "hallo", now=NOW, transcript_id=entry.id)
    async with database.transaction() as s:
        await s.delete(await s.get(Resident, resident.id))
    async with database.transaction() as s:
        for table in (Conversation, TranscriptEntry, OutboxMessage):
            assert (await s.exec(select(func.count()).select_from(table))).one() == 0
