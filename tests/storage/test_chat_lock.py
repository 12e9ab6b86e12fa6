"""Per-chat order across processes: a transaction that locks a chat waits for another one that
holds it, and only for that chat (PostgreSQL; SQLite has one writer for everything)."""

from __future__ import annotations

import asyncio

import pytest

from storage import residents as resident_db
from storage.db import Database

pytestmark = pytest.mark.postgres


@pytest.fixture
async def two_processes(postgres_url: str, postgres_schema: str):
    """Two engines on one PostgreSQL, as two processes would have."""
    first, second = (Database(postgres_url, schema=postgres_schema) for _ in range(2))
    try:
        yield first, second
    finally:
        await first.dispose()
        await second.dispose()


async def _hold(db: Database, chat: str, held: asyncio.Event, release: asyncio.Event) -> None:
    async with db.transaction() as s:
        await resident_db.lock_chat(s, "telegram", chat)
        held.set()
        await release.wait()


async def _lock(db: Database, chat: str, order: list[str]) -> None:
    async with db.transaction() as s:
        await resident_db.lock_chat(s, "telegram", chat)
        order.append(chat)


async def test_the_same_chat_waits_for_the_transaction_holding_it(two_processes) -> None:
    first, second = two_processes
    held, release, order = asyncio.Event(), asyncio.Event(), []
    holder = asyncio.create_task(_hold(first, "42", held, release))
    await held.wait()
    waiter = asyncio.create_task(_lock(second, "42", order))
    other = asyncio.create_task(_lock(second, "43", order))
    await asyncio.wait_for(other, 5)  # another chat goes on at once
    await asyncio.sleep(0.3)
    assert order == ["43"] and not waiter.done()
    release.set()
    await asyncio.wait_for(asyncio.gather(holder, waiter), 5)
    assert order == ["43", "42"]


def test_the_key_is_the_same_in_every_process() -> None:
    # A fixed value: Python's own hash() of a str differs per process and would not lock.
    assert resident_db.chat_lock_key("telegram", "42") == resident_db.chat_lock_key(
        "telegram", "42"
    )
    assert resident_db.chat_lock_key("telegram", "42") != resident_db.chat_lock_key("web", "42")
    assert resident_db.chat_lock_key("telegram", "42") == -7029099809491884645
