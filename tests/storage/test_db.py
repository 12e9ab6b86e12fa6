from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import StatementError

from storage import residents as resident_db
from storage import transcripts as transcript_db
from storage.db import Database, async_url, sync_url
from storage.types import clean_json, clean_text

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:///data/buurtbot.db", "sqlite+aiosqlite:///data/buurtbot.db"),
        ("sqlite:////var/lib/buurtbot.db", "sqlite+aiosqlite:////var/lib/buurtbot.db"),
        ("sqlite+aiosqlite:///x.db", "sqlite+aiosqlite:///x.db"),
        ("postgresql://bot:pw@db:5432/buurt", "postgresql+asyncpg://bot:pw@db:5432/buurt"),
        ("postgres://bot:pw@db/buurt", "postgresql+asyncpg://bot:pw@db/buurt"),
        ("postgresql+asyncpg://db/buurt", "postgresql+asyncpg://db/buurt"),
        ("postgresql+psycopg://db/buurt", "postgresql+psycopg://db/buurt"),
    ],
)
def test_async_url(url: str, expected: str) -> None:
    assert async_url(url) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite+aiosqlite:///data/buurtbot.db", "sqlite:///data/buurtbot.db"),
        ("postgresql+asyncpg://bot:pw@db/buurt", "postgresql://bot:pw@db/buurt"),
        ("postgres://db/buurt", "postgresql://db/buurt"),
    ],
)
def test_sync_url(url: str, expected: str) -> None:
    assert sync_url(url) == expected


async def test_sqlite_file_and_its_folder_are_created(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "buurtbot.db"
    database = Database(f"sqlite:///{path}")
    try:
        await database.create_all()
        assert path.exists()
        assert "buurtbot.db" in repr(database)
    finally:
        await database.dispose()


async def test_sqlite_pragmas(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        async with database.transaction() as s:
            pragmas = {
                name: (await s.exec(text(f"PRAGMA {name}"))).scalar()
                for name in ("journal_mode", "foreign_keys", "busy_timeout")
            }
    finally:
        await database.dispose()
    assert pragmas == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 10_000}


def test_secure_delete_is_asked_for_not_left_to_how_sqlite_was_built(tmp_path: Path) -> None:
    """Debian builds SQLite with secure_delete on, others do not: every connection asks for it,
    so erased text is overwritten in the file (issue 15, weak 9)."""
    import sqlite3

    from storage.db import _on_sqlite_connect

    connection = sqlite3.connect(tmp_path / "x.db")
    try:
        connection.execute("PRAGMA secure_delete=OFF")  # as a build without it starts
        _on_sqlite_connect(connection, None)
        assert connection.execute("PRAGMA secure_delete").fetchone() == (1,)
    finally:
        connection.close()


def test_schema_is_for_postgresql_only(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="PostgreSQL only"):
        Database(f"sqlite:///{tmp_path / 'x.db'}", schema="elsewhere")


async def test_create_all_twice_is_harmless(database: Database) -> None:
    await database.create_all()
    await database.create_all()


async def test_transaction_commits(database: Database) -> None:
    async with database.transaction() as s:
        await resident_db.get_or_create_resident(s, "web", "abc", now=NOW)
    async with database.transaction() as s:
        assert await transcript_db.transcript(s, 1) == []
        resident = await resident_db.get_or_create_resident(s, "web", "abc", now=NOW)
    assert resident.id == 1


async def test_transaction_rolls_back_on_error(database: Database) -> None:
    with pytest.raises(RuntimeError, match="boom"):
        async with database.transaction() as s:
            resident = await resident_db.get_or_create_resident(s, "web", "abc", now=NOW)
            await transcript_db.add_transcript(s, resident.id, "in", "hallo", now=NOW)
            raise RuntimeError("boom")
    async with database.transaction() as s:
        count = (await s.exec(text("SELECT count(*) FROM resident"))).scalar()
    assert count == 0


SLOW_QUERY = {
    # a second or so of work, so that the cancellation lands in the middle of it
    "sqlite": "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 5000000)"
    " SELECT count(*) FROM c",
    "postgresql": "SELECT pg_sleep(1)",
}


async def test_a_transaction_cancelled_mid_statement_leaves_the_database_usable(
    database: Database,
) -> None:
    # A page closed while its request ran, a timeout, shut-down: the task is cancelled in the
    # middle of a statement. Once, SQLite stayed locked for every later transaction after that.
    started = asyncio.Event()

    async def interrupted() -> None:
        async with database.transaction() as s:
            await resident_db.get_or_create_resident(s, "web", "lost", now=NOW)
            started.set()
            await s.exec(text(SLOW_QUERY[database.dialect]))

    task = asyncio.ensure_future(interrupted())
    await started.wait()
    await asyncio.sleep(0.1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    async with asyncio.timeout(5), database.transaction() as s:
        await resident_db.get_or_create_resident(s, "web", "kept", now=NOW)
    async with database.transaction() as s:
        names = (await s.exec(text("SELECT external_id FROM resident"))).scalars().all()
    assert names == ["kept"]


async def test_savepoints_roll_back_inside_a_transaction(database: Database) -> None:
    # The sqlite3 module breaks SAVEPOINT unless SQLAlchemy emits BEGIN itself.
    async with database.transaction() as s:
        resident = await resident_db.get_or_create_resident(s, "web", "abc", now=NOW)
        await transcript_db.add_transcript(s, resident.id, "in", "kept", now=NOW)
        with pytest.raises(RuntimeError):
            async with s.begin_nested():
                await transcript_db.add_transcript(s, resident.id, "in", "undone", now=NOW)
                raise RuntimeError
    async with database.transaction() as s:
        assert [e.text for e in await transcript_db.transcript(s, resident.id)] == ["kept"]


async def test_naive_datetimes_are_refused(database: Database) -> None:
    with pytest.raises(StatementError, match="naive datetime"):
        async with database.transaction() as s:
            await resident_db.get_or_create_resident(
                s, "web", "abc", now=datetime(2025, 3, 1, 12, 0)
            )


def test_clean_text() -> None:
    assert clean_text("a\x00b") == "ab"
    assert clean_text("x\ud800y") == "x\ufffdy"  # a lone surrogate
    assert clean_text("\ud83d\ude00") == "😀"  # a surrogate pair becomes the character
    assert clean_text("سلام ሰላም 🏠") == "سلام ሰላም 🏠"


def test_clean_json() -> None:
    value = {"k\x00": ["a\x00", {"b": "\ud800"}, 1, 2.5, True, None], "t": ("x",)}
    assert clean_json(value) == {"k": ["a", {"b": "\ufffd"}, 1, 2.5, True, None], "t": ["x"]}
