"""End to end in webhook mode: Telegram posts an update again when it never got the answer to
the first post. The second delivery is recognised by its update_id (storage/handled.py): the
resident's flow moves once, the transcript holds the message once, and no reply comes twice,
except a crisis line, which is sent at least once."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from sqlmodel import select

from bot import escalation
from bot.app import DB
from bot.conversation.steps import (
    media,  # the text-only answer is the conversation path's (issue 14)
)
from storage import residents as resident_db
from storage import transcripts as transcript_db
from storage.cases import Case
from storage.handled import HandledMessage
from tests.support.botapi import BotAPI
from tests.telegram.conftest import free_port, running

CHAT = 5151
SECRET = "redelivery-secret"


def hooked(config, port: int):
    url = f"http://127.0.0.1:{port}/telegram/webhook"
    return replace(config, webhook_url=url, webhook_secret=SECRET)


async def stored(app, chat: int = CHAT) -> tuple[list[str], list[str]]:
    """(messages in, messages out) of `chat`'s transcript."""
    async with app[DB].transaction() as s:
        resident = await resident_db.find_resident(s, "telegram", str(chat))
        entries = await transcript_db.transcript(s, resident.id)
    return [e.text for e in entries if e.direction == "in"], [
        e.text for e in entries if e.direction == "out"
    ]


async def again(botapi, update) -> None:
    """Post `update` a second time; wait until that post was answered, and a while longer
    for anything it might have queued to be sent."""
    botapi.redeliver(update)
    await botapi.wait_for(lambda: botapi.posted(update) == 2)
    await asyncio.sleep(0.5)
    await botapi.settle(quiet=0.3)


async def test_a_text_and_a_press_posted_twice_are_handled_once(botapi, config):
    port = free_port()
    async with running(hooked(config, port), port=port) as app:
        await botapi.say(CHAT, "hallo")
        menu = (await botapi.click(CHAT, "Nederlands"))[-1]
        count = len(botapi.sent_to(CHAT))
        press = botapi.press(CHAT, menu.buttons[0][0])
        question = (await botapi.replies(CHAT, count))[-1]
        await botapi.settle(quiet=0.3)
        sent = botapi.texts(CHAT)
        before = await stored(app)

        await again(botapi, press)
        assert botapi.texts(CHAT) == sent
        assert await stored(app) == before  # the flow did not take the press twice

        typed = botapi.text(CHAT, question.buttons[0][0])  # a typed answer to the question
        await botapi.wait_for(lambda: len(botapi.sent_to(CHAT)) > len(sent))
        await botapi.settle(quiet=0.3)
        sent, before = botapi.texts(CHAT), await stored(app)
        await again(botapi, typed)
        assert botapi.texts(CHAT) == sent
        assert await stored(app) == before
        assert before[0].count(question.buttons[0][0]) == 1

        async with app[DB].transaction() as s:
            keys = {k.key for k in (await s.exec(select(HandledMessage))).all()}
        bot_id = botapi.token.partition(":")[0]
        assert {f"{bot_id}:{press['update_id']}", f"{bot_id}:{typed['update_id']}"} <= keys


async def test_another_bot_on_the_same_database_is_not_taken_for_a_redelivery(botapi, config):
    # Update ids count per bot: a new token (or a second bot) starts elsewhere, and may reach
    # numbers the first bot used. Its updates are new all the same.
    async with running(config):
        await botapi.say(CHAT, "hallo")
    other = BotAPI(token="654321:ANOTHER-token_for-the-stand-in")
    await other.start()
    try:
        moved = replace(config, telegram_token=other.token, telegram_api_base_url=other.base_url)
        async with running(moved) as app:
            assert await other.say(CHAT + 1, "hallo")  # the first bot's first number: answered
            assert (await stored(app, CHAT + 1))[0] == ["hallo"]
    finally:
        await other.close()


async def test_a_photo_with_words_posted_twice_is_noted_once(botapi, config):
    port = free_port()
    async with running(hooked(config, port), port=port) as app:
        await botapi.say(CHAT, "hallo")
        await botapi.click(CHAT, "Nederlands")
        photo = botapi.media(CHAT, "photo", caption="/menu")
        await botapi.wait_sent(CHAT, 6)  # ..., the menu, "I read text only"
        await botapi.settle(quiet=0.3)
        sent, before = botapi.texts(CHAT), await stored(app)
        assert before[0][-2:] == ["[photo]", "/menu"]

        await again(botapi, photo)
        assert botapi.texts(CHAT) == sent
        assert await stored(app) == before
        assert sent.count(media.TEXT_ONLY) == 1  # Dutch: the text is its own msgid


async def test_a_crisis_posted_twice_opens_one_case_and_its_lines_come_again(botapi, config):
    port = free_port()
    async with running(hooked(config, port), port=port) as app:
        await botapi.say(CHAT, "hallo")
        await botapi.click(CHAT, "Nederlands")
        crisis = botapi.text(CHAT, "ik wil niet meer leven")
        line = escalation.CRISIS_SUICIDE  # Dutch: the text is its own msgid
        await botapi.wait_for(lambda: line in botapi.texts(CHAT))

        await again(botapi, crisis)
        # Crisis lines at least once: the first handling may have sent them directly and died.
        assert botapi.texts(CHAT).count(line) == 2
        incoming, _ = await stored(app)
        assert incoming.count("ik wil niet meer leven") == 1
        async with app[DB].transaction() as s:
            cases = (await s.exec(select(Case))).all()
        assert [(c.priority, c.reason) for c in cases] == [("urgent", "suicide")]
