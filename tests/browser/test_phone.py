"""The web chat on a phone screen (issue 16): the message list scrolls on its own, the header,
the answer buttons and the text box stay on the screen; the list follows new messages only
when the resident is at the bottom, and never moves a resident who reads back up. Also:
phone numbers and addresses are links, there is no "/start" bubble, and Tigrinya and Arabic
have a font of the app's own."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import screenshot_path

PHONES = {"390x844": (390, 844), "360x640": (360, 640)}
LONG = (
    "Ik heb een lange vraag over mijn huur en mijn toeslag, want sinds de zomer klopt er "
    "iets niet met de brieven die ik krijg, en ik weet niet wat ik moet doen of wie ik bel. "
) * 3


async def _open(browser, base_url: str, size: tuple[int, int], lang: str) -> Page:
    width, height = size
    page = await browser.new_page(viewport={"width": width, "height": height}, locale="nl-NL")
    await page.goto(base_url + "/")
    await expect(page.get_by_test_id("bot-message").first).to_be_visible()
    if lang == "nl":
        await page.get_by_test_id("chat-button").filter(has_text="Nederlands").click()
    else:
        await page.get_by_test_id("language").select_option(lang)
        await expect(page.locator("html")).to_have_attribute("dir", "rtl")
    await expect(page.get_by_test_id("chat-button").first).to_be_visible()
    return page


async def _on_screen(page: Page, test_id: str) -> None:
    """The element is inside the window (not below it, not scrolled away). 0.98, not 1: the
    list scrolls in whole pixels and a bubble's height can be fractional (0.3 px of a
    three-button answer's question stayed below the edge), which nobody sees."""
    await expect(page.get_by_test_id(test_id).last).to_be_in_viewport(ratio=0.98)


async def _list(page: Page, what: str):
    return await page.get_by_test_id("messages").evaluate(what)


@pytest.mark.parametrize("lang", ["nl", "ar"])
@pytest.mark.parametrize("size", PHONES.values(), ids=PHONES.keys())
async def test_on_a_phone_the_buttons_and_the_text_box_stay_on_the_screen(
    browser, base_url, size, lang
):
    page = await _open(browser, base_url, size, lang)
    for n in range(4):  # long messages, so the conversation is much taller than the screen
        count = await page.get_by_test_id("bot-message").count()
        await page.get_by_test_id("chat-text").fill(f"{n + 1}. {LONG}")  # each one different
        await page.get_by_test_id("chat-send").click()
        await expect(page.get_by_test_id("bot-message")).not_to_have_count(count)
    await expect(page.get_by_test_id("chat-button").first).to_be_visible()
    # The page itself does not scroll: the list does.
    assert await page.evaluate("document.scrollingElement.scrollTop") == 0
    assert await page.evaluate("document.scrollingElement.scrollHeight <= window.innerHeight + 1")
    assert await _list(page, "m => m.scrollHeight > m.clientHeight + 200")
    for test_id in ("bot-notice", "language", "chat-button", "chat-text", "chat-send"):
        await _on_screen(page, test_id)
    # The buttons are above the text box, and the newest message is in view.
    buttons = await page.get_by_test_id("buttons").bounding_box()
    box = await page.get_by_test_id("chat-text").bounding_box()
    assert buttons["y"] + buttons["height"] <= box["y"] + 0.5
    assert await _list(page, "m => m.scrollHeight - m.scrollTop - m.clientHeight < 50")
    await page.screenshot(path=screenshot_path(f"phone-{lang}-{size[0]}x{size[1]}"))


@pytest.mark.parametrize("lang", ["nl", "ar"])
async def test_a_resident_reading_back_is_not_moved_and_one_at_the_bottom_is_followed(
    browser, base_url, lang
):
    page = await _open(browser, base_url, PHONES["360x640"], lang)
    for n in range(3):
        count = await page.get_by_test_id("bot-message").count()
        await page.get_by_test_id("chat-text").fill(f"{n + 1}. {LONG}")
        await page.get_by_test_id("chat-send").click()
        await expect(page.get_by_test_id("bot-message")).not_to_have_count(count)
    # Reading back up: the polls (every 2 seconds) leave the list where it is...
    await _list(page, "m => { m.scrollTop = 40; }")
    await page.wait_for_timeout(4500)
    assert await _list(page, "m => m.scrollTop") == 40
    # ... and so does a new message (sent from elsewhere, e.g. another tab of the same chat).
    count = await page.get_by_test_id("bot-message").count()
    sent = await page.request.post(base_url + "/chat/api/send", data={"text": "/hulp"})
    assert sent.ok
    await expect(page.get_by_test_id("bot-message")).not_to_have_count(count, timeout=6000)
    assert await _list(page, "m => m.scrollTop") == 40
    await expect(page.get_by_test_id("new-below")).to_be_visible()  # "New message ↓"
    # At the bottom, new messages are followed.
    await page.get_by_test_id("new-below").click()
    await expect(page.get_by_test_id("new-below")).to_be_hidden()
    count = await page.get_by_test_id("bot-message").count()
    assert (await page.request.post(base_url + "/chat/api/send", data={"text": LONG})).ok
    await expect(page.get_by_test_id("bot-message")).not_to_have_count(count, timeout=6000)
    await page.wait_for_timeout(300)
    assert await _list(page, "m => m.scrollHeight - m.scrollTop - m.clientHeight < 50")
    await _on_screen(page, "bot-message")


async def test_phone_numbers_and_addresses_are_links_built_from_text(browser, base_url):
    page = await _open(browser, base_url, PHONES["390x844"], "nl")
    await page.get_by_test_id("chat-text").fill("ik wil niet meer leven")
    await page.get_by_test_id("chat-send").click()
    crisis = page.get_by_test_id("bot-message").filter(has_text="0800-0113").first
    await expect(crisis.locator('a[href="tel:112"]')).to_have_text("112")
    await expect(crisis.locator('a[href="tel:08000113"]')).to_have_text("0800-0113")
    await expect(crisis.locator('a[href="https://113.nl"]')).to_have_text("113.nl")
    # What someone writes stays text: markup in a message is shown, never made into elements.
    typed = '<b>vet</b> <img src=x onerror="document.title=1"> bel 0800-2000'
    await page.get_by_test_id("chat-text").fill(typed)
    await page.get_by_test_id("chat-send").click()
    mine = page.get_by_test_id("resident-message").last
    await expect(mine).to_contain_text("<b>vet</b>")
    assert await mine.locator("b, img").count() == 0
    await expect(mine.locator('a[href="tel:08002000"]')).to_have_text("0800-2000")


async def test_the_first_contact_starts_without_a_resident_bubble(browser, base_url):
    page = await browser.new_page(viewport={"width": 390, "height": 844}, locale="nl-NL")
    await page.goto(base_url + "/")
    await expect(page.get_by_test_id("bot-message")).to_have_count(2)  # greeting, languages
    await expect(page.get_by_test_id("resident-message")).to_have_count(0)
    await page.reload()
    await expect(page.get_by_test_id("bot-message")).to_have_count(2)
    await expect(page.get_by_test_id("resident-message")).to_have_count(0)


async def test_one_person_button_under_a_question(browser, base_url):
    page = await _open(browser, base_url, PHONES["390x844"], "nl")
    await page.get_by_test_id("chat-button").filter(has_text="slaapplek").click()
    await expect(page.get_by_test_id("bot-message").last).to_have_text(
        "Wanneer heb je een slaapplek nodig?"
    )
    labels = await page.get_by_test_id("chat-button").all_inner_texts()
    person = [label for label in labels if "praten" in label]
    assert person == ["Ik wil met iemand praten"], labels


@pytest.mark.parametrize(
    ("family", "sample"), [("Noto Sans Ethiopic", "ሰላም"), ("Noto Sans Arabic", "مرحبا")]
)
async def test_tigrinya_and_arabic_have_a_font_served_by_the_app(browser, base_url, family, sample):
    page = await browser.new_page(locale="nl-NL")
    fonts: list[str] = []
    page.on("response", lambda r: fonts.append(r.url) if r.url.endswith(".woff2") else None)
    await page.goto(base_url + "/")
    loaded = await page.evaluate(
        '([family, sample]) => document.fonts.load(`16px "${family}"`, sample)'
        ".then(found => found.map(f => f.status))",
        [family, sample],
    )
    assert loaded and set(loaded) == {"loaded"}, loaded
    assert any(url.startswith(base_url + "/chat/static/fonts/") for url in fonts), fonts
    licence = await page.request.get(
        base_url + f"/chat/static/fonts/OFL-{family.lower().replace(' ', '-')}.txt"
    )
    assert licence.ok and "SIL Open Font License" in await licence.text()


@pytest.mark.parametrize("lang", ["nl", "ar", "ti"])
async def test_screenshots_of_a_phone_conversation(browser, base_url, lang):
    """The README's pictures (docs/img/webchat-phone-*.png are copied from test-artifacts/)."""
    page = await browser.new_page(viewport={"width": 390, "height": 844}, locale="nl-NL")
    await page.goto(base_url + "/")
    await expect(page.get_by_test_id("bot-message").first).to_be_visible()
    await page.get_by_test_id("language").select_option(lang)
    await expect(page.locator("html")).to_have_attribute("lang", lang)
    await expect(page.get_by_test_id("chat-button")).to_have_count(4)  # the menu
    count = await page.get_by_test_id("bot-message").count()
    await page.get_by_test_id("chat-button").nth(2).click()  # the third topic: a place to sleep
    await expect(page.get_by_test_id("bot-message")).not_to_have_count(count)
    await expect(page.get_by_test_id("chat-button").first).to_be_visible()
    await page.evaluate("document.fonts.ready")
    await page.mouse.move(1, 1)  # no button under the pointer in the picture
    await _on_screen(page, "chat-text")
    await page.screenshot(path=screenshot_path(f"webchat-phone-{lang}"))
