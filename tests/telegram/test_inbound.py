"""End to end: what residents (and others) may send. Per-chat order, hostile and odd updates,
groups, media, edits, forged and stale buttons, and the pace of sending."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from sqlmodel import select

from bot.app import CATALOGS, CONVERSATIONS, DB
from bot.channels.telegram import texts as telegram_texts
from bot.conversation.steps import (
    media,  # the text-only answer moved into the conversation path (issue 14)
)
from bot.conversation.turn import CONTEXT as CONVERSATION
from bot.engine import Say, texts
from storage import transcripts as transcript_db
from storage.residents import Resident
from storage.transcripts import TranscriptEntry
from tests.telegram.conftest import running


async def inbound_texts(app, chat: int) -> list[str]:
    async with app[DB].transaction() as s:
        query = select(Resident).where(Resident.external_id == str(chat))
        resident = (await s.exec(query)).one()
        return [
            e.text for e in await transcript_db.transcript(s, resident.id) if e.direction == "in"
        ]


async def test_one_chat_in_order_while_other_chats_go_on(botapi, config):
    async with running(config) as app:
        conversations = app[CONVERSATIONS]
        real = conversations.receive
        running_now: dict[str, int] = {}
        most: dict[str, int] = {}
        finished: list[tuple[str, str]] = []

        async def slow_for_chat_1(inbound):
            chat = inbound.external_id
            running_now[chat] = running_now.get(chat, 0) + 1
            most[chat] = max(most.get(chat, 0), running_now[chat])
            try:
                if chat == "1":
                    await asyncio.sleep(0.05)
                return await real(inbound)
            finally:
                running_now[chat] -= 1
                finished.append((chat, inbound.text))

        conversations.receive = slow_for_chat_1
        for i in range(20):
            botapi.text(1, f"bericht {i}")
        await asyncio.sleep(0.1)
        botapi.text(2, "hallo")
        await botapi.wait_for(lambda: len(finished) == 21)
        assert [t for c, t in finished if c == "1"] == [f"bericht {i}" for i in range(20)]
        assert most == {"1": 1, "2": 1}  # never two of one chat at once
        assert finished.index(("2", "hallo")) < 10  # chat 2 did not wait for chat 1's queue
        assert await inbound_texts(app, 1) == [f"bericht {i}" for i in range(20)]
        await botapi.settle()
        # Replies reach each chat in the order they were queued.
        async with app[DB].transaction() as s:
            out = (
                await s.exec(
                    select(TranscriptEntry)
                    .where(TranscriptEntry.direction == "out")
                    .order_by(TranscriptEntry.id)
                )
            ).all()
        residents = {}
        async with app[DB].transaction() as s:
            for r in (await s.exec(select(Resident))).all():
                residents[r.id] = int(r.external_id)
        for chat in (1, 2):
            queued = [e.text for e in out if residents[e.resident_id] == chat]
            sent = [m.edits[0] if m.edits else m.text for m in botapi.sent_to(chat)]
            assert sent == queued


async def test_hostile_texts_are_taken_in_and_answered(botapi, config):
    mixed = "\x00\u202e\u2066" + "ሰላም مرحبا Hallo 💊👨‍👩‍👧 " * 300
    cases = {
        11: mixed[:4096],
        12: "\x00" * 50,
        13: "\u202e" + "رقم 0800-0113",
        14: "a" * 4096,
        15: "/start@buurtbot_test_bot",
        16: "\ud83d lone surrogate",
        17: " ",
    }
    async with running(config) as app:
        for chat, body in cases.items():
            botapi.text(chat, body)
        for chat in cases:
            await botapi.wait_sent(chat, 1)
        stored = await inbound_texts(app, 11)
        assert "ሰላም" in stored[0] and "\x00" not in stored[0]
        assert botapi.texts(15)[0] == texts.GREETING


async def test_forged_stale_and_odd_updates_never_break_anything(botapi, config):
    async with running(config) as app:
        chat = 21
        menu = (await botapi.say(chat, "hallo"))[-1]
        forged = [
            "x" * 64,
            "#" + "A" * 43,  # looks like a hashed payload
            "lang:xx",
            "lang:ar\x00",
            "ሰላም" * 5,
            "/mens; DROP TABLE resident",
        ]
        before = len(botapi.sent_to(chat))
        for data in forged:
            botapi.press_data(chat, data)  # under a message that does not exist
        await botapi.wait_sent(chat, before + len(forged))  # each one answered
        # A stale press on a real message whose question is long gone.
        botapi.press_data(chat, menu.buttons[0][1], message=menu)
        # Updates nobody handles, and a callback in a group.
        botapi.push({"poll_answer": {"poll_id": "1", "option_ids": [0], "user": {"id": 5}}})
        botapi.push({"totally_new_kind": {"x": 1}})
        botapi.push({"message_reaction": {"chat": {"id": chat, "type": "private"}}})
        botapi.press_data(-100123, "data", chat_type="supergroup")
        # And after all that, the bot still answers normally.
        replies = await botapi.say(chat, "/menu")
        assert replies[-1].buttons
        # Every press answered, even forged ones, and the one in a group.
        await botapi.wait_for(
            lambda: len(botapi.calls_of("answerCallbackQuery")) == len(forged) + 2
        )
        async with app[DB].transaction() as s:
            chats = {r.external_id for r in (await s.exec(select(Resident))).all()}
        assert chats == {str(chat)}  # nothing stored for the group


async def test_a_group_is_told_once_and_nothing_is_stored(botapi, config):
    async with running(config) as app:
        group = -100777
        botapi.text(group, "hallo bot", chat_type="supergroup", lang="ar")
        await botapi.wait_sent(group, 1)
        botapi.text(group, "nog een keer", chat_type="supergroup")
        botapi.text(-100888, "post", chat_type="channel", lang=None)
        await botapi.settle(quiet=0.4)
        expected = app[CATALOGS].render(
            Say(telegram_texts.PRIVATE_ONLY, telegram_texts.CONTEXT), "ar"
        )
        assert botapi.texts(group) == [expected.text]
        async with app[DB].transaction() as s:
            assert (await s.exec(select(Resident))).all() == []


async def test_photos_voice_and_stickers_get_a_text_only_answer_and_captions_are_read(
    botapi, config
):
    async with running(config) as app:
        chat = 31
        await botapi.say(chat, "hallo")
        only_text = app[CATALOGS].render(Say(media.TEXT_ONLY, CONVERSATION), "nl").text
        for kind in ("photo", "voice", "sticker", "document", "location"):
            before = len(botapi.sent_to(chat))
            botapi.media(chat, kind)
            replies = await botapi.replies(chat, before)
            assert [r.text for r in replies] == [only_text]
        before = len(botapi.sent_to(chat))
        botapi.media(chat, "photo", caption="/menu")
        # The caption is read first (risk first), then the text-only answer for the photo.
        await botapi.wait_for(
            lambda: (
                len(botapi.sent_to(chat)) > before + 1
                and botapi.sent_to(chat)[-1].text == only_text
            )
        )
        assert any(m.buttons for m in botapi.sent_to(chat)[before:])  # the caption was read
        stored = await inbound_texts(app, chat)
        assert stored[1:6] == ["[photo]", "[voice]", "[sticker]", "[document]", "[location]"]


async def test_the_text_only_answer_is_in_the_residents_language(botapi, config):
    async with running(config) as app:
        botapi.media(32, "voice", lang="ar")
        (reply,) = await botapi.replies(32, 0)
        expected = app[CATALOGS].render(Say(media.TEXT_ONLY, CONVERSATION), "ar")
        assert reply.text == expected.text


async def test_an_edited_message_is_handled_as_a_new_one(botapi, config):
    async with running(config) as app:
        chat = 41
        await botapi.say(chat, "hallo")
        replies = await botapi.say(chat, "/menu", edited_id=1)
        assert replies[-1].buttons
        assert (await inbound_texts(app, chat))[-1] == "/menu"


async def test_sending_keeps_the_pace_across_chats(botapi, config):
    async with running(replace(config, send_rate=10)):
        for chat in range(100, 108):
            botapi.text(chat, "hallo")  # two replies each: 16 sends at 10 a second
        await botapi.wait_for(lambda: len(botapi.sent) >= 16, timeout=10)
        times = [s.at for s in botapi.sent]
        most = max(sum(1 for t in times if start <= t < start + 1) for start in times)
        assert most <= 10


async def test_an_unreadable_update_is_skipped_and_polling_goes_on(botapi, config):
    async with running(config):
        botapi.push({"message_reaction": {"chat": {"id": 51, "type": "private"}}})
        botapi.push({"message": {"text": "no chat, no date"}})
        botapi.push({"callback_query": {"id": "1"}})
        replies = await botapi.say(51, "hallo")
        assert replies[0].text == texts.GREETING
