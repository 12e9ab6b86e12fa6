from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import init_app
from bot.config import Config

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def config(tmp_path: Path) -> Config:
    """The app without Telegram, on a fresh SQLite file."""
    return Config(
        database_url=f"sqlite:///{tmp_path / 'perf.db'}",
        flows_dir=ROOT / "flows",
        locales_dir=ROOT / "locales",
    )


@pytest.fixture
async def client(aiohttp_client, config: Config):
    return await aiohttp_client(init_app(config))
