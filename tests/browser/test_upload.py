"""A resident sends a photo of a letter from the web chat page in a real browser (issue 19):
the bot offers a person, and the photo is kept for the case that opens."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import expect
from sqlmodel import select

from bot.conversation.steps import media
from storage.attachments import Attachment
from storage.cases import Case
from storage.db import Database
from tests.browser.conftest import app_config

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(2000)


async def test_a_photo_from_the_page_reaches_the_case(browser, base_url, tmp_path: Path):
    letter = tmp_path / "brief.jpg"
    letter.write_bytes(JPEG)
    page = await browser.new_page(viewport={"width": 390, "height": 800}, locale="nl-NL")
    await page.goto(base_url + "/")
    messages = page.get_by_test_id("bot-message")
    await page.get_by_test_id("chat-button").filter(has_text="Nederlands").click()
    await expect(messages.last).to_have_text("Waar kan ik je mee helpen?")
    await expect(page.get_by_test_id("chat-attach")).to_be_visible()
    await page.get_by_test_id("chat-file").set_input_files(str(letter))
    await expect(messages.last).to_have_text(media.PHOTO_OFFER)
    await expect(page.get_by_test_id("resident-message").last).to_have_text("[photo]")
    await page.get_by_test_id("chat-button").filter(has_text="Met een mens praten").click()
    await expect(messages.last).not_to_have_text(media.PHOTO_OFFER)

    db = Database(app_config(tmp_path).database_url)  # the app's own database file
    try:
        async with db.transaction() as s:
            [photo] = (await s.exec(select(Attachment))).all()
            [case] = (await s.exec(select(Case))).all()
    finally:
        await db.dispose()
    assert photo.data == JPEG and photo.resident_id == case.resident_id
    assert case.reason == "asked_for_person"
