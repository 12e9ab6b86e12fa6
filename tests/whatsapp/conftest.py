"""Fixtures for the WhatsApp channel: the Graph API stand-in, and the real app (`init_app`)
served on 127.0.0.1 against it, on a temporary SQLite database or a PostgreSQL one."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from aiohttp import web

from bot.app import init_app
from bot.channels.whatsapp import WHATSAPP
from bot.config import Config
from bot.outbox import dispatcher as outbox
from tests.dashboard.conftest import quick_passwords  # noqa: F401  (autouse: quick logins)
from tests.support import graphapi
from tests.support.graphapi import GraphAPI
from tests.telegram.conftest import cable  # noqa: F401  (PostgreSQL behind a pullable proxy)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def graph() -> AsyncIterator[GraphAPI]:
    api = GraphAPI()
    await api.start()
    try:
        yield api
    finally:
        await api.close()


def whatsapp_config(graph: GraphAPI, tmp_path: Path, database_url: str | None = None) -> Config:
    return Config(
        whatsapp_token=graph.token,
        whatsapp_phone_number_id=graph.phone_number_id,
        whatsapp_app_secret=graph.app_secret,
        whatsapp_verify_token=graphapi.VERIFY_TOKEN,
        whatsapp_api_base_url=graph.base_url,
        database_url=database_url or f"sqlite:///{tmp_path / 'buurtbot.db'}",
        flows_dir=ROOT / "flows",
        locales_dir=ROOT / "locales",
        spool_dir=tmp_path / "spool",
        send_rate=0,
        purge_interval_hours=0,
    )


@pytest.fixture
def config(graph: GraphAPI, tmp_path: Path) -> Config:
    return whatsapp_config(graph, tmp_path)


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(outbox, "BACKOFF_BASE", 0.1)


@dataclass
class Running:
    app: web.Application
    base: str

    @property
    def webhook(self) -> str:
        return f"{self.base}/whatsapp/webhook"


@asynccontextmanager
async def running(config: Config) -> AsyncIterator[Running]:
    app = init_app(replace(config, dashboard_port=0))
    runner = web.AppRunner(app, shutdown_timeout=1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        await asyncio.wait_for(app[WHATSAPP].ready.wait(), 10)
        yield Running(app, f"http://127.0.0.1:{port}")
    finally:
        await runner.cleanup()


@dataclass
class Served:
    """The app under aiohttp's test client: the webhook, and the dashboard for a worker."""

    app: web.Application
    client: object

    @property
    def webhook(self) -> str:
        return str(self.client.make_url("/whatsapp/webhook"))  # type: ignore[attr-defined]


async def served(aiohttp_client, config: Config) -> Served:
    app = init_app(replace(config, office_hours="altijd"))
    client = await aiohttp_client(app)
    await asyncio.wait_for(app[WHATSAPP].ready.wait(), 10)
    return Served(app, client)
