"""The transcript, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from storage import residents as resident_db
from storage import transcripts as transcript_db
from storage.db import Database

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


async def _resident(database: Database, external_id: str = "1") -> int:
    async with database.transaction() as s:
        return (await resident_db.get_or_create_resident(s, "telegram", external_id, now=NOW)).id


async def test_entries_come_back_in_order(database: Database) -> None:
    resident_id = await _resident(database)
    other_id = await _resident(database, "2")
    lines = [
        ("in", "/start", None),
        ("out", "Wat speelt er?", {"buttons": [["debt.arrears", "Ik heb achterstanden"]]}),
        ("in", "Ik heb achterstanden", {"pressed": "debt.arrears"}),
        ("out", "أنت لست وحدك.", None),
        ("in", "ሕጂ እንታይ ክገብር ኣለኒ? 🙏", None),
    ]
    async with database.transaction() as s:
        for i, (direction, text, data) in enumerate(lines):
            # Same timestamps on purpose: order is insertion order, not the clock.
            now = NOW + timedelta(seconds=i // 2)
            await transcript_db.add_transcript(s, resident_id, direction, text, now=now, data=data)
            await transcript_db.add_transcript(s, other_id, "in", f"other {i}", now=now)
    async with database.transaction() as s:
        entries = await transcript_db.transcript(s, resident_id)
    assert [(e.direction, e.text, e.data) for e in entries] == lines
    assert all(e.resident_id == resident_id and e.case_id is None for e in entries)
    assert [e.created_at for e in entries] == [NOW + timedelta(seconds=i // 2) for i in range(5)]


async def test_limit_gives_the_latest_entries_oldest_first(database: Database) -> None:
    resident_id = await _resident(database)
    async with database.transaction() as s:
        for i in range(6):
            await transcript_db.add_transcript(s, resident_id, "in", f"m{i}", now=NOW)
    async with database.transaction() as s:
        assert [e.text for e in await transcript_db.transcript(s, resident_id, limit=3)] == [
            "m3",
            "m4",
            "m5",
        ]
        assert len(await transcript_db.transcript(s, resident_id, limit=100)) == 6
        assert await transcript_db.transcript(s, resident_id, limit=0) == []


async def test_unknown_resident_has_an_empty_transcript(database: Database) -> None:
    async with database.transaction() as s:
        assert await transcript_db.transcript(s, 12345) == []


async def test_direction_is_checked(database: Database) -> None:
    resident_id = await _resident(database)
    async with database.transaction() as s:
        with pytest.raises(ValueError, match="sideways"):
            await transcript_db.add_transcript(s, resident_id, "sideways", "x", now=NOW)


async def test_text_loses_nul_only(database: Database) -> None:
    resident_id = await _resident(database)
    async with database.transaction() as s:
        entry = await transcript_db.add_transcript(
            s, resident_id, "in", "hal\x00lo سلام", now=NOW, data={"k": "v\x00"}
        )
    async with database.transaction() as s:
        [stored] = await transcript_db.transcript(s, resident_id)
    assert stored.id == entry.id
    assert (stored.text, stored.data) == ("hallo سلام", {"k": "v"})
