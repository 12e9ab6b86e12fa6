"""`/healthz`: 200 while the database answers, 503 with the reason when it does not, and the
Telegram channel's state when it is configured."""

from __future__ import annotations

import asyncio

from bot.app import DB, init_app
from bot.ops import health as operations
from bot.ops.health import Shared
from tests.operations.test_metrics import scrape, value
from tests.telegram.conftest import free_port, running


async def test_healthy(aiohttp_client, web_config):
    client = await aiohttp_client(init_app(web_config))
    response = await client.get("/healthz")
    assert response.status == 200
    assert await response.json() == {"status": "ok", "database": "ok"}


async def test_a_database_that_does_not_answer_fails_the_check(
    aiohttp_client, web_config, monkeypatch
):
    """A transaction held open stands for a database that hangs: 503 within the timeout, and
    200 again once it answers."""
    monkeypatch.setattr(operations, "TIMEOUT_SECONDS", 0.3)
    client = await aiohttp_client(init_app(web_config))
    loop = asyncio.get_running_loop()
    async with client.app[DB].transaction():
        started = loop.time()
        answers = await asyncio.gather(*(client.get("/healthz") for _ in range(5)))
        took = loop.time() - started
        bodies = [await r.json() for r in answers]
    assert took < 2
    assert {r.status for r in answers} == {503}
    assert bodies[0] == {"status": "fail", "database": "timeout"}
    response = await client.get("/healthz")
    assert (response.status, (await response.json())["database"]) == (200, "ok")


async def test_a_slow_check_runs_once_and_is_not_cancelled():
    """Callers share the check under way, and give up on it without cancelling it."""
    runs, release = [], asyncio.Event()

    async def check() -> str:
        runs.append(1)
        await release.wait()
        return "answered"

    shared = Shared(check)
    outcomes = await asyncio.gather(*(shared(0.05) for _ in range(3)), return_exceptions=True)
    assert all(isinstance(o, TimeoutError) for o in outcomes)
    assert len(runs) == 1
    release.set()
    assert await shared(1) == "answered"  # the same run, finished
    assert len(runs) == 1
    await shared.close()


async def test_telegram_state_is_reported(botapi, telegram_config):
    """Telegram answering 502 to getUpdates makes the check `degraded` (still 200: the web
    chat and the dashboard serve, and a restart would not help); it recovers by itself."""
    port = free_port()
    async with running(telegram_config, port=port):
        assert await health(port) == (200, {"status": "ok", "database": "ok", "telegram": "ok"})
        assert value(await scrape(port), "buurtbot_telegram_up") == 1
        botapi.fail("getUpdates", "502", times=2)
        botapi.text(7001, "hallo")  # ends the long poll under way
        down = await until(port, lambda body: body.get("telegram") == "unreachable")
        assert down == {"status": "degraded", "database": "ok", "telegram": "unreachable"}
        assert value(await scrape(port), "buurtbot_telegram_up") == 0
        # Back once a call gets through: a long poll only says so when it returns.
        await botapi.wait_for(lambda: [c.outcome for c in botapi.calls].count("502") == 2)
        botapi.text(7002, "weer")
        up = await until(port, lambda body: body.get("telegram") == "ok", timeout=15)
        assert up["status"] == "ok"


async def health(port: int) -> tuple[int, dict]:
    from aiohttp import ClientSession

    async with ClientSession() as session, session.get(f"http://127.0.0.1:{port}/healthz") as r:
        return r.status, await r.json()


async def until(port: int, condition, timeout: float = 10.0) -> dict:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        status, body = await health(port)
        assert status == 200, body
        if condition(body):
            return body
        if loop.time() > deadline:
            raise AssertionError(f"health stayed {body}")
        await asyncio.sleep(0.05)


async def test_a_database_that_answers_but_takes_no_write_fails_the_check(
    aiohttp_client, web_config, monkeypatch
):
    """Another connection holds SQLite's write lock: reads still work, writes cannot happen."""
    import sqlite3

    from sqlalchemy.engine import make_url

    monkeypatch.setattr(operations, "TIMEOUT_SECONDS", 0.3)
    client = await aiohttp_client(init_app(web_config))
    assert (await client.get("/healthz")).status == 200
    other = sqlite3.connect(make_url(web_config.database_url).database, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        response = await client.get("/healthz")
        assert response.status == 503
        assert await response.json() == {"status": "fail", "database": "timeout"}
    finally:
        other.execute("ROLLBACK")
        other.close()


async def test_a_full_disk_fails_the_check(aiohttp_client, tmp_path):
    """A real full disk: a small tmpfs (needs root and mount; skipped otherwise)."""
    import contextlib
    import os
    import subprocess
    from dataclasses import replace

    import pytest

    from tests.webchat.conftest import web_config as make_config

    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(disk)],
        capture_output=True,
        check=False,
    )
    if os.geteuid() != 0 or mounted.returncode != 0:
        pytest.skip("needs root to mount a small tmpfs")
    try:
        config = replace(make_config(tmp_path), database_url=f"sqlite:///{disk / 'full.db'}")
        client = await aiohttp_client(init_app(config))
        assert (await client.get("/healthz")).status == 200
        with contextlib.suppress(OSError), (disk / "filler").open("wb") as filler:
            while True:
                filler.write(b"\0" * 65536)
                filler.flush()
        response = await client.get("/healthz")
        assert (response.status, await response.json()) == (
            503,
            {"status": "fail", "database": "error: disk full"},
        )
        (disk / "filler").unlink()
        assert (await client.get("/healthz")).status == 200
        await client.close()
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)
