"""The outbox, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from storage import outbox as outbox_db
from storage import residents as resident_db
from storage import transcripts as transcript_db
from storage.db import Database
from storage.outbox import OutboxMessage

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


async def _residents(database: Database, count: int) -> list[int]:
    async with database.transaction() as s:
        return [
            (await resident_db.get_or_create_resident(s, "telegram", str(i), now=NOW)).id
            for i in range(count)
        ]


async def _texts_due(database: Database, now: datetime, limit: int = 10) -> list[str]:
    async with database.transaction() as s:
        return [m.text for m in await outbox_db.next_pending(s, now=now, limit=limit)]


async def test_enqueue(database: Database) -> None:
    [resident_id] = await _residents(database, 1)
    buttons = [[{"id": "debt.arrears", "label": "عندي متأخرات"}], [{"id": "menu", "label": "↩"}]]
    async with database.transaction() as s:
        entry = await transcript_db.add_transcript(s, resident_id, "out", "Wat speelt er?", now=NOW)
        message = await outbox_db.enqueue(
            s, resident_id, "Wat speelt er?", now=NOW, buttons=buttons, transcript_id=entry.id
        )
    async with database.transaction() as s:
        stored = await s.get(OutboxMessage, message.id)
    assert stored.model_dump() == {
        "id": message.id,
        "resident_id": resident_id,
        "transcript_id": entry.id,
        "priority": 10,
        "text": "Wat speelt er?",
        "buttons": buttons,
        "status": "pending",
        "attempts": 0,
        "not_before": None,
        "created_at": NOW,
        "last_attempt_at": None,
        "sent_at": None,
        "last_error": None,
        "channel_message_id": None,  # a channel's own id once sent (storage/deliveries.py)
        "delivery": None,
    }


async def test_crisis_first_then_by_id(database: Database) -> None:
    a, b, c = await _residents(database, 3)
    async with database.transaction() as s:
        await outbox_db.enqueue(s, a, "a normal 1", now=NOW)
        await outbox_db.enqueue(s, b, "b normal", now=NOW)
        await outbox_db.enqueue(s, c, "c crisis", now=NOW, priority=0)
        await outbox_db.enqueue(s, a, "a normal 2", now=NOW)
        await outbox_db.enqueue(s, b, "b high", now=NOW, priority=5)
        await outbox_db.enqueue(s, a, "a crisis", now=NOW, priority=0)
    assert await _texts_due(database, NOW) == [
        "c crisis",
        "a crisis",
        "b high",
        "a normal 1",
        "b normal",
        "a normal 2",
    ]
    assert await _texts_due(database, NOW, limit=2) == ["c crisis", "a crisis"]


async def test_mark_sent(database: Database) -> None:
    [resident_id] = await _residents(database, 1)
    async with database.transaction() as s:
        first = await outbox_db.enqueue(s, resident_id, "one", now=NOW)
        await outbox_db.enqueue(s, resident_id, "two", now=NOW)
    later = NOW + timedelta(seconds=2)
    async with database.transaction() as s:
        [due, _] = await outbox_db.next_pending(s, now=later)
        await outbox_db.mark_sent(s, due.id, now=later)
        assert (due.status, due.attempts, due.sent_at) == ("sent", 1, later)
    assert await _texts_due(database, later) == ["two"]
    async with database.transaction() as s:
        stored = await s.get(OutboxMessage, first.id)
        assert (stored.status, stored.attempts, stored.sent_at) == ("sent", 1, later)
        with pytest.raises(resident_db.NotFound):
            await outbox_db.mark_sent(s, first.id, now=later)


async def test_retry_waits_for_not_before(database: Database) -> None:
    [resident_id] = await _residents(database, 1)
    retry_at = NOW + timedelta(seconds=30)
    async with database.transaction() as s:
        message = await outbox_db.enqueue(s, resident_id, "hallo", now=NOW)
        await outbox_db.mark_retry(
            s, message.id, now=NOW, not_before=retry_at, error="429: retry 30"
        )
    assert await _texts_due(database, NOW) == []
    assert await _texts_due(database, retry_at - timedelta(microseconds=1)) == []
    assert await _texts_due(database, retry_at) == ["hallo"]
    async with database.transaction() as s:
        await outbox_db.mark_retry(
            s, message.id, now=retry_at, not_before=retry_at + timedelta(minutes=1), error="timeout"
        )
        stored = await s.get(OutboxMessage, message.id)
    assert (stored.status, stored.attempts, stored.last_error) == ("pending", 2, "timeout")
    assert (stored.last_attempt_at, stored.sent_at) == (retry_at, None)


async def test_a_waiting_message_holds_back_later_ones_of_the_same_chat(
    database: Database,
) -> None:
    a, b = await _residents(database, 2)
    retry_at = NOW + timedelta(minutes=1)
    async with database.transaction() as s:
        first = await outbox_db.enqueue(s, a, "a1", now=NOW)
        await outbox_db.enqueue(s, a, "a2", now=NOW)
        await outbox_db.enqueue(s, b, "b1", now=NOW)
        await outbox_db.mark_retry(s, first.id, now=NOW, not_before=retry_at, error="timeout")
        await outbox_db.enqueue(s, a, "a crisis", now=NOW, priority=0)
    assert await _texts_due(database, NOW) == ["a crisis", "b1"]
    assert await _texts_due(database, retry_at) == ["a crisis", "a1", "a2", "b1"]


async def test_mark_failed(database: Database) -> None:
    [resident_id] = await _residents(database, 1)
    async with database.transaction() as s:
        message = await outbox_db.enqueue(s, resident_id, "hallo", now=NOW)
        await outbox_db.mark_failed(s, message.id, now=NOW, error="403: bot was blocked\x00")
    assert await _texts_due(database, NOW) == []
    async with database.transaction() as s:
        stored = await s.get(OutboxMessage, message.id)
        assert (stored.status, stored.attempts) == ("failed", 1)
        assert (stored.last_error, stored.sent_at) == ("403: bot was blocked", None)
        with pytest.raises(resident_db.NotFound):
            await outbox_db.mark_retry(s, message.id, now=NOW, not_before=NOW, error="again")


async def test_marking_an_unknown_message(database: Database) -> None:
    async with database.transaction() as s:
        with pytest.raises(resident_db.NotFound):
            await outbox_db.mark_failed(s, 12345, now=NOW, error="x")


@pytest.mark.postgres
@pytest.mark.parametrize("database", ["postgres"], indirect=True)
async def test_concurrent_senders_skip_locked_rows(database: Database) -> None:
    residents = await _residents(database, 4)
    async with database.transaction() as s:
        for i, resident_id in enumerate(residents):
            await outbox_db.enqueue(s, resident_id, f"m{i}", now=NOW)
    async with database.transaction() as first, database.transaction() as second:
        taken = [m.text for m in await outbox_db.next_pending(first, now=NOW, limit=2)]
        rest = [m.text for m in await asyncio.wait_for(outbox_db.next_pending(second, now=NOW), 5)]
    assert (taken, rest) == (["m0", "m1"], ["m2", "m3"])
    assert await _texts_due(database, NOW) == ["m0", "m1", "m2", "m3"]


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
async def test_sqlite_senders_take_turns(database: Database) -> None:
    # No row locks on SQLite: the second sender waits for the first transaction to end.
    [resident_id] = await _residents(database, 1)
    async with database.transaction() as s:
        await outbox_db.enqueue(s, resident_id, "m0", now=NOW)

    async def send_all() -> list[str]:
        async with database.transaction() as s:
            due = await outbox_db.next_pending(s, now=NOW)
            for message in due:
                await outbox_db.mark_sent(s, message.id, now=NOW)
            return [m.text for m in due]

    async with database.transaction() as s:
        [message] = await outbox_db.next_pending(s, now=NOW)
        other = asyncio.create_task(send_all())
        await asyncio.sleep(0.2)
        assert not other.done()
        await outbox_db.mark_sent(s, message.id, now=NOW)
    assert await other == []
