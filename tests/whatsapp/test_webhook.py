"""The WhatsApp channel end to end over real HTTP: the app (`init_app`) with its webhook, the
conversation path on a real database, the outbox sending to the Graph API stand-in."""

from __future__ import annotations

import time

import aiohttp
from sqlmodel import select

from bot.app import DB
from storage import residents as resident_db
from storage import transcripts as transcript_db
from storage.cases import Case
from storage.outbox import OutboxMessage
from tests.support import graphapi
from tests.whatsapp.conftest import running

WA = "31612345678"


async def incoming(app, wa_id: str = WA) -> list[str]:
    async with app[DB].transaction() as s:
        resident = await resident_db.find_resident(s, "whatsapp", wa_id)
        if resident is None:
            return []
        entries = await transcript_db.transcript(s, resident.id)
    return [e.text for e in entries if e.direction == "in"]


async def test_verification_answers_the_challenge_only_with_the_right_token(graph, config):
    async with running(config) as bot, aiohttp.ClientSession() as http:
        good = {
            "hub.mode": "subscribe",
            "hub.verify_token": graphapi.VERIFY_TOKEN,
            "hub.challenge": "1158201444",
        }
        async with http.get(bot.webhook, params=good) as response:
            assert response.status == 200
            assert await response.text() == "1158201444"
        for wrong in (
            {**good, "hub.verify_token": "guess"},
            {**good, "hub.mode": "unsubscribe"},
            {"hub.challenge": "1"},
        ):
            async with http.get(bot.webhook, params=wrong) as response:
                assert response.status == 403
                assert "1158201444" not in await response.text()


async def test_healthz_names_the_channel(graph, config):
    async with (
        running(config) as bot,
        aiohttp.ClientSession() as http,
        http.get(f"{bot.base}/healthz") as response,
    ):
        assert (await response.json())["whatsapp"] == "ok"


async def test_a_wrong_or_missing_signature_is_refused_and_nothing_is_stored(graph, config):
    async with running(config) as bot:
        payload = graphapi.text(WA, "hallo")
        assert await graphapi.post(bot.webhook, payload, secret="not-the-app-secret") == 403
        assert await graphapi.post(bot.webhook, payload, secret=None) == 401
        assert await graphapi.post(bot.webhook, payload, signature="sha256=") == 403
        await graph.settle(quiet=0.5)
        assert graph.requests == []
        assert await incoming(bot.app) == []
        # The same payload, signed, is taken: the refusals above were about the signature.
        assert await graphapi.post(bot.webhook, payload) == 200
        await graph.wait_for(lambda: graph.sent_to(WA))
        assert await incoming(bot.app) == ["hallo"]


async def test_options_come_as_a_list_and_a_pressed_row_moves_the_flow(graph, config):
    async with running(config) as bot:
        assert await graphapi.post(bot.webhook, graphapi.text(WA, "hallo")) == 200
        await graph.wait_for(lambda: any(r.options for r in graph.sent_to(WA)))
        picker = next(r for r in graph.sent_to(WA) if r.options)
        assert graph.requests[0].authorization == f"Bearer {graph.token}"
        rows = picker.options
        titles = [row["title"] for row in rows]
        assert "Nederlands" in titles
        assert picker.body["interactive"]["type"] == ("list" if len(rows) > 3 else "button")
        assert all(len(t) <= 24 for t in titles) and len(rows) <= 10
        count = len(graph.sent_to(WA))

        dutch = rows[titles.index("Nederlands")]
        kind = "list_reply" if len(rows) > 3 else "button_reply"
        assert await graphapi.post(bot.webhook, graphapi.press(WA, dutch, kind=kind)) == 200
        await graph.wait_for(lambda: len(graph.sent_to(WA)) > count)
        await graph.settle()
        menu = graph.sent_to(WA)[-1]
        assert menu.options, "the main menu comes with its topics"
        assert await incoming(bot.app) == ["hallo", "Nederlands"]

        # A topic from the menu, pressed: the flow moves on exactly as with a Telegram button.
        topic = menu.options[0]
        count = len(graph.sent_to(WA))
        kind = "list_reply" if menu.body["interactive"]["type"] == "list" else "button_reply"
        assert await graphapi.post(bot.webhook, graphapi.press(WA, topic, kind=kind)) == 200
        await graph.wait_for(lambda: len(graph.sent_to(WA)) > count)
        async with bot.app[DB].transaction() as s:
            resident = await resident_db.find_resident(s, "whatsapp", WA)
            entries = await transcript_db.transcript(s, resident.id)
        press = [e for e in entries if e.direction == "in"][-1]
        assert press.data and press.data.get("press") == topic["id"]
        # The whole label is in the transcript, also when the row showed it folded.
        assert press.text.startswith(topic["title"].rstrip("…"))


async def test_a_message_posted_again_is_handled_once(graph, config):
    async with running(config) as bot:
        first = graphapi.text(WA, "hallo")
        assert await graphapi.post(bot.webhook, first) == 200
        await graph.wait_for(lambda: graph.sent_to(WA))
        await graph.settle()
        sent = graph.texts(WA)
        assert await graphapi.post(bot.webhook, first) == 200  # Meta delivers it again
        await graph.settle(quiet=0.5)
        assert graph.texts(WA) == sent
        assert await incoming(bot.app) == ["hallo"]


async def test_an_arabic_crisis_is_answered_with_113_within_3_seconds(graph, config):
    async with running(config) as bot:
        started = time.monotonic()
        assert await graphapi.post(bot.webhook, graphapi.text(WA, "بدي موت")) == 200
        await graph.wait_for(lambda: any("113" in t for t in graph.texts(WA)), timeout=3)
        assert time.monotonic() - started < 3
        first = graph.sent_to(WA)[0]
        assert "113" in first.text  # the crisis lines before anything else
        assert any("\u0600" <= ch <= "\u06ff" for t in graph.texts(WA) for ch in t)
        async with bot.app[DB].transaction() as s:
            cases = (await s.exec(select(Case))).all()
        assert [c.priority for c in cases] == ["urgent"]


async def test_status_callbacks_update_the_outbox_row(graph, config):
    async with running(config) as bot:
        assert await graphapi.post(bot.webhook, graphapi.text(WA, "hallo")) == 200
        await graph.wait_for(lambda: graph.sent_to(WA))
        await graph.settle()
        wamid = graph.sent_to(WA)[-1].wamid

        async def row() -> OutboxMessage:
            async with bot.app[DB].transaction() as s:
                query = select(OutboxMessage).where(OutboxMessage.channel_message_id == wamid)
                return (await s.exec(query)).one()

        assert (await row()).delivery == "sent"
        for state in ("delivered", "read", "delivered"):  # a late "delivered" does not undo
            assert await graphapi.post(bot.webhook, graphapi.status(wamid, state)) == 200
        assert (await row()).delivery == "read"
        failed = graphapi.status(wamid, "failed", code=131026)
        assert await graphapi.post(bot.webhook, failed) == 200
        found = await row()
        assert (found.delivery, found.status) == ("failed", "failed")
        assert "131026" in found.last_error


async def test_a_post_for_another_business_number_of_the_app_is_not_answered(graph, config):
    async with running(config) as bot:
        other = graphapi.text(WA, "hallo")
        other["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = "999"
        assert await graphapi.post(bot.webhook, other) == 200  # taken, so Meta stops posting
        await graph.settle(quiet=0.5)
        assert graph.requests == [] and await incoming(bot.app) == []
