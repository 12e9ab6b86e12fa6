"""Two-step login in a real browser: the password, then the code from the app."""

from __future__ import annotations

from pathlib import Path

import pyotp
import pytest
from playwright.async_api import expect

from bot.app import DB
from bot.dashboard.two_step import set_up
from tests.browser.conftest import screenshot_path
from tests.dashboard.conftest import PASSWORD, create_user, dashboard_app
from tests.webchat.conftest import web_config


@pytest.fixture
async def served(aiohttp_server, tmp_path: Path) -> tuple[str, pyotp.TOTP]:
    app = dashboard_app(web_config(tmp_path))
    server = await aiohttp_server(app)
    await create_user(app[DB], "fatima")
    uri, _ = await set_up(app[DB], "fatima")
    return str(server.make_url("/")).rstrip("/"), pyotp.TOTP(pyotp.parse_uri(uri).secret)


async def test_logging_in_with_a_code(browser, served):
    base, totp = served
    page = await browser.new_page(locale="nl-NL")
    await page.goto(f"{base}/dashboard/")
    await page.get_by_test_id("login-user").fill("fatima")
    await page.get_by_test_id("login-password").fill(PASSWORD)
    await page.get_by_test_id("login-submit").click()
    code = page.get_by_test_id("login-code")
    await expect(code).to_be_visible()
    await expect(code).to_be_focused()
    await page.screenshot(path=screenshot_path("dashboard-login-code"))
    await code.fill("000000")
    await page.get_by_test_id("login-submit").click()
    await expect(page.get_by_test_id("login-error")).to_contain_text("Die code klopt niet")
    await page.get_by_test_id("login-code").fill(totp.now())
    await page.get_by_test_id("login-submit").click()
    await expect(page).to_have_url(f"{base}/dashboard/")
    await expect(page.get_by_test_id("waiting-count")).to_be_visible()
