"""A risk message written in another script than the conversation's language (issue 16): an
Arabic message in a conversation held in Dutch gets its lines in Dutch and in Arabic, through
the web chat and through Telegram (the Bot API stand-in)."""

from __future__ import annotations

from playwright.async_api import expect

from bot.app import CATALOGS
from bot.conversation.turn import CONTEXT
from bot.escalation import CRISIS_SUICIDE, HELP_NO_BED
from tests.browser.test_dashboard import quick_passwords, served  # noqa: F401
from tests.support.botapi import BotAPI

NO_BED = "ما عندي مكان انام فيه الليلة مع اطفالي"  # no place to sleep tonight, with my children
SUICIDE = "بدي انتحر"


def _arabic(app, msgid: str) -> str:
    text, language = app[CATALOGS].translate("ar", msgid, CONTEXT)
    assert language == "ar", msgid
    return text


async def test_the_web_chat_answers_an_arabic_message_in_dutch_and_arabic(browser, served):  # noqa: F811
    app, base = served
    page = await browser.new_page(viewport={"width": 390, "height": 844}, locale="nl-NL")
    await page.goto(base + "/")
    await page.get_by_test_id("chat-button").filter(has_text="Nederlands").click()
    await expect(page.get_by_test_id("bot-message").last).to_have_text("Waar kan ik je mee helpen?")
    for typed, msgid in ((NO_BED, HELP_NO_BED), (SUICIDE, CRISIS_SUICIDE)):
        await page.get_by_test_id("chat-text").fill(typed)
        await page.get_by_test_id("chat-send").click()
        lines = page.get_by_test_id("bot-message")
        await expect(lines.filter(has_text=msgid[:40])).not_to_have_count(0)
        arabic = _arabic(app, msgid)[:12]
        await expect(lines.filter(has_text=arabic)).not_to_have_count(0)


async def test_telegram_answers_an_arabic_message_in_dutch_and_arabic(served, botapi: BotAPI):  # noqa: F811
    app, _base = served
    chat = 7171
    await botapi.say(chat, "hallo", lang="nl")
    await botapi.click(chat, "Nederlands")
    for typed, msgid in ((NO_BED, HELP_NO_BED), (SUICIDE, CRISIS_SUICIDE)):
        replies = [r.text for r in await botapi.say(chat, typed, lang="nl")]
        assert msgid in replies, replies
        assert any(r.startswith(_arabic(app, msgid)[:12]) for r in replies), replies
