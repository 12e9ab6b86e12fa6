"""The outbox's bookkeeping in batches (issue 21): a turn's replies in two statements, the
channel's ids of many sent rows in one executemany; each row still gets its own values."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import event
from sqlmodel import col, select

from storage import deliveries
from storage import outbox as outbox_db
from storage import residents as resident_db
from storage.db import Database
from storage.outbox import OutboxMessage

NOW = datetime(2026, 12, 6, 20, 0, tzinfo=UTC)


def _counting(db: Database) -> list[str]:
    statements: list[str] = []
    event.listen(
        db.engine.sync_engine,
        "before_cursor_execute",
        lambda _c, _cur, sql, *_: statements.append(sql),
    )
    return statements


async def test_many_sent_rows_get_their_own_channel_ids_in_one_statement(
    database: Database,
) -> None:
    async with database.transaction() as s:
        rid = (await resident_db.get_or_create_resident(s, "whatsapp", "31600", now=NOW)).id
        rows = await outbox_db.add_replies(s, rid, [(f"r{n}", None, 10) for n in range(5)], now=NOW)
    ids = [r.id for r in rows]
    statements = _counting(database)
    async with database.transaction() as s:
        await outbox_db.mark_sent_many(s, ids, now=NOW)
        await deliveries.record_ids(s, [(i, f"wamid.{i}") for i in ids])
    updates = [sql for sql in statements if sql.lstrip().upper().startswith("UPDATE")]
    assert len(updates) == 2  # mark sent, and the ids: not one per row
    async with database.transaction() as s:
        query = select(OutboxMessage).where(col(OutboxMessage.id).in_(ids))
        stored = {r.id: r for r in (await s.exec(query)).all()}
    assert [(stored[i].channel_message_id, stored[i].delivery) for i in ids] == [
        (f"wamid.{i}", "sent") for i in ids
    ]
    assert all(stored[i].status == "sent" for i in ids)
    assert all((stored[i].sent_at, stored[i].last_attempt_at) == (NOW, NOW) for i in ids)
    assert all(stored[i].attempts == 1 for i in ids)


async def test_the_dispatchers_statements_are_built_once_and_take_each_calls_values(
    database: Database,
) -> None:
    later = NOW.replace(hour=21)
    async with database.transaction() as s:
        rid = (await resident_db.get_or_create_resident(s, "telegram", "8", now=NOW)).id
        other = (await resident_db.get_or_create_resident(s, "whatsapp", "31611", now=NOW)).id
        rows = await outbox_db.add_replies(s, rid, [(f"r{n}", None, 10) for n in range(4)], now=NOW)
        await outbox_db.add_replies(s, other, [("w", None, 10)], now=NOW)
    ids = [r.id for r in rows]
    async with database.transaction() as s:
        due = await outbox_db.next_pending(s, now=NOW, limit=3, channel="telegram")
        assert [r.id for r in due] == ids[:3]
        await outbox_db.lease(s, ids[:3], until=later)
        # leased: not due before `later`, and they hold back the fourth row of the chat
        assert await outbox_db.next_pending(s, now=NOW, channel="telegram") == []
        assert [r.text for r in await outbox_db.next_pending(s, now=NOW, channel="whatsapp")] == [
            "w"
        ]
        await outbox_db.mark_sent_many(s, ids[:2], now=later)
        await outbox_db.lease(s, ids[2:3], until=None)
        due = await outbox_db.next_pending(s, now=NOW, limit=10, resident_id=rid)
        assert [r.id for r in due] == ids[2:]
    async with database.transaction() as s:
        query = select(OutboxMessage).where(col(OutboxMessage.id).in_(ids))
        stored = {r.id: r for r in (await s.exec(query)).all()}
    assert [stored[i].sent_at for i in ids] == [later, later, None, None]
    assert [stored[i].not_before for i in ids] == [later, later, None, None]
    assert outbox_db._due_query.cache_info().currsize >= 2  # built once per shape


async def test_a_turns_replies_are_two_inserts_whatever_their_number(database: Database) -> None:
    async with database.transaction() as s:
        rid = (await resident_db.get_or_create_resident(s, "telegram", "7", now=NOW)).id
    statements = _counting(database)
    async with database.transaction() as s:
        rows = await outbox_db.add_replies(s, rid, [(f"r{n}", None, 10) for n in range(3)], now=NOW)
    inserts = [sql for sql in statements if sql.lstrip().upper().startswith("INSERT")]
    assert len(inserts) == 2
    assert [r.text for r in rows] == ["r0", "r1", "r2"]
    assert len({r.transcript_id for r in rows}) == 3
