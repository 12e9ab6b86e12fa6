"""In a real browser (Playwright, Debian's Chromium at /usr/bin/chromium): a worker claims a
case and schedules "over 3 dagen vragen of het gelukt is" with their own question; the page
shows it planned and the database holds it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from playwright.async_api import expect
from sqlmodel import select

from bot.app import CONVERSATIONS, DB
from bot.config import Config
from bot.conversation import Inbound
from bot.dashboard import passwords
from storage.followups import FollowUp
from storage.types import utcnow
from tests.browser.conftest import browser, screenshot_path  # noqa: F401  (fixture)
from tests.dashboard.conftest import PASSWORD, create_user, dashboard_app

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def cheap_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    from argon2 import PasswordHasher

    monkeypatch.setattr(
        passwords, "hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


async def test_a_worker_schedules_a_follow_up_in_the_browser(browser, aiohttp_server, tmp_path):  # noqa: F811
    config = Config(
        database_url=f"sqlite:///{tmp_path / 'browser.db'}",
        flows_dir=ROOT / "flows",
        locales_dir=ROOT / "locales",
        spool_dir=tmp_path / "spool",
        office_hours="altijd",
        send_rate=0,
    )
    app = dashboard_app(config)
    server = await aiohttp_server(app)
    base = str(server.make_url("/")).rstrip("/")
    await create_user(app[DB], "fatima")
    await app[CONVERSATIONS].receive(Inbound("web", "r1", text="hallo", language_hint="nl"))
    await app[CONVERSATIONS].receive(Inbound("web", "r1", text="/mens"))

    page = await browser.new_page(viewport={"width": 1360, "height": 900})
    await page.goto(f"{base}/dashboard/login")
    await page.get_by_test_id("login-user").fill("fatima")
    await page.get_by_test_id("login-password").fill(PASSWORD)
    await page.get_by_test_id("login-submit").click()
    await expect(page).to_have_url(f"{base}/dashboard/")
    await page.get_by_test_id("case-row").first.click()
    await page.get_by_test_id("claim").click()
    await expect(page.get_by_test_id("reply-text")).to_be_visible()

    await page.get_by_test_id("follow-up-days").fill("3")
    await page.get_by_test_id("follow-up-text").fill("Is het gelukt met de brief van de huur?")
    before = utcnow()
    await page.get_by_test_id("follow-up-schedule").click()
    planned = page.get_by_test_id("follow-up")
    await expect(planned).to_have_count(1)
    await expect(planned).to_have_attribute("data-status", "scheduled")
    await expect(planned).to_contain_text("Is het gelukt met de brief van de huur?")
    await page.screenshot(path=screenshot_path("follow-up-planned"))
    async with app[DB].transaction() as s:
        row = (await s.exec(select(FollowUp))).one()
    assert (row.text, row.source, row.status) == (
        "Is het gelukt met de brief van de huur?",
        "worker",
        "scheduled",
    )
    assert before + timedelta(days=3) <= row.due_at <= utcnow() + timedelta(days=3)
