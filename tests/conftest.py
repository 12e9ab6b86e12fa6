"""Fixtures shared by all tests: real databases and the service URLs.

PostgreSQL and Redis are used when they answer at their usual local address and skipped
otherwise, unless BUURTBOT_REQUIRE_SERVICES=1 (CI), where a missing service fails the test.
"""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

from storage.db import Database
from tests.support.botapi import BotAPI

PG_URL = os.environ.get("DATABASE_URL_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
T = TypeVar("T")

REDIS_URL = os.environ.get("REDIS_URL_TEST", "redis://127.0.0.1:6379/0")


def _unavailable(reason: str) -> None:
    if os.environ.get("BUURTBOT_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{reason}; required because BUURTBOT_REQUIRE_SERVICES=1", pytrace=False)
    pytest.skip(reason)


def _asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run `coroutine` to the end on a loop of its own, also when called from inside a loop
    (session fixtures may first be requested by an async test)."""
    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(asyncio.run, coroutine).result()


async def _pg_execute(url: str, sql: str) -> None:
    connection = await asyncpg.connect(_asyncpg_dsn(url), timeout=3)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@pytest.fixture(autouse=True)
def author_tools_in_english(monkeypatch: pytest.MonkeyPatch) -> None:
    """The author tools speak Dutch by default (bot/authoring/author_lang.py), or the
    machine's locale: the suite fixes English, the language the checks and the tests quote
    their messages in. tests/engine/test_author_lang.py asks for Dutch itself."""
    monkeypatch.setenv("BUURTBOT_AUTHOR_LANG", "en")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The test PostgreSQL's URL (skipped when it does not answer)."""
    address = make_url(PG_URL)
    where = f"{address.host or 'localhost'}:{address.port or 5432}"
    try:
        _run(_pg_execute(PG_URL, "SELECT 1"))
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as e:
        _unavailable(
            f"PostgreSQL not reachable at {where} (set DATABASE_URL_TEST_PG to change): {e}"
        )
    yield PG_URL


@pytest.fixture(scope="session")
def postgres_schema(postgres_url: str) -> Iterator[str]:
    """A schema of this test session's own with all tables, dropped at the end."""
    schema = f"test_{os.getpid()}_{uuid.uuid4().hex[:8]}"

    async def create() -> None:
        await _pg_execute(postgres_url, f'CREATE SCHEMA "{schema}"')
        database = Database(postgres_url, schema=schema)
        try:
            await database.create_all()
        finally:
            await database.dispose()

    _run(create())
    yield schema
    _run(_pg_execute(postgres_url, f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture
def postgres_database(postgres_url: str) -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database of this test's own (for whole processes,
    which run the migrations themselves), dropped at the end."""
    name = f"buurtbot_{uuid.uuid4().hex[:12]}"
    _run(_pg_execute(postgres_url, f'CREATE DATABASE "{name}"'))
    yield make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    _run(_pg_execute(postgres_url, f'DROP DATABASE "{name}" WITH (FORCE)'))


@pytest.fixture(
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
)
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """An empty database with all tables, on SQLite (a temporary file) and on PostgreSQL."""
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'buurtbot.db'}")
        await database.create_all()
    else:
        url = request.getfixturevalue("postgres_url")
        database = Database(url, schema=request.getfixturevalue("postgres_schema"))
        tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
        async with database.transaction() as s:
            await s.exec(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    try:
        yield database
    finally:
        await database.dispose()


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The test Redis's URL (skipped when it does not answer)."""
    address = urlsplit(REDIS_URL)
    host, port = address.hostname or "127.0.0.1", address.port or 6379
    try:
        with socket.create_connection((host, port), timeout=2) as connection:
            connection.sendall(b"PING\r\n")
            answer = connection.recv(64)
    except OSError as e:
        _unavailable(f"Redis not reachable at {host}:{port} (set REDIS_URL_TEST to change): {e}")
    if not answer.startswith((b"+PONG", b"-NOAUTH")):
        _unavailable(f"no Redis at {host}:{port} (set REDIS_URL_TEST to change): {answer!r}")
    return REDIS_URL


@pytest.fixture
async def botapi() -> AsyncIterator[BotAPI]:
    """The Telegram Bot API stand-in (tests/support/botapi.py), real HTTP on 127.0.0.1."""
    api = BotAPI()
    await api.start()
    try:
        yield api
    finally:
        await api.close()
