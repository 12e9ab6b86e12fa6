"""storage/sqlite_inline.py: short transactions on a plain sqlite3 connection, on real SQLite
files, through `Database.transaction(short=True)` as the conversation path and the outbox use
it."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError

from storage import residents as resident_db
from storage.db import Database
from storage.residents import Resident
from storage.sqlite_inline import InlineSession
from storage.teams import Team
from tests.support.ticking import Ticker

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    """A SQLite file with all tables (the suite's `database` runs on PostgreSQL too)."""
    database = Database(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        await database.create_all()
        async with database.transaction() as s:
            await s.exec(text("CREATE TABLE t (id INTEGER PRIMARY KEY, word TEXT UNIQUE)"))
        yield database
    finally:
        await database.dispose()


async def test_a_short_transaction_sends_nothing_to_aiosqlites_thread(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    trips = 0
    real = aiosqlite.Connection._execute

    async def counted(connection, fn, *args, **kwargs):
        nonlocal trips
        trips += 1
        return await real(connection, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    async with database.transaction(short=True) as s:
        assert isinstance(s, InlineSession)
        inserted = await s.exec(text("INSERT INTO t (word) VALUES ('a'), ('b') RETURNING id"))
        rows = await s.exec(text("SELECT word FROM t ORDER BY id"))
        # Read after the next statement: the rows were read at once, as AsyncSession reads.
        assert [row[0] for row in inserted] == [1, 2]
        assert [row[0] for row in rows] == ["a", "b"]
    assert trips == 0
    async with database.transaction() as s:  # committed, and seen by the async engine
        assert (await s.exec(text("SELECT count(*) FROM t"))).one()[0] == 2
    assert trips >= 3  # BEGIN, the statement, COMMIT


async def test_a_short_transaction_that_fails_leaves_nothing_and_the_next_goes_on(
    database: Database,
) -> None:
    with pytest.raises(IntegrityError):
        async with database.transaction(short=True) as s:
            await s.exec(text("INSERT INTO t (word) VALUES ('kept only if all goes well')"))
            await s.exec(text("INSERT INTO t (word) VALUES ('a'), ('a')"))
    with pytest.raises(RuntimeError):
        async with database.transaction(short=True) as s:
            await s.exec(text("INSERT INTO t (word) VALUES ('b')"))
            raise RuntimeError("the caller's own trouble")
    for short in (True, False):
        async with database.transaction(short=short) as s:
            assert (await s.exec(text("SELECT count(*) FROM t"))).one()[0] == 0
    async with database.transaction(short=True) as s:
        await s.exec(text("INSERT INTO t (word) VALUES ('c')"))
    async with database.transaction() as s:
        assert (await s.exec(text("SELECT word FROM t"))).all() == [("c",)]


async def test_orm_objects_savepoints_and_pending_changes_work_as_in_an_async_session(
    database: Database,
) -> None:
    async with database.transaction(short=True) as s:
        resident = await resident_db.get_or_create_resident(s, "telegram", "42", now=NOW)
        assert resident.id is not None
        resident.language = "ar"  # pending at the end of the block: flushed before the commit
        with pytest.raises(IntegrityError):
            async with s.begin_nested():  # a savepoint: its failure takes only itself back
                s.add(Team(name="Noord", postcodes=""))
                s.add(Team(name="Noord", postcodes=""))
                await s.flush()
        assert s.bind.dialect.name == "sqlite"
    async with database.transaction() as s:
        stored = await s.get(Resident, resident.id)
        assert stored is not None and stored.language == "ar"
        assert (await s.exec(text("SELECT count(*) FROM team"))).one()[0] == 0


async def test_begin_waits_on_a_thread_while_another_process_writes(
    database: Database, tmp_path: Path
) -> None:
    with _another_writer(tmp_path / "x.db") as other:
        async with Ticker(0.01) as ticker:
            waiting = asyncio.create_task(_count_words(database))
            await asyncio.sleep(0.3)
            assert not waiting.done()
            await ticker.keeps_ticking(0.2)  # the loop is not held by the wait
            other.execute("INSERT INTO t (word) VALUES ('written meanwhile')")
            other.execute("COMMIT")
            assert await asyncio.wait_for(waiting, 5) == 1
    assert database._inline is not None and database._inline.waited == 1
    assert await _count_words(database) == 1  # and the next one begins at once again
    assert database._inline.waited == 1


async def test_a_database_in_memory_runs_short_transactions_on_the_async_engine() -> None:
    database = Database("sqlite://")  # each connection would be a database of its own
    try:
        await database.create_all()
        async with database.transaction(short=True) as s:
            assert not isinstance(s, InlineSession)
            assert (await s.exec(text("SELECT count(*) FROM team"))).one()[0] == 0
    finally:
        await database.dispose()


@contextlib.contextmanager
def _another_writer(path: Path) -> Iterator[sqlite3.Connection]:
    """A connection of its own to the file, as another process, holding the write lock."""
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield other
    finally:
        other.close()


async def _count_words(database: Database) -> int:
    async with database.transaction(short=True) as s:
        return (await s.exec(text("SELECT count(*) FROM t"))).one()[0]


async def test_the_connection_goes_when_the_engines_connections_go(
    database: Database, tmp_path: Path
) -> None:
    assert await _count_words(database) == 0
    await database.engine.dispose()  # as after a fault: every connection is opened anew
    (tmp_path / "x.db").rename(tmp_path / "elsewhere.db")
    (tmp_path / "x.db").mkdir()  # where the file was, nothing SQLite can open
    with pytest.raises(OperationalError):
        await _count_words(database)  # not written to the moved file behind a kept connection


async def test_a_wait_given_up_leaves_no_lock_and_the_next_transaction_goes_on(
    database: Database, tmp_path: Path
) -> None:
    with _another_writer(tmp_path / "x.db") as other:
        with pytest.raises(TimeoutError):  # as a crisis message gives up on storage
            await asyncio.wait_for(_count_words(database), 0.3)
        other.execute("COMMIT")  # the thread's BEGIN now gets the lock ...
        for _ in range(100):  # ... and gives it back: another writer can begin
            try:
                other.execute("BEGIN IMMEDIATE")
                break
            except sqlite3.OperationalError:
                await asyncio.sleep(0.02)
        else:
            pytest.fail("the given-up transaction still holds the write lock")
        other.execute("INSERT INTO t (word) VALUES ('after')")
        other.execute("COMMIT")
    assert await _count_words(database) == 1  # on a new connection of its own
