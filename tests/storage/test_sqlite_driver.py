"""storage/sqlite_driver.py: aiosqlite with one trip to its thread per statement, on real SQLite
files, directly and through SQLAlchemy."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiosqlite
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from storage import sqlite_driver
from storage.db import Database


class Trips:
    """Counts the calls a connection sends to its thread (each is a wake-up of the loop)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        real = aiosqlite.Connection._execute

        async def counted(connection, fn, *args, **kwargs):
            self.count += 1
            return await real(connection, fn, *args, **kwargs)

        monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)


async def test_a_statement_is_one_trip_and_its_rows_wait_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    connection = await sqlite_driver.connect(str(tmp_path / "x.db"))
    try:
        cursor = await connection.cursor()
        await cursor.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, word TEXT)")
        await cursor.executemany("INSERT INTO t (word) VALUES (?)", [("a",), ("b",), ("c",)])
        assert cursor.rowcount == 3
        trips = Trips(monkeypatch)
        await cursor.execute("INSERT INTO t (word) VALUES (?)", ["d"])
        assert cursor.lastrowid == 4 and cursor.rowcount == 1 and cursor.description is None
        await cursor.execute("SELECT id, word FROM t ORDER BY id")
        assert trips.count == 2
        assert [d[0] for d in cursor.description] == ["id", "word"]
        assert await cursor.fetchone() == (1, "a")
        assert await cursor.fetchmany(2) == [(2, "b"), (3, "c")]
        cursor.arraysize = 5
        assert await cursor.fetchmany() == [(4, "d")]
        assert await cursor.fetchone() is None and await cursor.fetchall() == []
        await cursor.close()
        assert trips.count == 2  # reading and closing cost no trip
    finally:
        await connection.close()


async def test_a_failing_statement_raises_sqlites_error_and_the_connection_goes_on(
    tmp_path: Path,
) -> None:
    connection = await sqlite_driver.connect(str(tmp_path / "x.db"))
    try:
        cursor = await connection.cursor()
        assert cursor.rowcount == -1 and cursor.lastrowid is None and cursor.description is None
        await cursor.execute("CREATE TABLE t (word TEXT UNIQUE)")
        await cursor.execute("INSERT INTO t VALUES ('a')")
        with pytest.raises(aiosqlite.IntegrityError):
            await cursor.execute("INSERT INTO t VALUES ('a')")
        with pytest.raises(aiosqlite.OperationalError):
            await cursor.execute("SELEC nonsense")
        await cursor.execute("SELECT count(*) FROM t")
        assert await cursor.fetchall() == [(1,)]
    finally:
        await connection.close()


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    """A SQLite file with all tables (the suite's `database` runs on PostgreSQL too)."""
    database = Database(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        await database.create_all()
        yield database
    finally:
        await database.dispose()


async def test_the_database_uses_it_with_one_trip_per_statement(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with database.engine.connect() as connection:
        raw = await connection.get_raw_connection()
        assert isinstance(raw.driver_connection, sqlite_driver.Connection)
    async with database.transaction() as s:
        await s.exec(text("CREATE TABLE t (id INTEGER PRIMARY KEY, word TEXT)"))
    trips = Trips(monkeypatch)
    async with database.transaction() as s:  # BEGIN, 2 statements, COMMIT
        inserted = await s.exec(
            text("INSERT INTO t (word) VALUES ('a'), ('b'), ('c') RETURNING id")
        )
        assert [row[0] for row in inserted] == [1, 2, 3]
        rows = await s.exec(text("SELECT word FROM t ORDER BY id"))
        assert [row[0] for row in rows] == ["a", "b", "c"]
    assert trips.count <= 5  # aiosqlite made it 4 a statement: 2 + 4 + 4 + commit
    async with database.engine.connect() as connection:  # a server-side cursor reads on
        streamed = await connection.stream(text("SELECT word FROM t ORDER BY id"))
        assert [row[0] async for row in streamed] == ["a", "b", "c"]


async def test_a_transaction_that_fails_leaves_nothing_behind(database: Database) -> None:
    async with database.transaction() as s:
        await s.exec(text("CREATE TABLE t (word TEXT UNIQUE)"))
    with pytest.raises(IntegrityError):
        async with database.transaction() as s:
            await s.exec(text("INSERT INTO t VALUES ('kept only if all goes well')"))
            await s.exec(text("INSERT INTO t VALUES ('a'), ('a')"))
    async with database.transaction() as s:
        assert (await s.exec(text("SELECT count(*) FROM t"))).one()[0] == 0


async def test_a_short_transaction_takes_one_trip_its_begin_and_the_next_takes_them_again(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with database.transaction() as s:
        await s.exec(text("CREATE TABLE t (id INTEGER PRIMARY KEY, word TEXT)"))
    trips = Trips(monkeypatch)
    async with database.transaction(short=True) as s:  # BEGIN on the thread; the rest here
        inserted = await s.exec(text("INSERT INTO t (word) VALUES ('a'), ('b') RETURNING id"))
        assert [row[0] for row in inserted] == [1, 2]
        rows = await s.exec(text("SELECT word FROM t ORDER BY id"))
        assert [row[0] for row in rows] == ["a", "b"]
    assert trips.count == 1
    async with database.transaction() as s:  # the connection is back to trips
        assert (await s.exec(text("SELECT count(*) FROM t"))).one()[0] == 2
    assert trips.count >= 3  # BEGIN, the statement, COMMIT


async def test_a_short_transaction_that_fails_leaves_nothing_and_the_connection_goes_on(
    database: Database,
) -> None:
    async with database.transaction() as s:
        await s.exec(text("CREATE TABLE t (word TEXT UNIQUE)"))
    with pytest.raises(IntegrityError):
        async with database.transaction(short=True) as s:
            await s.exec(text("INSERT INTO t VALUES ('kept only if all goes well')"))
            await s.exec(text("INSERT INTO t VALUES ('a'), ('a')"))
    with pytest.raises(RuntimeError):
        async with database.transaction(short=True) as s:
            await s.exec(text("INSERT INTO t VALUES ('b')"))
            raise RuntimeError("the caller's own trouble")
    for short in (True, False):
        async with database.transaction(short=short) as s:
            assert (await s.exec(text("SELECT count(*) FROM t"))).one()[0] == 0
    async with database.transaction(short=True) as s:
        await s.exec(text("INSERT INTO t VALUES ('c')"))
    async with database.transaction() as s:  # committed, and seen from a normal transaction
        assert (await s.exec(text("SELECT word FROM t"))).all() == [("c",)]


async def test_a_short_transaction_waits_on_the_thread_while_another_process_writes(
    database: Database, tmp_path: Path
) -> None:
    import asyncio
    import sqlite3

    other = sqlite3.connect(tmp_path / "x.db", isolation_level=None)  # as another process
    other.execute("BEGIN IMMEDIATE")
    ticks = 0

    async def loop_runs() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    ticker = asyncio.create_task(loop_runs())
    try:
        waiting = asyncio.create_task(_count_teams(database))
        await asyncio.sleep(0.3)
        assert not waiting.done()
        before = ticks
        await asyncio.sleep(0.2)
        assert ticks > before + 5  # the loop is not held by the wait
        other.execute("COMMIT")
        assert await asyncio.wait_for(waiting, 5) == 0
    finally:
        ticker.cancel()
        other.close()


async def _count_teams(database: Database) -> int:
    async with database.transaction(short=True) as s:
        return (await s.exec(text("SELECT count(*) FROM team"))).one()[0]
