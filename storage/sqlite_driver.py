"""aiosqlite with one trip to its thread per statement.

aiosqlite runs each call on the connection's own thread and hands the answer back to the event
loop: a statement through SQLAlchemy is four such trips (make a cursor, execute, fetch the rows,
close the cursor), each a wake-up of the loop. Here a statement is one trip: the cursor is made,
executed, read to the end and closed on the connection's thread, and the rows wait in memory
for SQLAlchemy to take (it takes them all at once anyway, except for a server-side cursor,
which Buurtbot does not use). Everything sqlite3 does still happens on that one thread, in the
same order; only the trips back and forth are fewer (docs/benchmarks.md, issue 21). Short
transactions skip this driver altogether (storage/sqlite_inline.py).

`install(engine)` makes an engine's new connections of this kind.
"""

from __future__ import annotations

import sqlite3
from collections import deque
from collections.abc import Iterable
from typing import Any

import aiosqlite
from aiosqlite.context import contextmanager
from sqlalchemy import event
from sqlalchemy.engine import Engine


class Cursor(aiosqlite.Cursor):
    """An aiosqlite cursor whose statement is done in one trip; its rows are kept here."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        super().__init__(conn, None)  # type: ignore[arg-type]  # a sqlite3 cursor per statement
        self._rows: deque[Any] = deque()
        self._size = 1

    async def execute(self, sql: str, parameters: Iterable[Any] | None = None) -> Cursor:
        return await self._trip("execute", sql, [] if parameters is None else parameters)

    async def executemany(self, sql: str, parameters: Iterable[Iterable[Any]]) -> Cursor:
        return await self._trip("executemany", sql, parameters)

    async def executescript(self, sql_script: str) -> Cursor:
        return await self._trip("executescript", sql_script)

    async def _trip(self, method: str, *args: Any) -> Cursor:
        connection = self._conn  # the aiosqlite connection; `_conn` of it is sqlite3's

        def statement() -> tuple[sqlite3.Cursor, list[Any]]:
            cursor = connection._conn.cursor()
            try:
                getattr(cursor, method)(*args)
                # RETURNING rows and SELECTs are read now: a statement is done when read out.
                return cursor, cursor.fetchall() if cursor.description is not None else []
            finally:
                cursor.close()  # description, rowcount and lastrowid stay readable

        self._cursor, rows = await self._execute(statement)
        self._rows = deque(rows)
        return self

    async def fetchone(self) -> Any:
        return self._rows.popleft() if self._rows else None

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        count = min(len(self._rows), self._size if size is None else size)
        return [self._rows.popleft() for _ in range(count)]

    async def fetchall(self) -> list[Any]:
        rows = list(self._rows)
        self._rows.clear()
        return rows

    async def close(self) -> None:
        self._rows.clear()  # the sqlite3 cursor was closed on its thread already

    @property
    def rowcount(self) -> int:
        return -1 if self._cursor is None else self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return None if self._cursor is None else self._cursor.lastrowid

    @property
    def description(self) -> Any:
        return None if self._cursor is None else self._cursor.description

    @property
    def arraysize(self) -> int:
        return self._size

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._size = value


class Connection(aiosqlite.Connection):
    """An aiosqlite connection whose cursors are `Cursor`s, made without a trip."""

    @contextmanager
    async def cursor(self) -> Cursor:  # type: ignore[override]
        return Cursor(self)


def connect(database: str, **kwargs: Any) -> Connection:
    """As `aiosqlite.connect`: awaiting the answer starts its thread and opens the file."""

    def connector() -> sqlite3.Connection:
        return sqlite3.connect(database, **kwargs)

    connection = Connection(connector, iter_chunk_size=64)
    connection._thread.daemon = True  # as SQLAlchemy does for aiosqlite's own connections
    return connection


def install(engine: Engine) -> None:
    """New connections of `engine` (the sync face of an aiosqlite engine) are `Connection`s."""

    @event.listens_for(engine, "do_connect")
    def _connect(dialect: Any, _record: Any, cargs: list[Any], cparams: dict[str, Any]) -> Any:
        return dialect.dbapi.connect(*cargs, async_creator_fn=connect, **cparams)
