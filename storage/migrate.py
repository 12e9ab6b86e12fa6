"""Alembic migrations: every database is brought to the current schema before Buurtbot uses it.

`buurtbot db upgrade` (and `buurtbot run`, `make run`) call `upgrade`. It is safe to run from
several processes at once: on PostgreSQL they take turns on a session advisory lock, and the
ones that come second find nothing left to do. A database made before migrations existed (by
`create_all`, versions up to 0.1.0) already has the first revision's tables: it is stamped with
that revision instead of failing on "table already exists".

The migration scripts live in storage/migrations/versions; `buurtbot db revision -m "..."`
writes a new one from the difference between the models and the schema.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from storage.db import Database

MIGRATIONS = Path(__file__).with_name("migrations")
BASELINE = "0001"  # the schema `create_all` made before migrations existed
MIGRATION_LOCK = 0x62757572  # "buur": the advisory lock key that serialises upgrades


@dataclass(frozen=True)
class Upgrade:
    before: str | None  # the revision the database was at (None: empty database)
    after: str
    stamped: bool = False  # a pre-migration database, recognised and stamped

    def describe(self) -> str:
        if self.stamped:
            return f"existing tables recognised as revision {BASELINE}; now at {self.after}"
        if self.before == self.after:
            return f"already at revision {self.after}, nothing to do"
        return f"upgraded from {self.before or 'an empty database'} to revision {self.after}"


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head() -> str | None:
    """The newest revision in storage/migrations/versions."""
    return ScriptDirectory.from_config(_config()).get_current_head()


def _current(connection: Connection) -> str | None:
    # Read Alembic's table directly: configuring a MigrationContext logs two lines each time.
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _upgrade(connection: Connection) -> Upgrade:
    before = _current(connection)
    if before is not None and before == head():
        return Upgrade(before, before)  # quietly: Alembic would log its set-up on every start
    stamped = before is None and inspect(connection).has_table("resident")
    config = _config(connection)
    if stamped:
        command.stamp(config, BASELINE)
    command.upgrade(config, "head")
    return Upgrade(before, _current(connection) or "", stamped=stamped)


async def upgrade(db: Database) -> Upgrade:
    """Bring `db` to the newest revision."""
    async with db.engine.connect() as connection:
        postgres = db.dialect == "postgresql"
        if postgres:
            await connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
            await connection.commit()
        try:
            result = await connection.run_sync(_upgrade)
            await connection.commit()
        finally:
            if postgres:
                await connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK}
                )
                await connection.commit()
    return result


async def current(db: Database) -> str | None:
    """The revision `db` is at (None: no migrations applied)."""
    async with db.engine.connect() as connection:
        return await connection.run_sync(_current)


def _differences(connection: Connection) -> list[Any]:
    from alembic.autogenerate import compare_metadata
    from sqlmodel import SQLModel

    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return compare_metadata(context, SQLModel.metadata)


async def differences(db: Database) -> list[Any]:
    """What the models have that the schema of `db` does not (or the other way round); empty
    when the migrations and the models agree."""
    async with db.engine.connect() as connection:
        return await connection.run_sync(_differences)


async def new_revision(message: str) -> list[Path]:
    """Write a migration script for what the models changed since the newest revision,
    found by comparing the models with a scratch SQLite database at that revision."""
    with tempfile.TemporaryDirectory() as scratch:
        db = Database(f"sqlite:///{scratch}/scratch.db")
        try:
            await upgrade(db)
            async with db.engine.connect() as connection:
                scripts = await connection.run_sync(_write_revision, message)
        finally:
            await db.dispose()
    return scripts


def _write_revision(connection: Connection, message: str) -> list[Path]:
    number = int(head() or 0) + 1
    written = command.revision(
        _config(connection), message=message, autogenerate=True, rev_id=f"{number:04d}"
    )
    scripts = written if isinstance(written, list) else [written]
    return [Path(s.path) for s in scripts if s is not None]
