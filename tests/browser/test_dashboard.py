"""A social worker's day in a real browser (Playwright, Debian's Chromium), with the resident on
Telegram through the Bot API stand-in: the case appears live, the worker claims, replies (the
reply reaches the resident's chat), sees the answer appear live, and closes. Also: a wrong
password, a page without login, a form without its CSRF token, and two workers claiming one
case at the same moment."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from bot.app import CONVERSATIONS, DB
from bot.channels.telegram import TELEGRAM
from bot.config import Config
from bot.conversation import Inbound
from bot.dashboard import passwords, texts
from bot.engine import texts as engine_texts
from bot.escalation import CRISIS_SUICIDE
from tests.browser.conftest import screenshot_path
from tests.dashboard.conftest import PASSWORD, create_user, dashboard_app
from tests.support.botapi import BotAPI

ROOT = Path(__file__).resolve().parents[2]
CHAT = 4242
SUICIDE = "ik wil niet meer leven, ik heb alle pillen klaarliggen"
WIDE = {"width": 1360, "height": 900}
LIVE_MS = 10_000  # live updates come within a second; the margin is for a busy test machine


@pytest.fixture(autouse=True)
def quick_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    from argon2 import PasswordHasher

    monkeypatch.setattr(
        passwords, "hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


@pytest.fixture
async def served(aiohttp_server, botapi: BotAPI, tmp_path: Path):
    """The whole process (web chat, Telegram, dashboard) on a real port: (app, base URL)."""
    config = Config(
        telegram_token=botapi.token,
        telegram_api_base_url=botapi.base_url,
        database_url=f"sqlite:///{tmp_path / 'browser.db'}",
        flows_dir=ROOT / "flows",
        locales_dir=ROOT / "locales",
        spool_dir=tmp_path / "spool",
        office_hours="altijd",
        send_rate=0,
    )
    app = dashboard_app(config)
    server = await aiohttp_server(app)
    await asyncio.wait_for(app[TELEGRAM].ready.wait(), 10)
    await create_user(app[DB], "fatima")
    await create_user(app[DB], "noor")
    return app, str(server.make_url("/")).rstrip("/")


async def log_in(page: Page, base: str, name: str, password: str = PASSWORD) -> None:
    await page.goto(f"{base}/dashboard/login")
    await page.get_by_test_id("login-user").fill(name)
    await page.get_by_test_id("login-password").fill(password)
    await page.get_by_test_id("login-submit").click()
    await expect(page).to_have_url(f"{base}/dashboard/")


async def test_a_workers_journey_from_login_to_close(browser, served, botapi: BotAPI):
    _app, base = served
    page = await browser.new_page(viewport=WIDE)
    await page.goto(f"{base}/dashboard/")
    await expect(page).to_have_url(f"{base}/dashboard/login?next=/dashboard/")
    await page.get_by_test_id("login-user").fill("fatima")
    await page.screenshot(path=screenshot_path("dashboard-login"))
    await page.get_by_test_id("login-password").fill(PASSWORD)
    await page.get_by_test_id("login-submit").click()
    await expect(page).to_have_url(f"{base}/dashboard/")
    await expect(page.get_by_test_id("queue-empty")).to_be_visible()
    await page.evaluate("window.__sameDocument = true")

    # A resident writes on Telegram; a second one asks for a person.
    await botapi.say(CHAT, "hallo")
    replies = await botapi.say(CHAT, SUICIDE)
    assert replies[0].text == CRISIS_SUICIDE  # the crisis numbers came at once
    await botapi.say(5151, "/mens")

    rows = page.get_by_test_id("case-row")
    await expect(rows).to_have_count(2, timeout=LIVE_MS)  # live: no reload
    assert await page.evaluate("window.__sameDocument") is True
    urgent = rows.first
    await expect(urgent).to_have_attribute("data-priority", "urgent")
    await expect(urgent).to_contain_text("ik wil niet meer leven")
    await expect(page.get_by_test_id("urgent-banner")).to_be_visible()
    assert await page.evaluate("window.__buurtbotBeeps || 0") >= 1  # and it beeped
    await page.screenshot(path=screenshot_path("dashboard-queue-urgent"), full_page=True)
    assert str(CHAT) not in await page.content()  # never the chat id

    await urgent.click()
    await expect(page.get_by_test_id("claim")).to_be_visible()
    await page.get_by_test_id("claim").click()
    await expect(page.get_by_test_id("case-status")).to_contain_text("Opgepakt door fatima")

    reply = "Hallo, ik ben Fatima van het buurtteam. Ik lees je bericht. Ben je nu veilig?"
    await page.get_by_test_id("reply-text").fill(reply)
    await page.get_by_test_id("reply-send").click()
    signed = f"Fatima (buurtteam): {reply}"  # the name first, as on Telegram
    await botapi.wait_for(lambda: signed in botapi.texts(CHAT), 20)  # it reached the chat

    await page.evaluate("window.__sameDocument = true")
    botapi.text(CHAT, "Ja, ik ben thuis. Ik wil wel praten.")  # no bot line: Fatima answers
    transcript = page.get_by_test_id("transcript")
    await expect(transcript).to_contain_text(
        "Ja, ik ben thuis. Ik wil wel praten.", timeout=LIVE_MS
    )
    assert await page.evaluate("window.__sameDocument") is True  # live, no reload
    await page.screenshot(path=screenshot_path("dashboard-case"))  # what the worker sees

    await page.get_by_test_id("note-text").fill("Belt vanavond zelf 113; morgen nabellen.")
    await page.get_by_test_id("note-add").click()
    await expect(page.get_by_test_id("note")).to_contain_text("morgen nabellen")

    await page.get_by_test_id("close-case").click()
    await expect(page.get_by_test_id("close-confirm")).to_be_visible()
    await page.get_by_label("Doorverwezen").check()
    await page.screenshot(path=screenshot_path("dashboard-close"))
    await page.get_by_test_id("close-confirm").click()
    await expect(page).to_have_url(f"{base}/dashboard/?closed=1")
    await expect(page.get_by_test_id("case-row")).to_have_count(1)  # the other resident
    await botapi.wait_for(lambda: texts.CLOSED in botapi.texts(CHAT), 20)

    # Handed back to the bot: the next message gets the menu.
    after = await botapi.say(CHAT, "dank je")
    assert after[-1].text == engine_texts.MENU_ASK
    await page.screenshot(path=screenshot_path("dashboard-after-close"), full_page=True)


async def test_a_wrong_password_is_refused_politely(browser, served):
    _, base = served
    page = await browser.new_page()
    await page.goto(f"{base}/dashboard/login")
    await page.get_by_test_id("login-user").fill("fatima")
    await page.get_by_test_id("login-password").fill("not my password")
    await page.get_by_test_id("login-submit").click()
    await expect(page.get_by_test_id("login-error")).to_have_text(
        "Inloggen lukt niet. Controleer je naam en wachtwoord."
    )
    await expect(page).to_have_url(f"{base}/dashboard/login")
    await page.screenshot(path=screenshot_path("dashboard-wrong-password"))


async def test_pages_without_login_go_to_the_login_page(browser, served):
    app, base = served
    await app[CONVERSATIONS].receive(Inbound("web", "r1", text="/mens"))
    page = await browser.new_page()
    for path in ("/dashboard/", "/dashboard/cases/1", "/dashboard/audit"):
        response = await page.goto(f"{base}{path}")
        assert response is not None
        await expect(page).to_have_url(f"{base}/dashboard/login?next={path}")
        await expect(page.get_by_test_id("login-submit")).to_be_visible()
        assert "Bewoner-" not in await page.content()
    response = await page.request.get(f"{base}/dashboard/queue/rows")
    assert response.status == 401


async def test_a_form_without_its_csrf_token_is_refused(browser, served):
    app, base = served
    await app[CONVERSATIONS].receive(Inbound("web", "r1", text="/mens"))
    page = await browser.new_page(viewport=WIDE)
    await log_in(page, base, "fatima")
    await page.get_by_test_id("case-row").click()
    # Someone (or something) posts the claim form without the token.
    await page.evaluate("document.querySelectorAll('input[name=_csrf]').forEach(e => e.remove())")
    await page.get_by_test_id("claim").click()
    await expect(page.get_by_test_id("error-message")).to_contain_text("formulier is verlopen")
    await page.screenshot(path=screenshot_path("dashboard-csrf-refused"))
    status = await page.evaluate(
        "fetch('/dashboard/cases/1/claim', {method: 'POST', body: new URLSearchParams()})"
        ".then(r => r.status)"
    )
    assert status == 403
    async with app[DB].transaction() as s:
        from storage.cases import Case

        assert (await s.get(Case, 1)).status == "waiting"


async def test_two_workers_claim_one_case_at_the_same_moment(browser, served):
    app, base = served
    await app[CONVERSATIONS].receive(Inbound("web", "r1", text="/mens"))
    pages = []
    for name in ("fatima", "noor"):
        context = await browser.new_context(viewport=WIDE)
        page = await context.new_page()
        await log_in(page, base, name)
        await page.get_by_test_id("case-row").click()
        await expect(page.get_by_test_id("claim")).to_be_visible()
        pages.append(page)
    await asyncio.gather(*(p.get_by_test_id("claim").click() for p in pages))
    winners = []
    for page in pages:
        await page.wait_for_load_state()
        if await page.get_by_test_id("reply-text").count():
            winners.append(page)
    assert len(winners) == 1
    loser = pages[1] if winners[0] is pages[0] else pages[0]
    winner_name = "fatima" if winners[0] is pages[0] else "noor"
    await expect(loser.get_by_test_id("error-message")).to_have_text(
        f"Deze casus is al opgepakt door {winner_name}."
    )
    await loser.screenshot(path=screenshot_path("dashboard-claim-lost"))
    await winners[0].screenshot(path=screenshot_path("dashboard-claim-won"))


async def test_an_open_case_page_shows_a_colleagues_claim(browser, served):
    app, base = served
    await app[CONVERSATIONS].receive(Inbound("web", "r1", text="/mens"))
    watcher = await (await browser.new_context(viewport=WIDE)).new_page()
    await log_in(watcher, base, "noor")
    await watcher.get_by_test_id("case-row").click()
    claimer = await (await browser.new_context(viewport=WIDE)).new_page()
    await log_in(claimer, base, "fatima")
    await claimer.get_by_test_id("case-row").click()
    await claimer.get_by_test_id("claim").click()
    await expect(watcher.get_by_test_id("case-status")).to_contain_text(
        "Opgepakt door fatima", timeout=LIVE_MS
    )
    await expect(watcher.locator("#case-changed")).to_be_visible()


async def test_the_dashboard_is_calm_on_a_small_screen_too(browser, served):
    app, base = served
    await app[CONVERSATIONS].receive(Inbound("telegram", "9", payload="lang:ar"))
    await app[CONVERSATIONS].receive(Inbound("telegram", "9", text="أريد التحدث مع شخص /mens"))
    page = await browser.new_page(viewport={"width": 800, "height": 900})
    await log_in(page, base, "fatima")
    await page.get_by_test_id("case-row").click()
    await page.get_by_test_id("claim").click()
    await page.get_by_test_id("canned").select_option("kennismaken")
    await expect(page.get_by_test_id("reply-text")).to_have_value(
        "مرحبًا، أنا من فريق الحي (buurtteam). قرأت رسائلك. كيف يمكنني مساعدتك؟"
    )
    await page.screenshot(path=screenshot_path("dashboard-case-arabic-narrow"))


async def test_the_dashboard_in_english(browser, served):
    app, base = served
    await app[CONVERSATIONS].receive(Inbound("web", "r1", text="/mens"))
    page = await browser.new_page(viewport=WIDE)
    await log_in(page, base, "fatima")
    await page.get_by_role("link", name="English").click()
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Queue")
    await page.screenshot(path=screenshot_path("dashboard-queue-english"))


def test_no_web_assets_are_fetched_from_elsewhere():
    static = ROOT / "bot" / "dashboard" / "static"
    for path in static.iterdir():
        if path.is_dir():
            continue
        text = path.read_text(encoding="utf-8")
        assert "http://" not in text and "https://" not in text, path
    # Vendored libraries hold URLs as data (the SVG namespace, links in their messages): each
    # is listed with its source and licence, and tests/browser/test_flow_diagrams.py sees the
    # page that uses it make no request outside the app.
    vendor = static / "vendor"
    listed = (vendor / "README.md").read_text(encoding="utf-8")
    for path in vendor.glob("*.js"):
        assert f"`{path.name}`" in listed, path
