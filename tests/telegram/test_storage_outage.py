"""PostgreSQL unreachable for ten seconds while residents write: the crisis reply still goes
out within seconds, every other message is answered after recovery, in order, and nothing is
lost or sent twice."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace

import pytest
from sqlmodel import select

from bot.app import CONVERSATIONS, DB
from bot.channels.holding import Holding
from bot.channels.telegram import sending
from bot.conversation import Conversations, Inbound
from storage import migrate
from storage.cases import Case
from storage.db import Database
from storage.outbox import PRIORITY_CRISIS, OutboxMessage
from storage.transcripts import TranscriptEntry
from tests.telegram.conftest import running

pytestmark = pytest.mark.postgres

CALM, CRISIS = 7001, 7002
OUTAGE = 10.0
WORDS = "ik wil niet meer leven"


async def test_ten_seconds_without_postgresql(botapi, config, postgres_database, cable) -> None:
    url = cable.url(postgres_database)
    async with running(replace(config, database_url=url)) as app:
        await botapi.say(CALM, "hallo")  # known, greeted, language picked below
        await botapi.click(CALM, "Nederlands")
        before = len(botapi.texts(CALM))

        await cable.pull()
        pulled = time.monotonic()
        botapi.text(CALM, "/menu")
        botapi.text(CALM, "/hulp")
        botapi.text(CRISIS, "ik wil niet meer leven")
        crisis = await botapi.wait_sent(CRISIS, 1, timeout=8)
        crisis_after = time.monotonic() - pulled
        assert "113" in crisis[0]
        assert crisis_after < 5, f"crisis reply took {crisis_after:.1f}s"
        assert len(botapi.texts(CALM)) == before  # not answered while the database is away

        await botapi.settle(quiet=OUTAGE - (time.monotonic() - pulled), timeout=OUTAGE + 5)
        await cable.plug()
        answered = await botapi.wait_sent(CALM, before + 3, timeout=20)
        await botapi.settle(quiet=1.0)
        # /menu: the menu; /hulp: the help, then the open question again. Once each, in order.
        assert botapi.texts(CALM)[before:] == answered[before:]
        menu, help_text, again = answered[before:]
        assert menu == again == "Waar kan ik je mee helpen?"
        assert help_text.startswith("Je praat met Buurtbot")

        async with app[DB].transaction() as s:
            crisis_case = (await s.exec(select(Case))).all()
            written = (await s.exec(select(TranscriptEntry).order_by(TranscriptEntry.id))).all()
            queued = (await s.exec(select(OutboxMessage))).all()
        assert [(c.priority, c.reason) for c in crisis_case] == [("urgent", "suicide")]
        incoming = [e.text for e in written if e.direction == "in"]
        assert incoming[:2] == ["hallo", "Nederlands"]
        assert sorted(incoming[2:]) == sorted(["/menu", "/hulp", "ik wil niet meer leven"])
        assert incoming.index("/menu") < incoming.index("/hulp")
        # The crisis lines went out once, directly; the transcript says so, the outbox has none.
        assert botapi.texts(CRISIS)[: len(crisis)] == crisis
        sent_directly = [e.text for e in written if (e.data or {}).get("sent")]
        assert sent_directly == crisis[:1]
        assert botapi.texts(CRISIS).count(crisis[0]) == 1
        assert all(m.status == "sent" for m in queued)
        assert not any(m.priority == 0 for m in queued)


async def test_crisis_lines_that_could_not_be_sent_directly_go_out_after_recovery(
    botapi, config, postgres_database, cable, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The database is away and Telegram refuses the direct send as well: the crisis lines
    # must not be lost. They are queued in the outbox once the database is back.
    monkeypatch.setattr(sending, "DIRECT_ATTEMPTS", 1)
    url = cable.url(postgres_database)
    async with running(replace(config, database_url=url)) as app:
        await cable.pull()
        botapi.fail("sendMessage", "502", chat_id=CRISIS)
        botapi.text(CRISIS, WORDS)
        await botapi.wait_for(lambda: botapi.calls_of("sendMessage"), timeout=8)
        assert botapi.texts(CRISIS) == []  # the one direct try failed

        lines = await app[CONVERSATIONS].crisis_replies(
            Inbound("telegram", str(CRISIS), text=WORDS)
        )
        assert lines and "113" in lines[0].text
        await cable.plug()
        await botapi.wait_for(
            lambda: all(line.text in botapi.texts(CRISIS) for line in lines), timeout=20
        )
        async with app[DB].transaction() as s:
            crisis_case = (await s.exec(select(Case))).all()
            written = (await s.exec(select(TranscriptEntry))).all()
        assert [(c.priority, c.reason) for c in crisis_case] == [("urgent", "suicide")]
        assert [e.text for e in written if e.direction == "in"] == [WORDS]


async def test_a_crisis_held_as_not_sent_is_kept_while_storage_keeps_failing(
    config, postgres_database, cable
) -> None:
    # A crisis whose direct send failed is held as "lines not sent". Its hand-over raises
    # DeliverDirectly while storage still fails (its lines exist, but only the outbox can send
    # them from here): it must wait for the next try, not count as handed over.
    db = Database(cable.url(postgres_database))
    await migrate.upgrade(db)
    conversations = Conversations.from_config(db, config)
    holding = Holding(conversations, first_retry=0.1)
    try:
        await cable.pull()
        inbound = Inbound("telegram", str(CRISIS), text=WORDS, key="1:1")
        await holding.crisis_not_delivered(inbound)
        await asyncio.sleep(1.0)  # several hand-overs fail meanwhile
        assert holding.held == 1
        await cable.plug()
        async with asyncio.timeout(20):
            while holding.held:
                await asyncio.sleep(0.05)
        async with db.transaction() as s:
            queued = (await s.exec(select(OutboxMessage))).all()
            written = (await s.exec(select(TranscriptEntry))).all()
        assert [e.text for e in written if e.direction == "in"] == [WORDS]
        assert any(m.priority == PRIORITY_CRISIS for m in queued)
    finally:
        await holding.close()
        await db.dispose()
