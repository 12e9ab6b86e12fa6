"""A resident in a real browser: the web chat page, its buttons, typing, language, reload."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from playwright.async_api import expect

from bot.app import init_app
from tests.browser.conftest import app_config, screenshot_path


async def test_a_resident_talks_to_the_bot_in_the_browser(browser, base_url):
    page = await browser.new_page(viewport={"width": 390, "height": 800}, locale="nl-NL")  # a phone
    await page.goto(base_url + "/")
    messages = page.get_by_test_id("bot-message")
    await expect(messages.first).to_contain_text("computerprogramma en geen mens")
    await expect(page.get_by_test_id("bot-notice")).to_be_visible()
    await page.get_by_test_id("chat-button").filter(has_text="Nederlands").click()
    await page.get_by_test_id("chat-button").filter(has_text="Toeslagen").click()
    await expect(messages.last).to_have_text("Waar gaat je vraag over?")
    # Typing instead of pressing works too.
    await page.get_by_test_id("chat-text").fill("Een toeslag aanvragen")
    await page.get_by_test_id("chat-send").click()
    await expect(messages.last).to_have_text("Heb je DigiD?")
    await page.screenshot(path=screenshot_path("webchat-phone"), full_page=True)

    # A reload keeps the conversation.
    count = await messages.count()
    await page.reload()
    await expect(messages).to_have_count(count)
    await expect(messages.last).to_have_text("Heb je DigiD?")


async def test_the_browser_language_is_the_first_guess(browser, base_url):
    page = await browser.new_page(locale="en-GB")
    await page.goto(base_url + "/")
    await expect(page.get_by_test_id("bot-message").first).to_contain_text("computer program")


async def test_arabic_turns_the_page_right_to_left(browser, base_url):
    page = await browser.new_page(locale="nl-NL")
    await page.goto(base_url + "/")
    await expect(page.get_by_test_id("bot-message").first).to_be_visible()
    await page.get_by_test_id("language").select_option("ar")
    await expect(page.locator("html")).to_have_attribute("dir", "rtl")
    await expect(page.locator("html")).to_have_attribute("lang", "ar")
    # The whole page speaks Arabic now: the notice, and the bot's answer.
    await expect(page.get_by_test_id("bot-notice")).not_to_contain_text("computerprogramma")
    await expect(page.get_by_test_id("bot-message").last).not_to_contain_text("Waar kan ik")
    await page.screenshot(path=screenshot_path("webchat-arabic"), full_page=True)


@pytest.fixture
async def simulator_url(aiohttp_server, tmp_path: Path) -> str:
    """The app with a worker, fatima, who may use the simulator."""
    from bot.app import DB
    from tests.dashboard.conftest import create_user

    server = await aiohttp_server(init_app(app_config(tmp_path)))
    await create_user(server.app[DB], "fatima")
    return str(server.make_url("/")).rstrip("/")


async def test_the_simulator_shows_flow_node_and_answers(browser, simulator_url):
    from tests.dashboard.conftest import PASSWORD

    base_url = simulator_url
    page = await browser.new_page(viewport={"width": 1100, "height": 800}, locale="nl-NL")
    # Behind the dashboard login: the simulator sends to the login page, and back.
    await page.goto(base_url + "/simulator")
    await expect(page).to_have_url(f"{base_url}/dashboard/login?next=/simulator")
    await page.get_by_test_id("login-user").fill("fatima")
    await page.get_by_test_id("login-password").fill(PASSWORD)
    await page.get_by_test_id("login-submit").click()
    await expect(page).to_have_url(f"{base_url}/simulator")
    await page.get_by_test_id("chat-button").filter(has_text="Nederlands").click()
    await expect(page.get_by_test_id("sim-flow")).to_have_text("_menu")
    await page.get_by_test_id("chat-button").filter(has_text="Toeslagen").click()
    await page.get_by_test_id("chat-button").filter(has_text="Welke toeslag past bij mij?").click()
    await page.get_by_test_id("chat-button").filter(has_text="Ja, ik huur").click()
    await expect(page.get_by_test_id("sim-node")).to_have_text("zorg_vraag")
    await expect(page.get_by_test_id("sim-vars")).to_contain_text('"toeslag_huurt": "ja"')
    await page.screenshot(path=screenshot_path("simulator"), full_page=True)
    # A message that shows risk: the panel names the level, the words that matched and the
    # category in words, and the case it would open; a test case, not one in the real queue.
    await page.get_by_test_id("chat-text").fill("ik heb vannacht geen slaapplek")
    await page.get_by_test_id("chat-send").click()
    await expect(page.get_by_test_id("sim-risk")).to_have_text(
        "Hoog: «geen slaapplek» (Geen slaapplek vannacht)"
    )
    await expect(page.get_by_test_id("sim-case")).to_have_text(
        "Dit zou een hoge casus openen: Geen slaapplek vannacht"
    )
    await expect(page.get_by_test_id("sim-case")).to_be_in_viewport()
    await expect(page.get_by_test_id("sim-content")).to_contain_text(
        "Je wijzigingen in de flows zijn binnen een paar seconden hier te proberen."
    )
    await page.screenshot(path=screenshot_path("simulator-case"), full_page=True)
    await page.goto(base_url + "/dashboard/")
    await expect(page.get_by_test_id("queue-empty")).to_be_visible()
    await page.goto(base_url + "/simulator")
    await page.get_by_test_id("sim-reset").click()
    await expect(page.get_by_test_id("bot-message")).to_have_count(2)  # greeting, languages
    await expect(page.get_by_test_id("sim-flow")).to_have_text("–")  # greeted, nothing open


async def test_messages_typed_quickly_one_after_another_all_arrive_in_order(browser, base_url):
    page = await browser.new_page(locale="nl-NL")
    await page.goto(base_url + "/")
    await expect(page.get_by_test_id("bot-message").first).to_be_visible()
    box = page.get_by_test_id("chat-text")
    for text in ("eerste", "tweede", "derde"):  # no waiting for the answers in between
        await box.fill(text)
        await box.press("Enter")
    mine = page.get_by_test_id("resident-message")
    await expect(mine).to_have_count(3)  # the page's opening "/start" is no bubble
    assert await mine.all_inner_texts() == ["eerste", "tweede", "derde"]


async def test_a_message_whose_answer_was_lost_is_handled_once_when_sent_again(browser, base_url):
    """The server stored the message, but its answer never reached the page (a proxy's 502, a
    dropped connection). The page tries again by itself, and the resident presses send again
    too: both carry the same id, and the server handles the message once."""
    page = await browser.new_page(locale="nl-NL")
    await page.goto(base_url + "/")
    await expect(page.get_by_test_id("bot-message")).to_have_count(2)
    await page.route("**/chat/api/messages*", lambda route: route.abort())  # no polls meanwhile
    sent: list[dict] = []

    async def lose_the_first_answer(route) -> None:
        sent.append(route.request.post_data_json)
        if len(sent) == 1:
            await route.fetch()  # the server handles it ...
            await route.fulfill(status=502, body="Bad Gateway")  # ... the page never hears
        else:
            await route.continue_()

    await page.route("**/chat/api/send", lose_the_first_answer)
    box = page.get_by_test_id("chat-text")
    await box.fill("/hulp")
    await box.press("Enter")
    await expect(page.get_by_role("status")).to_have_text(
        "Versturen lukt nu even niet. Ik probeer het vanzelf opnieuw."
    )
    await expect(box).to_have_value("/hulp")  # kept until it arrived
    await page.get_by_test_id("chat-send").click()  # the resident tries too: at once, not twice
    await expect(box).to_have_value("")
    await expect(page.get_by_role("status")).to_be_empty()
    mine = page.get_by_test_id("resident-message")
    assert await mine.all_inner_texts() == ["/hulp"]
    assert len(sent) == 2 and sent[1]["id"] == sent[0]["id"]
    # The same words once more, now that the first arrived: a message of its own.
    await box.fill("/hulp")
    await box.press("Enter")
    await expect(mine).to_have_count(2)
    assert sent[2]["id"] != sent[0]["id"]


async def test_messages_sent_while_the_server_is_away_arrive_by_themselves_in_order(
    browser, base_url
):
    """The server answers 503 for a few seconds (restarting, its database away): the page
    keeps trying without the resident doing anything, and what was typed meanwhile follows
    in order. A refusal (4xx) is not tried again."""
    page = await browser.new_page(locale="nl-NL")
    await page.goto(base_url + "/")
    await expect(page.get_by_test_id("bot-message")).to_have_count(2)
    away = {"tries": 0}

    async def restarting(route) -> None:
        if away["tries"] < 3:
            away["tries"] += 1
            await route.fulfill(status=503, body="Service Unavailable")
        else:
            await route.continue_()

    await page.route("**/chat/api/send", restarting)
    box = page.get_by_test_id("chat-text")
    for text in ("eerste", "tweede"):
        await box.fill(text)
        await box.press("Enter")
    await expect(page.get_by_role("status")).to_have_text(
        "Versturen lukt nu even niet. Ik probeer het vanzelf opnieuw."
    )
    mine = page.get_by_test_id("resident-message")
    await expect(mine).to_have_count(2, timeout=15_000)  # tries after 1, 2 and 4 s
    assert await mine.all_inner_texts() == ["eerste", "tweede"]
    await expect(page.get_by_role("status")).to_be_empty()
    assert away["tries"] == 3

    await page.unroute("**/chat/api/send")
    refused = {"tries": 0}

    async def refuse(route) -> None:
        refused["tries"] += 1
        await route.fulfill(status=400, body="empty message")

    await page.route("**/chat/api/send", refuse)
    await box.fill("derde")
    await box.press("Enter")
    await expect(page.get_by_role("status")).to_have_text(
        "Versturen lukt nu niet. Probeer het zo opnieuw."
    )
    await page.wait_for_timeout(1500)
    assert refused["tries"] == 1
    await expect(box).to_have_value("derde")


async def test_a_message_the_server_keeps_failing_on_does_not_hold_up_the_rest(browser, base_url):
    """After ten tries (about two minutes; the page's clock is run forward here) the page
    stops, says so, keeps the text in the box, and the next message goes out."""
    page = await browser.new_page(locale="nl-NL")
    await page.clock.install()
    await page.goto(base_url + "/")
    await expect(page.get_by_test_id("bot-message")).to_have_count(2)
    tries = {"n": 0}

    async def failing(route) -> None:
        if (route.request.post_data_json or {}).get("text") == "kapot":
            tries["n"] += 1
            await route.fulfill(status=500, body="Internal Server Error")
        else:
            await route.continue_()

    await page.route("**/chat/api/send", failing)
    box = page.get_by_test_id("chat-text")
    await box.fill("kapot")
    await box.press("Enter")
    for _ in range(40):  # each wait on the page's clock, then its try as a real request
        await page.clock.run_for(16_000)
        await asyncio.sleep(0.1)
        if tries["n"] >= 10:
            break
    await expect(page.get_by_role("status")).to_have_text(
        "Versturen lukt nu niet. Probeer het zo opnieuw."
    )
    await page.clock.run_for(60_000)
    assert tries["n"] == 10
    await expect(box).to_have_value("kapot")
    await box.fill("hallo")
    await box.press("Enter")
    await expect(page.get_by_test_id("resident-message").last).to_have_text("hallo")


async def test_pressing_send_twice_while_the_answer_is_on_its_way_sends_once(browser, base_url):
    page = await browser.new_page(locale="nl-NL")
    await page.goto(base_url + "/")
    await expect(page.get_by_test_id("bot-message")).to_have_count(2)
    posts: list[dict] = []

    async def slow(route) -> None:
        posts.append(route.request.post_data_json)
        await asyncio.sleep(0.5)  # a slow connection: the box still shows the text
        await route.continue_()

    await page.route("**/chat/api/send", slow)
    box = page.get_by_test_id("chat-text")
    await box.fill("/hulp")
    await box.press("Enter")
    await box.press("Enter")  # impatient
    await expect(box).to_have_value("")
    await page.wait_for_timeout(1000)
    mine = page.get_by_test_id("resident-message")
    assert await mine.all_inner_texts() == ["/hulp"]
    assert len(posts) == 1
