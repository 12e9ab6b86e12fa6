"""One sender per channel across processes: a PostgreSQL session advisory lock held on a
connection of its own, so that the global pace holds however many processes run. On SQLite (one
process) this process always leads.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from sqlalchemy import text as sql
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.db import Database

logger = logging.getLogger(__name__)


class LostLeadership(Exception):
    """The connection holding the lock broke: another process may lead now."""


# The lock is per database; the schema is part of its name, so that deployments (and test
# sessions) in different schemas of one database do not wait for each other.
_KEY = "hashtext(:name || '.' || current_schema())"


class Leadership:
    """A PostgreSQL session advisory lock on a connection of its own; on SQLite (one process)
    always the leader."""

    RETRY_SECONDS = 2.0

    def __init__(self, db: Database, channel: str) -> None:
        self.db = db
        self.name = f"buurtbot.outbox.{channel}"
        self._connection: AsyncConnection | None = None
        self._waiting_logged = False

    async def acquire(self, stopping: asyncio.Event) -> bool:
        """Wait until this process leads; False when `stopping` came first."""
        if self.db.dialect != "postgresql" or self._connection is not None:
            return True
        while True:
            connection = await self.db.engine.connect()
            try:
                connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
                got = await connection.scalar(
                    sql(f"SELECT pg_try_advisory_lock({_KEY})"), {"name": self.name}
                )
            except BaseException:
                await connection.close()
                raise
            if got:
                self._connection = connection
                return True
            await connection.close()
            if not self._waiting_logged:
                logger.info("another process sends the outbox; this one waits to take over")
                self._waiting_logged = True
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.RETRY_SECONDS):
                    await stopping.wait()
            if stopping.is_set():
                return False

    async def check(self) -> None:
        if self._connection is None:
            return
        try:
            await self._connection.scalar(sql("SELECT 1"))
        except Exception as exc:
            await self.release()
            raise LostLeadership from exc

    async def release(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            await connection.scalar(sql(f"SELECT pg_advisory_unlock({_KEY})"), {"name": self.name})
            await connection.close()
        except Exception:
            # The pool would keep the session, and with it the lock: drop the connection.
            logger.debug("unlocking the leader lock failed", exc_info=True)
            await connection.invalidate()
            await connection.close()
