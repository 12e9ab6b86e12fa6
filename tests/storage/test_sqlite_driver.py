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
