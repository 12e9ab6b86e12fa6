"""The database: an async engine for `DATABASE_URL` and transactions on it.

SQLite (the default, one process) and PostgreSQL (several processes) behave alike for callers.
On SQLite every transaction starts with `BEGIN IMMEDIATE`: writers queue up on the busy timeout
instead of failing when a read transaction tries to become a write transaction, at the cost of
one writer at a time, which is what SQLite gives anyway.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

# Importing the table modules registers their tables on SQLModel.metadata.
from storage import (  # noqa: F401
    alerts,
    attachments,
    audit,
    cases,
    contacts,
    feedback,
    followups,
    handled,
    notes,
    outbox,
    residents,
    second_factor,
    signals,
    sqlite_driver,
    sqlite_inline,
    states,
    teams,
    transcripts,
    users,
)

SQLITE_BUSY_TIMEOUT_MS = 10_000
SQLITE_SYNCHRONOUS = "NORMAL"  # with WAL: see `_on_sqlite_connect`
CONNECT_TIMEOUT = 5  # seconds to reach PostgreSQL
POOL_TIMEOUT = 10  # seconds to wait for a free connection of the pool
T = TypeVar("T")
# Set in a session's `info` by whoever erased text in it: the transaction checkpoints after
# the commit (see `Database.checkpoint`).
ERASED = "buurtbot_erased"

_ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}


def _parse(url: str) -> URL:
    parsed = make_url(url)
    if parsed.drivername == "postgres":  # the scheme some hosting providers hand out
        parsed = parsed.set(drivername="postgresql")
    return parsed


def async_url(url: str) -> str:
    """`url` with the async driver Buurtbot uses, unless it names a driver already."""
    parsed = _parse(url)
    parsed = parsed.set(drivername=_ASYNC_DRIVERS.get(parsed.drivername, parsed.drivername))
    return parsed.render_as_string(hide_password=False)


def sync_url(url: str) -> str:
    """`url` with the backend's default (synchronous) driver, for tools that are not async."""
    parsed = _parse(url)
    return parsed.set(drivername=parsed.get_backend_name()).render_as_string(hide_password=False)


def _sqlite_file(url: URL) -> Path | None:
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    return Path(database)


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Take BEGIN away from the sqlite3 module (it would skip it for SELECT and SAVEPOINT);
    # `_on_sqlite_begin` emits it instead.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # Commit writes the log to the operating system without waiting for the disk; the disk
    # gets it at each checkpoint. A killed process loses nothing; a power cut can lose the
    # last transactions, never the file's consistency (docs/database.md, "Durability").
    cursor.execute(f"PRAGMA synchronous={SQLITE_SYNCHRONOUS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    # Deleted text is overwritten with zeros, not left in free pages (/vergeet, the purge).
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def _on_sqlite_begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _on_sqlite_invalidate(dbapi_connection: Any, _record: Any, _exception: Any) -> None:
    # A task cancelled in the middle of a statement (a page closed while its request ran, a
    # timeout, shut-down) gets its connection thrown away. Closing it does not end the
    # transaction while the interrupted statement is unfinished, so the file stayed locked for
    # every other connection until the garbage collector came by: roll back first.
    with contextlib.suppress(Exception):
        dbapi_connection.rollback()


class Database:
    """One engine per process. `schema` (PostgreSQL only) puts it on that `search_path`."""

    def __init__(self, url: str, *, schema: str | None = None) -> None:
        self.url = async_url(url)
        parsed = make_url(self.url)
        options: dict[str, Any] = {}
        if parsed.get_backend_name() == "sqlite":
            if schema is not None:
                raise ValueError("schema is for PostgreSQL only")
            path = _sqlite_file(parsed)
            if path is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
        elif parsed.get_backend_name() == "postgresql":
            options["pool_pre_ping"] = True
            options["pool_timeout"] = POOL_TIMEOUT
            # Fail fast when PostgreSQL cannot be reached, instead of asyncpg's 60 s.
            connect_args: dict[str, Any] = {"timeout": CONNECT_TIMEOUT}
            if schema is not None:
                connect_args["server_settings"] = {"search_path": schema}
            options["connect_args"] = connect_args
        self.engine: AsyncEngine = create_async_engine(self.url, **options)
        if self.dialect == "sqlite":
            sqlite_driver.install(self.engine.sync_engine)  # one trip per statement
            event.listen(self.engine.sync_engine, "connect", _on_sqlite_connect)
            event.listen(self.engine.sync_engine, "begin", _on_sqlite_begin)
            event.listen(self.engine.sync_engine, "invalidate", _on_sqlite_invalidate)
        self._sessions = async_sessionmaker(
            self.engine, class_=AsyncSession, expire_on_commit=False
        )
        # Short transactions on a file: a plain sqlite3 connection (storage/sqlite_inline.py).
        self._inline = (
            sqlite_inline.Inline(
                sync_url(self.url), _on_sqlite_connect, _on_sqlite_begin, SQLITE_BUSY_TIMEOUT_MS
            )
            if self.dialect == "sqlite" and _sqlite_file(parsed) is not None
            else None
        )
        if self._inline is not None:  # it goes with the engine's connections
            event.listen(self.engine.sync_engine, "engine_disposed", self._inline_disposed)
        # SQLite has one writer, and its busy handler lets waiting transactions retry after
        # sleeps of up to 100 ms, not first come, first served: under load a transaction could
        # lose again and again until the busy timeout. In this process they take turns here,
        # in arrival order, instead. (Never open a transaction inside another one.)
        self._turn: AbstractAsyncContextManager[Any] = (
            asyncio.Lock() if self.dialect == "sqlite" else contextlib.nullcontext()
        )

    @property
    def dialect(self) -> str:
        """`sqlite` or `postgresql`."""
        return self.engine.dialect.name

    async def create_all(self) -> None:
        """Create the tables that are missing, straight from the models: for tests, which need
        thousands of empty databases. Everything else runs the migrations (`storage.migrate`),
        and a test proves both give the same schema."""
        async with self.engine.begin() as connection:
            await connection.run_sync(SQLModel.metadata.create_all)

    @asynccontextmanager
    async def transaction(self, *, short: bool = False) -> AsyncIterator[AsyncSession]:
        """A session in one transaction: committed when the block ends, rolled back on error.

        `short`: a few small statements (a message on the conversation path, the outbox's
        bookkeeping). On a SQLite file they then run on a plain sqlite3 connection on the event
        loop's thread (storage/sqlite_inline.py); never for a statement that may read or change
        many rows."""
        async with self._turn:
            if short and self._inline is not None:
                async with self._inline.transaction(expire_on_commit=False) as session:
                    yield session
            else:
                async with self._sessions() as session, session.begin():
                    yield session
        if session.info.get(ERASED):
            await self.checkpoint()

    async def checkpoint(self) -> None:
        """SQLite: copy the write-ahead log into the file and empty it, so text just erased
        leaves no old copy there. Nothing to do on PostgreSQL (docs/privacy.md: VACUUM)."""
        if self.dialect != "sqlite":
            return
        async with self._turn, self.engine.connect() as connection:
            raw = await connection.get_raw_connection()
            await raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def _inline_disposed(self, _engine: Any) -> None:
        assert self._inline is not None
        self._inline.close()

    async def dispose(self) -> None:
        if self._inline is not None:
            self._inline.dispose()
        await self.engine.dispose()

    def __repr__(self) -> str:
        return f"Database({make_url(self.url).render_as_string(hide_password=True)!r})"


def run_on(url: str, work: Callable[[Database], Awaitable[T]]) -> T:
    """Open the database at `url`, run `work` on it and close it: for one-shot commands."""

    async def main() -> T:
        db = Database(url)
        try:
            return await work(db)
        finally:
            await db.dispose()

    return asyncio.run(main())
