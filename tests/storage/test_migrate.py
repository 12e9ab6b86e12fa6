"""Alembic migrations: the schema they build is the models' schema, on SQLite and PostgreSQL;
upgrading is safe to repeat, to run from two processes at once, and on a database made before
migrations existed."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from sqlalchemy import text

from storage import migrate
from storage.db import Database
from tests.conftest import _pg_execute

ROOT = Path(__file__).resolve().parents[2]

MakeDatabase = Callable[[], Database]
# Tables and columns the revisions after 0001 add.
SINCE_BASELINE = (
    "handled_message",
    "dashboard_login_step",
    "dashboard_recovery_code",
    "attachment",
    "alert",  # 0007: teams and alerts (issue 20)
    "team_member",
    "team",
    "follow_up",
    "case_feedback",
    "signal_count",
)
COLUMNS_SINCE_BASELINE = (
    ("dashboard_user", "totp_secret"),
    ("dashboard_user", "totp_last_step"),
    ("dashboard_user", "must_change_password"),
    ("dashboard_user", "display_name"),
    ("outbox_message", "channel_message_id"),
    ("outbox_message", "delivery"),
    ("resident", "postcode"),
    ("resident", "postcode_declined_at"),
    ("cases", "team_id"),
    ("cases", "previous_case_id"),
    ("cases", "reopened_at"),
)
INDEXES_SINCE_BASELINE = (
    "ix_outbox_message_channel_message_id",
    "ix_cases_team_id",
    "ix_outbox_message_resident_pending",
)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def empty(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[MakeDatabase]:
    """Opens connections to one empty database (no tables at all): each call is another
    process's view of it."""
    opened: list[Database] = []
    if request.param == "sqlite":
        url, schema = f"sqlite:///{tmp_path / 'buurtbot.db'}", None
    else:
        url = request.getfixturevalue("postgres_url")
        schema = f"migrate_{uuid.uuid4().hex[:10]}"
        await _pg_execute(url, f'CREATE SCHEMA "{schema}"')

    def make() -> Database:
        opened.append(Database(url, schema=schema))
        return opened[-1]

    try:
        yield make
    finally:
        for db in opened:
            await db.dispose()
        if schema:
            await _pg_execute(url, f'DROP SCHEMA "{schema}" CASCADE')


async def _tables(db: Database) -> set[str]:
    from sqlalchemy import inspect

    async with db.engine.connect() as connection:
        return set(await connection.run_sync(lambda c: inspect(c).get_table_names()))


async def test_migrations_build_exactly_the_models_schema(empty: MakeDatabase) -> None:
    db = empty()
    result = await migrate.upgrade(db)
    assert (result.before, result.after) == (None, migrate.head())
    assert await migrate.current(db) == migrate.head()
    assert await migrate.differences(db) == []
    assert {"resident", "outbox_message", "cases", "audit_log"} <= await _tables(db)


async def test_a_second_upgrade_does_nothing(
    empty: MakeDatabase, caplog: pytest.LogCaptureFixture
) -> None:
    db = empty()
    await migrate.upgrade(db)
    caplog.clear()
    with caplog.at_level(logging.INFO):
        again = await migrate.upgrade(db)
    assert again.before == again.after == migrate.head()
    assert again.describe().startswith("already at revision")
    # `buurtbot run` upgrades before it creates the first admin and again as the app starts:
    # a database that is current costs no log lines.
    assert [r.getMessage() for r in caplog.records if r.name.startswith("alembic")] == []


async def test_a_database_from_before_migrations_is_recognised(empty: MakeDatabase) -> None:
    db = empty()
    await db.create_all()
    async with db.transaction() as s:
        for table in SINCE_BASELINE:  # not there yet in 0.1.0
            await s.exec(text(f"DROP TABLE {table}"))
        for index in INDEXES_SINCE_BASELINE:
            await s.exec(text(f"DROP INDEX {index}"))
        for table, column in COLUMNS_SINCE_BASELINE:
            await s.exec(text(f"ALTER TABLE {table} DROP COLUMN {column}"))
        await s.exec(
            text(
                "INSERT INTO resident (channel, external_id, pseudonym, created_at, last_seen_at)"
                " VALUES ('web', 'x', 'Bewoner-1', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
    result = await migrate.upgrade(db)
    assert result.stamped
    assert await migrate.current(db) == migrate.head()
    assert await migrate.differences(db) == []
    async with db.transaction() as s:
        kept = (await s.exec(text("SELECT pseudonym FROM resident"))).all()
    assert [row[0] for row in kept] == ["Bewoner-1"]


async def test_models_out_of_step_with_the_migrations_are_found(empty: MakeDatabase) -> None:
    """The check above can fail: a column the migrations lack is reported."""
    db = empty()
    await migrate.upgrade(db)
    async with db.transaction() as s:
        await s.exec(text("ALTER TABLE resident DROP COLUMN blocked_at"))
    differences = await migrate.differences(db)
    assert any("blocked_at" in repr(d) for d in differences)


@pytest.mark.postgres
async def test_processes_upgrading_at_once_take_turns(
    postgres_url: str,
) -> None:
    schema = f"migrate_{uuid.uuid4().hex[:10]}"
    await _pg_execute(postgres_url, f'CREATE SCHEMA "{schema}"')
    dbs = [Database(postgres_url, schema=schema) for _ in range(4)]
    try:
        results = await asyncio.gather(*(migrate.upgrade(db) for db in dbs))
        assert sorted(r.before is None for r in results) == [False, False, False, True]
        async with dbs[0].transaction() as s:
            versions = (await s.exec(text("SELECT version_num FROM alembic_version"))).all()
        assert [v[0] for v in versions] == [migrate.head()]
    finally:
        for db in dbs:
            await db.dispose()
        await _pg_execute(postgres_url, f'DROP SCHEMA "{schema}" CASCADE')


def _buurtbot(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_db_commands(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'data' / 'buurtbot.db'}"
    before = _buurtbot("db", "current", database_url=url)
    assert before.returncode == 1
    assert "revision none, behind: run 'buurtbot db upgrade'" in before.stdout

    upgraded = _buurtbot("db", "upgrade", database_url=url)
    assert upgraded.returncode == 0, upgraded.stderr
    assert f"upgraded from an empty database to revision {migrate.head()}" in upgraded.stdout

    after = _buurtbot("db", "current", database_url=url)
    assert after.returncode == 0
    assert f"revision {migrate.head()}, up to date" in after.stdout
