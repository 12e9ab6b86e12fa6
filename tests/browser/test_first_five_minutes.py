"""The first five minutes: a resident asks for a person in the web chat, and a worker sees the
case in the dashboard — one app, one database, two browsers."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import expect

from bot.app import DB, init_app
from bot.config import Config
from bot.ops.firstrun import ensure_admin
from tests.browser.conftest import screenshot_path

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def server(aiohttp_server, tmp_path: Path):
    config = Config(
        database_url=f"sqlite:///{tmp_path / 'five.db'}",
        flows_dir=ROOT / "flows",
        locales_dir=ROOT / "locales",
        office_hours="altijd",
    )
    return await aiohttp_server(init_app(config))


async def test_a_web_chat_conversation_ends_in_a_case_in_the_dashboard(browser, server):
    base = str(server.make_url("/")).rstrip("/")
    password = await ensure_admin(server.app[DB])

    resident = await browser.new_page(locale="nl-NL", viewport={"width": 390, "height": 800})
    await resident.goto(base + "/")
    await resident.get_by_test_id("chat-button").filter(has_text="Nederlands").click()
    await expect(resident.get_by_test_id("bot-message").last).to_have_text(
        "Waar kan ik je mee helpen?"
    )
    await resident.get_by_test_id("chat-text").fill("ik wil een mens spreken")
    await resident.get_by_test_id("chat-send").click()
    await expect(resident.get_by_test_id("bot-message").last).to_contain_text("medewerker")

    worker = await browser.new_page(locale="nl-NL")
    await worker.goto(base + "/dashboard")
    await worker.get_by_test_id("login-user").fill("admin")
    await worker.get_by_test_id("login-password").fill(password)
    await worker.get_by_test_id("login-submit").click()
    # The machine made that password: the dashboard asks for an own one first.
    await expect(worker).to_have_url(base + "/dashboard/password")
    await worker.get_by_test_id("new-password").fill("een eigen lang wachtwoord")
    await worker.get_by_test_id("new-password-again").fill("een eigen lang wachtwoord")
    await worker.get_by_test_id("password-submit").click()
    row = worker.get_by_test_id("case-row")
    await expect(row).to_have_count(1)
    await expect(row).to_contain_text("Vraagt om een mens")
    await expect(row).to_contain_text("ik wil een mens spreken")  # what the resident wrote
    await worker.screenshot(path=screenshot_path("first-five-minutes-queue"))
    await resident.screenshot(path=screenshot_path("first-five-minutes-webchat"))
