"""Opt-in and stop: a first contact on WhatsApp is told what is stored and what Meta sees;
"stop" ends the bot's messages until the resident writes again."""

from __future__ import annotations

import asyncio

from sqlmodel import select

from bot.app import CONVERSATIONS, DB
from bot.conversation.steps.privacy import CHANNEL_NOTICE
from storage import outbox as outbox_db
from storage import residents as resident_db
from storage.outbox import OutboxMessage
from storage.types import utcnow
from tests.support import graphapi
from tests.whatsapp.conftest import running

WA = "31655554444"


async def test_the_first_message_gets_the_notice_once(graph, config):
    async with running(config) as bot:
        assert await graphapi.post(bot.webhook, graphapi.text(WA, "hallo")) == 200
        await graph.wait_for(lambda: graph.sent_to(WA))
        await graph.settle()
        first = graph.texts(WA)
        assert first[0] == CHANNEL_NOTICE["whatsapp"]  # Dutch: the text is its own msgid
        assert "/gegevens" in first[0] and "Meta" in first[0]
        assert await graphapi.post(bot.webhook, graphapi.text(WA, "/menu")) == 200
        await graph.wait_for(lambda: len(graph.texts(WA)) > len(first))
        await graph.settle()
        assert graph.texts(WA).count(CHANNEL_NOTICE["whatsapp"]) == 1


async def test_a_crisis_as_first_message_gets_its_lines_before_the_notice(graph, config):
    async with running(config) as bot:
        assert await graphapi.post(bot.webhook, graphapi.text(WA, "ik wil niet meer leven")) == 200
        await graph.wait_for(lambda: CHANNEL_NOTICE["whatsapp"] in graph.texts(WA))
        assert "113" in graph.texts(WA)[0]


async def test_stop_ends_messages_until_the_resident_writes_again(graph, config):
    async with running(config) as bot:
        assert await graphapi.post(bot.webhook, graphapi.text(WA, "hallo")) == 200
        await graph.wait_for(lambda: graph.sent_to(WA))
        await graph.settle()
        count = len(graph.sent_to(WA))
        assert await graphapi.post(bot.webhook, graphapi.text(WA, "Stop")) == 200
        await graph.wait_for(lambda: len(graph.sent_to(WA)) > count)
        await graph.settle()
        answer = graph.texts(WA)[count:]
        assert any("geen berichten meer" in t for t in answer)

        # Something queued for them afterwards (a worker's reply, say) is not sent.
        async with bot.app[DB].transaction() as s:
            resident = await resident_db.find_resident(s, "whatsapp", WA)
            assert resident.blocked_at is not None
            late = await outbox_db.enqueue(s, resident.id, "Nog een vraag?", now=utcnow())
        bot.app[CONVERSATIONS].notifier.notify(10)  # as the dashboard wakes the sender
        await asyncio.sleep(1.0)
        assert "Nog een vraag?" not in graph.texts(WA)
        async with bot.app[DB].transaction() as s:
            row = (await s.exec(select(OutboxMessage).where(OutboxMessage.id == late.id))).one()
        assert row.status == "failed"

        # Writing again is consent again.
        sent = len(graph.sent_to(WA))
        assert await graphapi.post(bot.webhook, graphapi.text(WA, "/menu")) == 200
        await graph.wait_for(lambda: len(graph.sent_to(WA)) > sent)
