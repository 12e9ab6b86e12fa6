"""Whether the database can take a write now: for `/healthz`, which must not say "ok" while
every write fails (a full disk, a read-only file or server, a write lock held for good).

Cheap on purpose: one small write transaction that changes nothing, plus, on SQLite, a look at
the free space of the disk the file is on.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from storage.db import Database

MIN_FREE_BYTES = 1 << 20  # below this a SQLite write may fail half way: report it now


class DiskFull(OSError):
    """The disk under the SQLite file has (almost) no room left."""


def _sqlite_folder(db: Database) -> Path | None:
    database = make_url(db.url).database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    return Path(database).parent


async def can_write(db: Database) -> None:
    """Returns when a write can happen; raises `DiskFull` or the database's error otherwise."""
    if db.dialect == "sqlite":
        folder = _sqlite_folder(db)
        if folder is not None and shutil.disk_usage(folder).free < MIN_FREE_BYTES:
            raise DiskFull("no room left on the database's disk")
        async with db.transaction() as s:  # BEGIN IMMEDIATE: takes the write lock
            version = int((await s.exec(text("PRAGMA user_version"))).one()[0])
            await s.exec(text(f"PRAGMA user_version={version}"))  # a write of the same value
    else:
        async with db.transaction() as s:
            # A transaction id makes the commit write to PostgreSQL's log: fails when the
            # server is read-only or cannot write.
            await s.exec(text("SELECT txid_current()"))
