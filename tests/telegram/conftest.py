"""Fixtures for the Telegram channel: the Bot API stand-in, and the real app (`init_app`) run
against it on a temporary SQLite database."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path

import pytest
from aiohttp import web

from bot.app import init_app
from bot.channels.telegram import TELEGRAM
from bot.config import Config
from bot.outbox import dispatcher as outbox
from tests.cable import Cable
from tests.support.botapi import BotAPI

ROOT = Path(__file__).resolve().parents[2]


def telegram_config(botapi: BotAPI, tmp_path: Path) -> Config:
    """Settings for the whole app with Telegram against the stand-in, on a fresh SQLite file."""
    return Config(
        telegram_token=botapi.token,
        telegram_api_base_url=botapi.base_url,
        database_url=f"sqlite:///{tmp_path / 'buurtbot.db'}",
        flows_dir=ROOT / "flows",
        locales_dir=ROOT / "locales",
        spool_dir=tmp_path / "spool",  # not the working directory's, which other runs share
        send_rate=0,
    )


@pytest.fixture
def config(botapi: BotAPI, tmp_path: Path) -> Config:
    return telegram_config(botapi, tmp_path)


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Network retries after 0.1 s, 0.2 s, ... instead of 1 s, 2 s, ...; the real clock."""
    monkeypatch.setattr(outbox, "BACKOFF_BASE", 0.1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@asynccontextmanager
async def running(config: Config, *, port: int | None = None) -> AsyncIterator[web.Application]:
    """`init_app(config)` served on 127.0.0.1 until the block ends, Telegram channel ready."""
    app = init_app(replace(config, dashboard_port=port or 0))
    runner = web.AppRunner(app, shutdown_timeout=1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port or 0)
    await site.start()
    try:
        channel = app[TELEGRAM]
        await asyncio.wait_for(channel.ready.wait(), 10)
        yield app
    finally:
        await runner.cleanup()


@pytest.fixture
async def cable(postgres_database: str) -> AsyncIterator[Cable]:
    """A TCP proxy in front of the test PostgreSQL (tests/cable.py), plugged in; `pull()` cuts
    the app off from its database, `plug()` brings it back."""
    cable = Cable()
    await cable.plug()
    yield cable
    await cable.pull()
