"""A follow-up on WhatsApp, over real HTTP against the Graph API stand-in: outside the 24-hour
window the running process's sender queues it, the channel sends the approved template in the
resident's language instead and holds the question; when the resident writes, the question goes
with its buttons, and a press answers it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from sqlmodel import select

from bot.app import DB
from bot.followups import sender
from storage import followups as followup_db
from storage import residents as resident_db
from storage.followups import FollowUp
from storage.types import utcnow
from tests.support import graphapi
from tests.support.graphapi import GraphAPI
from tests.whatsapp.conftest import quick_backoff, running, whatsapp_config  # noqa: F401
from tests.whatsapp.test_faults import WA, friday_night_was_long_ago, pick_arabic, settled_rows


@pytest.fixture
async def graph() -> AsyncIterator[GraphAPI]:
    api = GraphAPI()
    await api.start()
    try:
        yield api
    finally:
        await api.close()


@pytest.fixture(autouse=True)
def quick_sender(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sender, "FIRST_DELAY", 0.1)


async def _follow_up(app) -> FollowUp:
    async with app[DB].transaction() as s:
        return (await s.exec(select(FollowUp))).one()


async def test_outside_the_window_a_follow_up_goes_through_the_template(graph, tmp_path):
    config = replace(
        whatsapp_config(graph, tmp_path), office_hours="altijd", follow_up_interval=0.2
    )
    async with running(config) as bot:
        await pick_arabic(bot, graph)
    async with running(config) as bot:  # a week later: the window closed long ago
        await friday_night_was_long_ago(bot.app)
        async with bot.app[DB].transaction() as s:
            resident = await resident_db.find_resident(s, "whatsapp", WA)
            await followup_db.schedule(
                s,
                resident.id,
                due_at=utcnow(),
                text="Is het gelukt met je aanvraag voor de toeslag?",
                context="toeslagen.met_digid",
                source="flow",
                flow="toeslagen",
                now=utcnow(),
            )
        before = len(graph.sent_to(WA))
        await graph.wait_for(lambda: len(graph.sent_to(WA)) > before, 15)
        found = await settled_rows(bot.app, graph)
        assert [r.kind for r in graph.sent_to(WA)[before:]] == ["template"]
        assert graph.sent_to(WA)[-1].body["template"] == {
            "name": config.whatsapp_template,
            "language": {"code": "ar"},
        }
        row = await _follow_up(bot.app)
        assert row.status == "sent"
        held = [r for r in found if r.delivery == "window"]
        assert [r.id for r in held] == [row.outbox_id]

        # The resident writes: the question goes first, in Arabic, with its buttons.
        assert await graphapi.post(bot.webhook, graphapi.text(WA, "مرحبا")) == 200
        await graph.wait_for(lambda: len(graph.sent_to(WA)) > before + 1)
        await settled_rows(bot.app, graph)
        question = graph.sent_to(WA)[before + 1]
        assert "toeslag" in question.text and "هل" in question.text
        assert len(question.options) == 4
        helped = question.options[0]
        kind = question.body["interactive"]["type"]
        reply = "list_reply" if kind == "list" else "button_reply"
        assert await graphapi.post(bot.webhook, graphapi.press(WA, helped, kind=reply)) == 200
        await graph.wait_for(lambda: "يسعدنا أنه نجح" in " ".join(graph.texts(WA)))
        row = await _follow_up(bot.app)
        assert (row.status, row.answer) == ("answered", "helped")
