"""Nights and weekends (issue 16): a family without a bed tonight, outside office hours, gets
the local night number of the opvang (flows/local.yaml), is never promised a worker tonight,
and their case is urgent."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import expect
from sqlmodel import select

from bot.app import DB, init_app
from bot.engine import load
from bot.escalation import DAYS
from storage.cases import Case
from tests.browser.conftest import app_config

ROOT = Path(__file__).resolve().parents[2]


def _closed_today() -> str:
    """Office hours on a day that is not today (nor tomorrow): now is outside them."""
    today = datetime.now(ZoneInfo("Europe/Amsterdam")).weekday()
    return f"{DAYS[(today + 3) % 7]} 09:00-17:00"


@pytest.fixture
async def server(aiohttp_server, tmp_path: Path):
    config = replace(app_config(tmp_path), office_hours=_closed_today())
    return await aiohttp_server(init_app(config))


async def test_at_night_a_family_without_a_bed_gets_the_night_number_and_an_urgent_case(
    browser, server
):
    page = await browser.new_page(viewport={"width": 390, "height": 844}, locale="nl-NL")
    await page.goto(str(server.make_url("/")))
    for label in ("Nederlands", "Een slaapplek", "Vannacht", "Ik heb kinderen bij me", "Nee"):
        await page.get_by_test_id("chat-button").filter(has_text=label).first.click()
        await expect(page.get_by_test_id("resident-message").last).to_have_text(label)
    said = page.get_by_test_id("bot-message")
    night = load(ROOT / "flows").local["opvang_nacht"]
    await expect(
        said.filter(has_text="Bel voor een slaapplek vannacht de nachtopvang")
    ).to_contain_text(night)
    await expect(said.filter(has_text="Vannacht kan ik niemand van het buurtteam")).to_have_count(1)
    await expect(said.filter(has_text="Een medewerker leest je bericht vanaf")).to_have_count(1)
    text = await page.get_by_test_id("messages").inner_text()
    assert "met je mee te zoeken naar een plek voor vannacht" not in text  # no promise tonight
    assert "nog invullen" in night  # the shipped example says it must be filled in
    async with server.app[DB].transaction() as s:
        case = (await s.exec(select(Case))).one()
    assert (case.priority, case.reason) == ("urgent", "no_bed")


async def test_at_night_typing_no_bed_tonight_gets_the_night_number_too(browser, server):
    page = await browser.new_page(viewport={"width": 390, "height": 844}, locale="nl-NL")
    await page.goto(str(server.make_url("/")))
    await page.get_by_test_id("chat-button").filter(has_text="Nederlands").click()
    await expect(page.get_by_test_id("bot-message").last).to_have_text("Waar kan ik je mee helpen?")
    await page.get_by_test_id("chat-text").fill("ik heb vannacht geen slaapplek")
    await page.get_by_test_id("chat-send").click()
    night = load(ROOT / "flows").local["opvang_nacht"]
    await expect(page.get_by_test_id("bot-message").last).to_contain_text(
        f"bel de nachtopvang, {night}"
    )
