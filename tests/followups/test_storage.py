"""storage/followups.py and the reopening in storage/cases.py on SQLite and PostgreSQL: due
rows are taken once even by transactions racing each other, and a case closed lately goes back
to its worker only when they are on duty."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from storage import cases, followups
from storage.db import Database
from storage.residents import get_or_create_resident
from storage.users import User

NOW = datetime(2026, 12, 7, 10, tzinfo=UTC)


async def _resident(db: Database, chat: str) -> int:
    async with db.transaction() as s:
        resident = await get_or_create_resident(s, "telegram", chat, now=NOW)
        return resident.id


async def test_due_rows_are_taken_once_by_racing_transactions(database: Database, request):
    rid = await _resident(database, "1")
    async with database.transaction() as s:
        for i in range(30):
            await followups.schedule(
                s, rid, due_at=NOW - timedelta(minutes=i), text="Gelukt?", source="worker", now=NOW
            )
        await followups.schedule(
            s, rid, due_at=NOW + timedelta(days=1), text="Later", source="worker", now=NOW
        )
    # A second connection pool, as another process has (the same schema on PostgreSQL).
    other = database
    if database.dialect == "postgresql":
        other = Database(database.url, schema=request.getfixturevalue("postgres_schema"))

    async def take(db: Database) -> list[int]:
        taken: list[int] = []
        for _ in range(10):
            async with db.transaction() as s:
                rows = await followups.take_due(s, now=NOW, limit=4)
                await asyncio.sleep(0.01)  # hold the rows a moment, as writing outbox rows does
                taken += [r.id for r in rows]
        return taken

    try:
        first, second = await asyncio.gather(take(database), take(other))
    finally:
        if other is not database:
            await other.dispose()
    assert len(first) + len(second) == 30
    assert len(set(first) | set(second)) == 30


async def test_answers_and_stop(database: Database):
    rid = await _resident(database, "2")
    async with database.transaction() as s:
        row = await followups.schedule(s, rid, due_at=NOW, text="Gelukt?", source="worker", now=NOW)
        assert await followups.answer(s, row.id, rid, "helped", now=NOW) is None  # not sent yet
        await followups.take_due(s, now=NOW)
        with pytest.raises(ValueError):
            await followups.answer(s, row.id, rid, "misschien", now=NOW)
        done = await followups.answer(s, row.id, rid, "a_bit", now=NOW)
        assert done is not None and (done.status, done.answer) == ("answered", "a_bit")
        await followups.schedule(s, rid, due_at=NOW, text="Nog een", source="worker", now=NOW)
        assert await followups.cancel_all(s, rid) == 1  # the answered one stays answered
        assert await followups.waiting_of(s, rid) == []


async def _closed_case(
    database: Database, rid: int, closed_at: datetime, name: str
) -> tuple[int, int]:
    async with database.transaction() as s:
        worker = User(name=name, role="worker", password_hash="x", created_at=NOW)
        s.add(worker)
        await s.flush()
        case = await cases.open_case(s, rid, reason="asked_for_person", priority="normal", now=NOW)
        case.status, case.worker_id, case.closed_at, case.outcome = (
            "closed",
            worker.id,
            closed_at,
            "helped",
        )
        s.add(case)
        return case.id, worker.id


async def test_a_case_closed_lately_goes_to_its_worker_on_duty_else_a_linked_case(
    database: Database,
):
    off_duty, on_duty = await _resident(database, "3"), await _resident(database, "4")
    first, worker_id = await _closed_case(database, off_duty, NOW - timedelta(days=3), "fatima")
    second, other_id = await _closed_case(database, on_duty, NOW - timedelta(days=13), "sem")
    async with database.transaction() as s:
        new = await cases.open_case(
            s, off_duty, reason="asked_for_person", priority="high", now=NOW, on_duty=False
        )
        assert (new.previous_case_id, new.status, new.worker_id) == (first, "waiting", None)
        assert new.id != first
        back = await cases.open_case(
            s, on_duty, reason="no_bed", priority="urgent", now=NOW, on_duty=True
        )
        assert (back.id, back.status, back.worker_id) == (second, "claimed", other_id)
        assert (back.priority, back.reason, back.reopened_at, back.closed_at) == (
            "urgent",
            "no_bed",
            NOW,
            None,
        )
    assert worker_id != other_id
