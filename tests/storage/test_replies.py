"""A turn's replies are written in one batch: every outbox row keeps its own transcript entry,
in the order the replies were made."""

from __future__ import annotations

from datetime import UTC, datetime

from storage import outbox as outbox_db
from storage import residents as resident_db
from storage import transcripts as transcript_db
from storage.db import Database

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


async def test_add_replies_keeps_each_row_with_its_transcript_entry(database: Database) -> None:
    replies = [
        ("crisis", None, 0),
        ("menu", [["Toeslagen", "a:1"], ["Met een mens praten", "/mens"]], 10),
        ("ሰላም مرحبا", None, 10),
    ]
    async with database.transaction() as s:
        rid = (await resident_db.get_or_create_resident(s, "telegram", "1", now=NOW)).id
        messages = await outbox_db.add_replies(s, rid, replies, now=NOW)
    async with database.transaction() as s:
        entries = {e.id: e for e in await transcript_db.transcript(s, rid)}
        due = await outbox_db.next_pending(s, now=NOW, limit=10)
    assert [m.text for m in messages] == ["crisis", "menu", "ሰላም مرحبا"]
    for message, (text, buttons, priority) in zip(messages, replies, strict=True):
        entry = entries[message.transcript_id]
        assert (entry.direction, entry.text, message.priority) == ("out", text, priority)
        assert (entry.data or {}).get("buttons") == buttons and message.buttons == buttons
    assert [m.text for m in due] == ["crisis", "menu", "ሰላም مرحبا"]  # crisis first, then in order


async def test_no_replies_writes_nothing(database: Database) -> None:
    async with database.transaction() as s:
        rid = (await resident_db.get_or_create_resident(s, "telegram", "2", now=NOW)).id
        assert await outbox_db.add_replies(s, rid, [], now=NOW) == []
        assert await transcript_db.transcript(s, rid) == []
