"""`can_write` (for /healthz) on both databases: a write transaction that changes nothing."""

from __future__ import annotations

from sqlalchemy import text

from storage.health import can_write


async def test_a_healthy_database_can_take_a_write(database):
    await can_write(database)
    await can_write(database)  # and again: it changed nothing
    if database.dialect == "sqlite":
        async with database.transaction() as s:
            assert (await s.exec(text("PRAGMA user_version"))).one()[0] == 0
