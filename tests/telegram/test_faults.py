"""End to end with Telegram misbehaving: rate limits, server errors, dropped connections, a
resident who blocked the bot, refused messages, and storage failing during a crisis."""

from __future__ import annotations

import time
from dataclasses import replace

from sqlmodel import select

from bot.app import CATALOGS, CONVERSATIONS, DB
from bot.channels.telegram import texts as telegram_texts
from bot.conversation import DeliverDirectly
from bot.engine import Say, texts
from bot.i18n import Rendered
from storage import outbox as outbox_store
from storage.outbox import OutboxMessage
from storage.residents import Resident
from tests.telegram.conftest import running

CHAT = 5150


async def outbox_rows(app) -> list[OutboxMessage]:
    async with app[DB].transaction() as s:
        return list((await s.exec(select(OutboxMessage).order_by(OutboxMessage.id))).all())


async def test_a_429_is_waited_out_and_nothing_is_lost(botapi, config):
    async with running(config) as app:
        botapi.fail("sendMessage", "429", retry_after=1)
        asked = time.monotonic()
        replies = await botapi.say(CHAT, "hallo")
        assert [r.text for r in replies][:1] == [texts.GREETING]  # in order, nothing lost
        assert replies[-1].buttons
        assert replies[0].at - asked >= 0.95  # waited as told
        limited = botapi.calls_of("sendMessage")[0]
        assert limited.outcome == "429"
        assert all(r.status == "sent" for r in await outbox_rows(app))


async def test_server_errors_are_retried_with_backoff(botapi, config):
    async with running(config) as app:
        botapi.fail("sendMessage", "500", times=2)
        botapi.fail("sendMessage", "502")
        replies = await botapi.say(CHAT, "hallo")
        assert replies[0].text == texts.GREETING and replies[-1].buttons
        assert [c.outcome for c in botapi.calls_of("sendMessage")][:4] == [
            "500",
            "500",
            "502",
            "ok",
        ]
        first = (await outbox_rows(app))[0]
        assert (first.status, first.attempts) == ("sent", 4)


async def test_a_dropped_connection_is_retried(botapi, config):
    async with running(config):
        botapi.fail("sendMessage", "drop")
        replies = await botapi.say(CHAT, "hallo")
        assert [r.text for r in replies].count(texts.GREETING) == 1


async def test_delivery_is_at_least_once_a_lost_answer_means_a_repeat(botapi, config):
    """Telegram took the message but the answer never came back: it is sent again. This is
    the documented duplicate of an at-least-once outbox."""
    async with running(config):
        botapi.fail("sendMessage", "drop_after")
        botapi.text(CHAT, "hallo")

        def greetings() -> int:
            return [r.text for r in botapi.sent_to(CHAT)].count(texts.GREETING)

        # The repeat comes after the outbox's back-off, which a busy machine stretches: wait
        # for it rather than for a quiet moment.
        await botapi.wait_for(lambda: greetings() >= 2)
        await botapi.settle()
        assert greetings() == 2


async def test_a_resident_who_blocked_the_bot_is_marked_and_gets_nothing_more(botapi, config):
    async with running(config) as app:
        botapi.fail("sendMessage", "403", chat_id=CHAT)
        botapi.text(CHAT, "hallo")
        await botapi.wait_for(lambda: botapi.calls_of("sendMessage"))
        await botapi.settle()
        assert botapi.sent_to(CHAT) == []
        assert len(botapi.calls_of("sendMessage")) == 1  # the rest was not even tried
        async with app[DB].transaction() as s:
            resident = (await s.exec(select(Resident))).one()
            assert resident.blocked_at is not None
        assert {r.status for r in await outbox_rows(app)} == {"failed"}

        # Writing again means the block is lifted: answers flow again.
        replies = await botapi.say(CHAT, "hallo")
        assert replies
        async with app[DB].transaction() as s:
            assert (await s.exec(select(Resident))).one().blocked_at is None


async def test_a_refused_message_is_failed_and_the_next_goes_out(botapi, config):
    async with running(config) as app:
        botapi.fail("sendMessage", "400", description="Bad Request: can't parse entities")
        replies = await botapi.say(CHAT, "hallo")
        assert texts.GREETING not in [r.text for r in replies] and replies[-1].buttons
        rows = await outbox_rows(app)
        assert rows[0].status == "failed" and "parse entities" in rows[0].last_error
        assert rows[-1].status == "sent"


async def test_a_crisis_reply_goes_out_directly_when_storage_fails(botapi, config):
    async with running(config) as app:
        crisis = Rendered("Bel 113 of 0800-0113. Bij direct gevaar: 112.")

        async def storage_down(inbound):
            raise DeliverDirectly([crisis])

        app[CONVERSATIONS].receive = storage_down
        botapi.fail("sendMessage", "429", retry_after=1)  # and Telegram is busy too
        replies = await botapi.say(CHAT, "ik wil niet meer leven")
        assert [r.text for r in replies] == [crisis.text]
        assert [c.outcome for c in botapi.calls_of("sendMessage")] == ["429", "ok"]
        assert await outbox_rows(app) == []  # not through the outbox


async def test_a_failure_is_apologised_for_without_showing_the_error(botapi, config):
    async with running(config) as app:

        async def broken(inbound):
            raise RuntimeError("secret internal detail")

        app[CONVERSATIONS].receive = broken
        replies = await botapi.say(CHAT, "hallo", lang="en")
        (apology,) = replies
        assert "secret" not in apology.text and "RuntimeError" not in apology.text
        expected = app[CATALOGS].render(
            Say(telegram_texts.SOMETHING_WENT_WRONG, telegram_texts.CONTEXT), "en"
        )
        assert apology.text == expected.text  # in the resident's language


async def test_a_long_reply_is_split_and_its_buttons_come_last(botapi, config):
    async with running(replace(config, send_rate=20)) as app:
        await botapi.say(CHAT, "hallo")
        body = "\n\n".join(f"Alinea {i}. " + "tekst " * 150 for i in range(10))
        async with app[DB].transaction() as s:
            resident = (await s.exec(select(Resident))).one()
            await outbox_store.enqueue(
                s, resident.id, body, now=resident.last_seen_at, buttons=[["Verder", "go"]]
            )
        before = len(botapi.sent_to(CHAT))
        app[CONVERSATIONS].notifier.notify(10)  # as the conversation path does after queueing
        parts = await botapi.replies(CHAT, before)
        assert len(parts) >= 2
        assert all(len(p.text) <= 4096 for p in parts)
        assert [bool(p.buttons) for p in parts] == [False] * (len(parts) - 1) + [True]
        assert " ".join(p.text for p in parts).split() == body.split()
