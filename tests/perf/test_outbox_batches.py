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
