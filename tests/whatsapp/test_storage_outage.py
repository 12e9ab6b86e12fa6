"""PostgreSQL unreachable while residents write on WhatsApp: the crisis lines still go out
within seconds (rule 1), directly; the other messages are held and answered after recovery,
and the crisis is stored with its case."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest
from sqlmodel import select

from bot.app import DB
from storage.cases import Case
from storage.transcripts import TranscriptEntry
from tests.support import graphapi
from tests.whatsapp.conftest import running

pytestmark = pytest.mark.postgres

CALM, CRISIS = "31611110001", "31611110002"


async def test_crisis_lines_go_out_while_postgresql_is_away(
    graph, config, postgres_database, cable
):
    async with running(replace(config, database_url=cable.url(postgres_database))) as bot:
        assert await graphapi.post(bot.webhook, graphapi.text(CALM, "hallo")) == 200
        await graph.wait_for(lambda: graph.sent_to(CALM))
        await graph.settle()
        before = len(graph.sent_to(CALM))

        await cable.pull()
        pulled = time.monotonic()
        assert await graphapi.post(bot.webhook, graphapi.text(CALM, "/menu")) == 200
        assert (
            await graphapi.post(bot.webhook, graphapi.text(CRISIS, "ik wil niet meer leven")) == 200
        )
        await graph.wait_for(lambda: any("113" in t for t in graph.texts(CRISIS)), timeout=8)
        assert time.monotonic() - pulled < 5
        assert len(graph.sent_to(CALM)) == before  # held, not answered while away

        await cable.plug()
        await graph.wait_for(lambda: len(graph.sent_to(CALM)) > before, timeout=20)
        await graph.settle(quiet=1.0)
        async with bot.app[DB].transaction() as s:
            cases = (await s.exec(select(Case))).all()
            written = (await s.exec(select(TranscriptEntry))).all()
        assert [(c.priority, c.reason) for c in cases] == [("urgent", "suicide")]
        incoming = [e.text for e in written if e.direction == "in"]
        assert sorted(incoming) == sorted(["hallo", "/menu", "ik wil niet meer leven"])
        crisis_lines = [t for t in graph.texts(CRISIS) if "113" in t]
        assert len(crisis_lines) == len(set(crisis_lines))  # sent once, directly
