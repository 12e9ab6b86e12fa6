"""A person is visibly a person (issue 16): a worker chooses the name residents see in their
account settings; in the web chat their replies carry that name and "buurtteam", styled apart
from the bot's, and the header says who answers now; on Telegram the reply starts with
"Sanne (buurtteam):" in bold, its phone number marked. While the worker holds the case the
bot adds no lines of its own, crisis lines excepted. When the worker answers and the resident
is not looking: the tab title changes, a soft sound, a notification where allowed, and "Nieuw
bericht" until the resident looks."""

from __future__ import annotations

from playwright.async_api import Page, expect

from bot.escalation import RELAYED
from tests.browser.conftest import screenshot_path
from tests.browser.test_dashboard import LIVE_MS, WIDE, log_in, quick_passwords, served  # noqa: F401
from tests.support.botapi import BotAPI

CHAT = 5353
# Lets the test take the resident's tab to the background and back, as switching tabs does.
VISIBILITY = """
window.__setHidden = (hidden) => {
  Object.defineProperty(document, "hidden", { configurable: true, get: () => hidden });
  Object.defineProperty(document, "visibilityState", {
    configurable: true, get: () => (hidden ? "hidden" : "visible") });
  document.dispatchEvent(new Event("visibilitychange"));
};
"""


async def _choose_display_name(worker: Page, base: str, name: str) -> None:
    await worker.get_by_test_id("account").click()
    await expect(worker).to_have_url(f"{base}/dashboard/account")
    await worker.get_by_test_id("account-display-name").fill(name)
    await worker.get_by_test_id("account-save").click()
    await expect(worker.get_by_test_id("account-saved")).to_be_visible()
    await expect(worker.get_by_test_id("account-display-name")).to_have_value(name)


async def _claim_and_reply(worker: Page, base: str, row_text: str, reply: str) -> None:
    await worker.goto(f"{base}/dashboard/")
    await worker.get_by_test_id("case-row").filter(has_text=row_text).click()
    await worker.get_by_test_id("claim").click()
    await expect(worker.get_by_test_id("case-status")).to_contain_text("Opgepakt")
    await worker.get_by_test_id("reply-text").fill(reply)
    await worker.get_by_test_id("reply-send").click()


async def test_a_workers_reply_is_visibly_a_person_in_the_web_chat(browser, served):  # noqa: F811
    _app, base = served
    context = await browser.new_context(viewport={"width": 390, "height": 844}, locale="nl-NL")
    await context.grant_permissions(["notifications"], origin=base)
    await context.add_init_script(VISIBILITY)
    resident = await context.new_page()
    await resident.goto(base + "/")
    await resident.get_by_test_id("chat-button").filter(has_text="Nederlands").click()
    await resident.get_by_test_id("chat-text").fill("ik wil een mens spreken over mijn huur")
    await resident.get_by_test_id("chat-send").click()
    await expect(resident.get_by_test_id("bot-message").last).to_contain_text("medewerker")
    await expect(resident.get_by_test_id("bot-notice")).to_contain_text("computerprogramma")

    worker = await browser.new_page(viewport=WIDE)
    await log_in(worker, base, "fatima")
    await _choose_display_name(worker, base, "Sanne")
    await resident.evaluate("window.__setHidden(true)")  # the resident went to another tab
    await _claim_and_reply(worker, base, "mijn huur", "Hallo, ik ben Sanne. Bel gerust 0800-8115.")

    said = resident.get_by_test_id("worker-message")
    await expect(said).to_have_count(1, timeout=LIVE_MS)
    await expect(said.get_by_test_id("sender")).to_have_text("Sanne · buurtteam")
    await expect(said.locator('a[href="tel:08008115"]')).to_have_text("0800-8115")
    bot_colour = await resident.get_by_test_id("bot-message").last.evaluate(
        "e => getComputedStyle(e).backgroundColor"
    )
    assert await said.evaluate("e => getComputedStyle(e).backgroundColor") != bot_colour
    await expect(resident.get_by_test_id("bot-notice")).to_contain_text("Sanne")
    await expect(resident.get_by_test_id("bot-notice")).not_to_contain_text("computerprogramma")
    # Not looking: the title, a sound, a notification, and "Nieuw bericht" above the message.
    await expect(resident).to_have_title("● Sanne van het buurtteam heeft geantwoord")
    await expect(resident.get_by_test_id("new-message")).to_be_visible()
    assert await resident.evaluate("Number(document.body.dataset.chimes || 0)") >= 1
    assert await resident.evaluate("Number(document.body.dataset.notified || 0)") == 1
    await resident.evaluate("window.__setHidden(false)")  # back: the resident sees it
    await expect(resident.get_by_test_id("new-message")).to_have_count(0)
    await expect(resident).to_have_title("Buurtbot")
    await resident.screenshot(path=screenshot_path("webchat-person"))

    # The resident answers: no "your message is waiting" line cuts in while Sanne is there.
    bot_lines = await resident.get_by_test_id("bot-message").count()
    await resident.get_by_test_id("chat-text").fill("Dank je, ik bel ze morgen.")
    await resident.get_by_test_id("chat-send").click()
    await expect(resident.get_by_test_id("resident-message").last).to_have_text(
        "Dank je, ik bel ze morgen."
    )
    await resident.wait_for_timeout(2500)  # a poll
    await expect(resident.get_by_test_id("bot-message")).to_have_count(bot_lines)
    assert RELAYED not in await resident.get_by_test_id("messages").inner_text()
    # Crisis lines still come at once.
    await resident.get_by_test_id("chat-text").fill("ik wil niet meer leven")
    await resident.get_by_test_id("chat-send").click()
    await expect(resident.get_by_test_id("bot-message").last).to_contain_text("0800-0113")


async def test_on_telegram_a_workers_reply_starts_with_their_name(
    browser,
    served,  # noqa: F811
    botapi: BotAPI,
):
    _app, base = served
    await botapi.say(CHAT, "/mens")
    worker = await browser.new_page(viewport=WIDE)
    await log_in(worker, base, "noor")
    await _choose_display_name(worker, base, "Sanne")
    await _claim_and_reply(worker, base, "", "Hallo, ik ben er. Bel gerust Geldfit: 0800-8115.")
    expected = "Sanne (buurtteam): Hallo, ik ben er. Bel gerust Geldfit: 0800-8115."
    await botapi.wait_for(lambda: expected in botapi.texts(CHAT), 20)
    entities = [m for m in botapi.sent_to(CHAT) if m.text == expected][-1].entities
    assert {"type": "bold", "offset": 0, "length": len("Sanne (buurtteam):")} in entities
    number = expected.index("0800-8115")
    assert {"type": "phone_number", "offset": number, "length": 9} in entities
    # The resident answers: nothing from the bot cuts in while Sanne holds the case.
    before = len(botapi.sent_to(CHAT))
    botapi.text(CHAT, "Dank je wel")
    await worker.wait_for_timeout(2500)
    assert len(botapi.sent_to(CHAT)) == before
