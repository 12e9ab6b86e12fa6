"""A worker who reads no Arabic, in a real browser: she filters the queue to Arabic, opens the
case, reads the Dutch source under each bot message and the resident's earlier case, and finds
the closed case by its date (issue 18)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import expect

from bot.app import CONVERSATIONS, DB
from bot.conversation import Inbound
from bot.dashboard import passwords
from bot.escalation import DAYS, PERSON_COMING
from tests.browser.conftest import app_config, screenshot_path
from tests.browser.test_dashboard import WIDE, log_in
from tests.dashboard.conftest import create_user, dashboard_app


@pytest.fixture(autouse=True)
def quick_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    from argon2 import PasswordHasher

    monkeypatch.setattr(
        passwords, "hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


async def _says(app, who: str, text: str, payload: str | None = None, hint: str = "nl"):
    await app[CONVERSATIONS].receive(
        Inbound("web", who, text=text, payload=payload, language_hint=hint)
    )


def _off_duty_all_day() -> str:
    """Office hours on another weekday than today, so a resident who comes back gets a new
    case that shows the closed one. On duty, the closed case would go back to its worker
    instead, and the test would depend on the hour it runs."""
    today = datetime.now(ZoneInfo("Europe/Amsterdam")).weekday()
    return f"{DAYS[(today + 1) % 7]} 09:00-17:00"


async def test_reading_an_arabic_case_with_filters_and_history(browser, aiohttp_server, tmp_path):
    app = dashboard_app(replace(app_config(tmp_path), office_hours=_off_duty_all_day()))
    server = await aiohttp_server(app)
    base = str(server.make_url("/")).rstrip("/")
    await create_user(app[DB], "fatima")
    await _says(app, "nl", "/mens")  # a Dutch case, filtered out below
    await _says(app, "ar", "/start", hint="ar")
    await _says(app, "ar", "العربية", "lang:ar", hint="ar")
    await _says(app, "ar", "/mens", hint="ar")

    page = await browser.new_page(viewport=WIDE, locale="nl-NL")
    await log_in(page, base, "fatima")
    await expect(page.get_by_test_id("case-row")).to_have_count(2)
    await page.get_by_test_id("filter-language").select_option("ar")
    await page.get_by_test_id("filter-apply").click()
    await expect(page).to_have_url(
        f"{base}/dashboard/?q=&language=ar&reason=&priority=&worker=&from=&to="
    )
    await expect(page.get_by_test_id("case-row")).to_have_count(1)
    await expect(page.get_by_test_id("filter-active")).to_be_visible()
    await page.screenshot(path=screenshot_path("dashboard-filtered"), full_page=True)

    await page.get_by_test_id("case-row").click()
    await page.get_by_test_id("claim").click()
    sources = page.get_by_test_id("message-source")
    await expect(sources.filter(has_text=PERSON_COMING)).to_have_count(1)
    await expect(page.get_by_test_id("history-case")).to_have_count(0)
    await page.screenshot(path=screenshot_path("dashboard-arabic-case"), full_page=True)
    await page.get_by_test_id("close-case").click()
    await page.get_by_test_id("close-confirm").click()
    # Wait for the close to land before the resident writes again, or the new message joins
    # the case that is still open and there is no earlier case to show.
    await expect(page).to_have_url(re.compile(r"/dashboard/\?closed=\d+$"))

    # The resident comes back: the new case shows the earlier one with its outcome.
    await _says(app, "ar", "/mens", hint="ar")
    await page.goto(f"{base}/dashboard/?language=ar")
    await page.get_by_test_id("case-row").click()
    earlier = page.get_by_test_id("history-case")
    await expect(earlier).to_have_count(1)
    await expect(earlier).to_contain_text("Vraagt om een mens")

    await page.goto(f"{base}/dashboard/closed")
    await expect(page.get_by_test_id("closed-row")).to_have_count(1)
    await expect(page.get_by_test_id("closed-date")).to_contain_text("20")
    await page.get_by_test_id("filter-worker").select_option("fatima")
    await page.get_by_test_id("filter-apply").click()
    await expect(page.get_by_test_id("closed-row")).to_have_count(1)
    await page.get_by_test_id("filter-q").fill("niemand-heet-zo")
    await page.get_by_test_id("filter-apply").click()
    await expect(page.get_by_test_id("closed-empty")).to_be_visible()
