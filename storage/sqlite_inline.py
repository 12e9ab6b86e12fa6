"""Short SQLite transactions on a plain sqlite3 connection, on the event loop's thread.

The conversation path and the outbox's bookkeeping run a few small statements per transaction,
thousands of times a minute under load. Through the async engine each statement pays for the
async adapter's layers (a greenlet switch and a coroutine per driver call, a trip to
aiosqlite's thread); here the session's work runs on SQLAlchemy's plain `sqlite3` dialect,
called straight from the event loop: about a third of the CPU per transaction
(docs/database.md, issue 21). Callers get an `AsyncSession` as before (`InlineSession`), and
the SQL is the same dialect's.

`BEGIN IMMEDIATE` is the one statement that waits while another process writes (SQLite has one
writer). It is tried at once with no busy timeout; when another process holds the write lock it
is sent again from a thread of its own, which waits on the busy timeout while the event loop
goes on. A wait that is given up (a crisis message waits for storage a few seconds only) leaves
that connection to the thread, closed once its BEGIN ends; the next transaction opens another.
Once a transaction has the write lock nothing in it waits on another process (WAL mode), so
the rest runs on the loop. Never for a statement that may read or change many rows:
it would hold up every chat meanwhile.

In this process every transaction takes its turn (`Database._turn`), so the connection here is
never used by two at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import Connection, create_engine, event, util
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool
from sqlmodel.ext.asyncio.session import AsyncSession

_BUFFERED = util.immutabledict({"prebuffer_rows": True})


class InlineSession(AsyncSession):
    """An `AsyncSession` over a synchronous connection: its calls never wait on I/O, so each
    runs to its end on the caller's thread. `bind` is that connection (for its `.dialect`)."""

    @property  # type: ignore[override]
    def bind(self) -> Any:
        return self.sync_session.bind

    async def exec(self, statement: Any, **options: Any) -> Any:  # type: ignore[override]
        return self.sync_session.exec(statement, **_buffered(options))

    async def execute(self, statement: Any, *args: Any, **options: Any) -> Any:  # type: ignore[override]
        return self.sync_session.execute(statement, *args, **_buffered(options))


def _buffered(options: dict[str, Any]) -> dict[str, Any]:
    """The rows read at once, as AsyncSession reads them: a result may be looked at after the
    next statement."""
    given = options.get("execution_options")
    return {**options, "execution_options": _BUFFERED.union(given) if given else _BUFFERED}


class Inline:
    """One sqlite3 connection to a database file, for short transactions. `on_connect` and
    `on_begin` are the async engine's own listeners: the connection is set up as its are (WAL,
    foreign keys, the busy timeout), and a transaction begins as its do (`BEGIN IMMEDIATE`)."""

    def __init__(
        self,
        url: str,
        on_connect: Callable[[Any, Any], None],
        on_begin: Callable[[Any], None],
        busy_timeout_ms: int,
    ) -> None:
        self.busy_timeout_ms = busy_timeout_ms
        # A connection of its own each time one is opened: one is kept (`_connection`), and a
        # new one replaces it when it is lost to a wait that was given up (`_begin`).
        self.engine = create_engine(
            url, poolclass=NullPool, connect_args={"check_same_thread": False}
        )
        event.listen(self.engine, "connect", on_connect)
        event.listen(self.engine, "connect", _no_waiting)  # after on_connect's busy timeout
        event.listen(self.engine, "begin", on_begin)
        self._waiter = ThreadPoolExecutor(1, thread_name_prefix="sqlite-begin")
        self._connection: Connection | None = None
        self.waited = 0  # transactions whose BEGIN had to wait for another process

    @asynccontextmanager
    async def transaction(self, **session_options: Any) -> AsyncIterator[InlineSession]:
        """A session in one transaction on the connection: committed when the block ends,
        rolled back on error."""
        connection = await self._begin()
        session = InlineSession(**session_options)
        session.sync_session.bind = connection
        try:
            async with session:
                yield session
                await session.flush()
            connection.commit()
        except BaseException:
            connection.rollback()
            raise

    async def _begin(self) -> Connection:
        if self._connection is None:  # opening the file may wait on another process too
            self._connection = await self._on_thread(self.engine.connect)
        connection = self._connection
        try:
            connection.begin()
        except OperationalError as exc:
            connection.rollback()
            if not _busy(exc):
                raise
            self.waited += 1
            await self._on_thread(self._begin_waiting, connection)
        return connection

    async def _on_thread(self, work: Callable[..., Any], *args: Any) -> Any:
        """`work` on the waiting thread. Given up on meanwhile (a crisis message waits for
        storage a few seconds only), the thread still finishes it: the connection it used or
        opened is then left to it, and closed when it is done; the next transaction opens
        another, and never uses one from two threads."""
        done = asyncio.get_running_loop().run_in_executor(self._waiter, work, *args)
        try:
            return await asyncio.shield(done)
        except asyncio.CancelledError:
            lost = args[0] if args else None
            if lost is not None and lost is self._connection:
                self._connection = None
            done.add_done_callback(lambda finished: _close_quietly(finished, lost))
            raise

    def _begin_waiting(self, connection: Connection) -> None:
        """BEGIN on the busy timeout, on the waiting thread."""
        raw = connection.connection.driver_connection
        raw.execute(f"PRAGMA busy_timeout={self.busy_timeout_ms}")
        try:
            connection.begin()
        except BaseException:
            connection.rollback()
            raise
        finally:
            raw.execute("PRAGMA busy_timeout=0")

    def close(self) -> None:
        """Let the connection go; the next transaction opens the file anew."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        self.engine.dispose()

    def dispose(self) -> None:
        self.close()
        self._waiter.shutdown(wait=False)


def _close_quietly(finished: asyncio.Future[Any], connection: Connection | None) -> None:
    """After a wait that was given up: end whatever it began, and close the connection."""
    if connection is None and not finished.cancelled() and finished.exception() is None:
        connection = finished.result()  # opened for nobody
    if connection is not None:
        with contextlib.suppress(Exception):
            connection.rollback()
            connection.close()


def _no_waiting(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute("PRAGMA busy_timeout=0")


def _busy(exc: OperationalError) -> bool:
    """Another connection holds the lock (SQLITE_BUSY or one of its extended codes)."""
    code = getattr(exc.orig, "sqlite_errorcode", None)
    return isinstance(code, int) and code & 0xFF == sqlite3.SQLITE_BUSY
