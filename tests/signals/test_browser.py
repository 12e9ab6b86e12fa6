"""The signals page in Chromium: charts per area drawn, and on paper (print media, A4) the
menu and the filters gone. Its screenshot is the README's (docs/img/signals.png)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from playwright.async_api import expect

from bot.app import DB
from bot.signals import record
from tests.browser.conftest import screenshot_path
from tests.dashboard.conftest import PASSWORD, create_user, dashboard_app

AREAS = {"Noord": 1.0, "Zuid": 0.7, "West": 0.45, "Centrum": 0.15}
CASES = (
    ("normal", "asked_for_person", 14),
    ("high", "no_bed", 5),
    ("normal", "repeated_contact", 4),
)
LANGUAGES = (("nl", 40), ("ar", 12), ("ti", 6), ("en", 4))
TOPICS = (("toeslagen", 18), ("geld", 14), ("opvang", 6))


async def seed(db, *, months: int = 4) -> None:
    """Made-up figures of a few months, the same every time."""
    pick = random.Random(22)
    start = datetime(2026, 8, 3, 10, tzinfo=UTC)
    async with db.transaction() as s:
        for day in range(0, months * 30, 3):
            when = start + timedelta(days=day)
            for area, size in AREAS.items():
                for priority, reason, rate in CASES:
                    for _ in range(pick.randint(0, round(rate * size / 3))):
                        await record.case_routed(
                            s, area=area, reason=reason, priority=priority, when=when
                        )
                for language, rate in LANGUAGES:
                    for _ in range(pick.randint(0, round(rate * size / 3))):
                        returning = pick.random() < 0.3
                        await record.contact(
                            s, area=area, language=language, returning=returning, when=when
                        )
                for flow, rate in TOPICS:
                    for _ in range(pick.randint(0, round(rate * size / 3))):
                        await record.topic(s, area=area, flow=flow, typed=True, when=when)


async def test_the_signals_page_on_screen_and_on_paper(aiohttp_server, browser, config):
    app = dashboard_app(config)
    server = await aiohttp_server(app)
    base = str(server.make_url("/")).rstrip("/")
    await seed(app[DB])
    await create_user(app[DB], "anna", role="admin")
    page = await browser.new_page(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    await page.goto(f"{base}/dashboard/login")
    await page.get_by_test_id("login-user").fill("anna")
    await page.get_by_test_id("login-password").fill(PASSWORD)
    await page.get_by_test_id("login-submit").click()
    await expect(page).to_have_url(f"{base}/dashboard/")
    await page.get_by_test_id("nav-signals").click()
    await expect(page).to_have_url(f"{base}/dashboard/signals")
    areas = page.get_by_test_id("signals-area")
    await expect(areas).to_have_count(len(AREAS))
    await expect(areas.first.locator("svg rect.bar").first).to_be_visible()
    await expect(page.get_by_test_id("signals-compare").first).to_be_visible()
    await page.screenshot(path=screenshot_path("signals"), full_page=False)
    await page.screenshot(path=screenshot_path("signals-full"), full_page=True)

    await page.emulate_media(media="print")
    await expect(page.get_by_test_id("signals-filter")).to_be_hidden()
    await expect(page.locator("header.top")).to_be_hidden()
    pdf = await page.pdf(format="A4", prefer_css_page_size=True)
    assert pdf.startswith(b"%PDF") and len(pdf) > 5_000
