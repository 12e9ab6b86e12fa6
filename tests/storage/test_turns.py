"""On SQLite, transactions of one process take turns in arrival order, instead of meeting in
SQLite's busy handler, where a waiting writer may lose again and again."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from storage import residents as resident_db
from storage.db import Database

NOW = datetime(2026, 11, 21, 12, tzinfo=UTC)


async def test_sqlite_transactions_run_in_arrival_order(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'turns.db'}")
    await db.create_all()
    order: list[int] = []
    holding = asyncio.Event()

    async def first() -> None:
        async with db.transaction() as s:
            await resident_db.get_or_create_resident(s, "web", "first", now=NOW)
            holding.set()
            await asyncio.sleep(0.3)  # a slow transaction: the others queue behind it
            order.append(0)

    async def later(n: int) -> None:
        async with db.transaction() as s:
            await resident_db.get_or_create_resident(s, "web", str(n), now=NOW)
            order.append(n)

    try:
        task = asyncio.create_task(first())
        await holding.wait()
        others = []
        for n in range(1, 9):
            others.append(asyncio.create_task(later(n)))
            await asyncio.sleep(0.01)  # arrive one after another
        await asyncio.gather(task, *others)
        assert order == list(range(9))
    finally:
        await db.dispose()
