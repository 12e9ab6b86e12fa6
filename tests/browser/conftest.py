"""Browser tests: Playwright drives Debian's Chromium (`/usr/bin/chromium`; Playwright's own
browser download cannot work here). Screenshots go to `test-artifacts/`."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("BUURTBOT_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
async def browser() -> AsyncIterator:
    if not CHROMIUM.exists():
        reason = f"no Chromium at {CHROMIUM} (apt-get install chromium; `make test` does)"
        if os.environ.get("BUURTBOT_REQUIRE_SERVICES") == "1":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            yield browser
        finally:
            await browser.close()


def screenshot_path(name: str) -> str:
    ARTIFACTS.mkdir(exist_ok=True)
    return str(ARTIFACTS / f"{name}.png")


def app_config(tmp_path: Path):
    """The repository's flows and catalogs, a database of the test's own."""
    from bot.config import Config

    return Config(
        database_url=f"sqlite:///{tmp_path / 'browser.db'}",
        flows_dir=ROOT / "flows",
        locales_dir=ROOT / "locales",
    )


@pytest.fixture
async def base_url(aiohttp_server, tmp_path: Path) -> str:
    """The whole app (web chat, dashboard) on a real port."""
    from bot.app import init_app

    server = await aiohttp_server(init_app(app_config(tmp_path)))
    return str(server.make_url("/")).rstrip("/")
