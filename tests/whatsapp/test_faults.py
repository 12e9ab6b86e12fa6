"""What the Graph API answers, and what the outbox makes of it: rate limits waited out and
tried again, other errors failing the row with the API's code, and the 24-hour window."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

from sqlmodel import select

from bot.app import DB
from bot.channels.whatsapp import WHATSAPP
from storage import residents as resident_db
from storage.outbox import OutboxMessage
from tests.support import graphapi
from tests.whatsapp.conftest import running

WA = "31687654321"


async def rows(app) -> list[OutboxMessage]:
    async with app[DB].transaction() as s:
        return list((await s.exec(select(OutboxMessage).order_by(OutboxMessage.id))).all())


async def test_130429_pauses_every_send_and_the_row_goes_after_it(graph, config, monkeypatch):
    from bot.channels.whatsapp import sending

    monkeypatch.setattr(sending, "THROUGHPUT_PAUSE", 0.5)
    async with running(config) as bot:
        graph.fail_next(130429, message="Rate limit hit")
        assert await graphapi.post(bot.webhook, graphapi.text(WA, "hallo")) == 200
        await graph.wait_for(lambda: graph.sent_to(WA))
        refused, taken = graph.requests[0], graph.sent_to(WA)[0]
        assert refused.answered == 400 and refused.body == taken.body  # the same message again
        assert taken.at - refused.at >= 0.45  # waited out
        await graph.settle()
        first = (await rows(bot.app))[0]
        assert first.status == "sent" and first.attempts == 2 and "130429" in first.last_error


async def test_131056_waits_for_that_resident_only(graph, config, monkeypatch):
    from bot.channels.whatsapp import sending

    monkeypatch.setattr(sending, "PAIR_WAIT", 1.0)
    async with running(config) as bot:
        graph.fail_next(131056, message="(Business Account, Consumer Account) pair rate limit")
        assert await graphapi.post(bot.webhook, graphapi.text(WA, "hallo")) == 200
        await graph.wait_for(lambda: graph.sent_to(WA, ok_only=False))
        other = "31611112222"
        assert await graphapi.post(bot.webhook, graphapi.text(other, "hallo")) == 200
        await graph.wait_for(lambda: graph.sent_to(other))
        await graph.wait_for(lambda: graph.sent_to(WA))
        # The other resident was not held up by the first one's pair limit.
        assert graph.sent_to(other)[0].at < graph.sent_to(WA)[0].at
        refused = graph.sent_to(WA, ok_only=False)[0]
        assert graph.sent_to(WA)[0].at - refused.at >= 0.95


async def test_another_error_fails_the_row_with_the_code_and_the_rest_still_go(graph, config):
    async with running(config) as bot:
        graph.fail_next(131026, message="Message Undeliverable")
        assert await graphapi.post(bot.webhook, graphapi.text(WA, "hallo")) == 200
        await graph.wait_for(lambda: graph.requests)
        await graph.settle(quiet=0.5)
        found = await rows(bot.app)
        assert found[0].status == "failed"
        assert "131026" in found[0].last_error and "Message Undeliverable" in found[0].last_error
        assert len(graph.requests) == 1 + len(found) - 1  # tried once; the others went
        assert all(r.status == "sent" for r in found[1:])


async def pick_arabic(bot, graph) -> None:
    assert await graphapi.post(bot.webhook, graphapi.text(WA, "hallo")) == 200
    await graph.wait_for(lambda: any(r.options for r in graph.sent_to(WA)))
    picker = next(r for r in graph.sent_to(WA) if r.options)
    arabic = next(o for o in picker.options if o["title"] == "العربية")
    kind = picker.body["interactive"]["type"]
    reply = "list_reply" if kind == "list" else "button_reply"
    count = len(graph.sent_to(WA))
    assert await graphapi.post(bot.webhook, graphapi.press(WA, arabic, kind=reply)) == 200
    await graph.wait_for(lambda: len(graph.sent_to(WA)) > count)
    await graph.settle()


async def test_131047_sends_the_template_in_the_residents_language_and_holds_the_row(graph, config):
    async with running(config) as bot:
        await pick_arabic(bot, graph)
        before = len(graph.sent_to(WA))
        graph.fail_next(131047, message="Re-engagement message")
        assert await graphapi.post(bot.webhook, graphapi.text(WA, "/menu")) == 200
        await graph.wait_for(lambda: any(r.kind == "template" for r in graph.sent_to(WA)))
        await graph.settle()
        template = next(r for r in graph.sent_to(WA) if r.kind == "template")
        assert template.body["template"] == {
            "name": config.whatsapp_template,
            "language": {"code": "ar"},
        }
        assert len(graph.sent_to(WA)) == before + 1  # the template only; the menu waits
        held = [r for r in await rows(bot.app) if r.delivery == "window"]
        assert len(held) == 1 and held[0].status == "pending"
        menu = held[0].text

        # The resident writes: the held reply goes first, then the answer to the new message.
        assert await graphapi.post(bot.webhook, graphapi.text(WA, "شكرا")) == 200
        await graph.wait_for(lambda: len(graph.sent_to(WA)) > before + 1)
        await graph.settle()
        assert graph.sent_to(WA)[before + 1].text == menu
        assert all(r.status == "sent" for r in await rows(bot.app))


async def friday_night_was_long_ago(app, wa_id: str = WA) -> None:
    """The resident last wrote more than 24 hours ago (the app was restarted since, so
    nothing in memory says otherwise)."""
    async with app[DB].transaction() as s:
        resident = await resident_db.find_resident(s, "whatsapp", wa_id)
        resident.last_seen_at -= timedelta(hours=25)


async def settled_rows(app, graph) -> list[OutboxMessage]:
    await graph.settle()
    await asyncio.sleep(0.2)  # the outcome of the last send is written
    return await rows(app)


async def test_a_failed_status_with_131047_holds_the_row_as_well(graph, config):
    async with running(config) as bot:
        assert await graphapi.post(bot.webhook, graphapi.text(WA, "hallo")) == 200
        await graph.wait_for(lambda: graph.sent_to(WA))
        await graph.settle()
        last = graph.sent_to(WA)[-1]
    async with running(config) as bot:
        await friday_night_was_long_ago(bot.app)
        # WhatsApp took the message but could not deliver it: the window had closed.
        failed = graphapi.status(last.wamid, "failed", wa_id=WA, code=131047)
        assert await graphapi.post(bot.webhook, failed) == 200
        await graph.wait_for(lambda: any(r.kind == "template" for r in graph.sent_to(WA)))
        held = [r for r in await settled_rows(bot.app, graph) if r.delivery == "window"]
        assert [r.text for r in held] == [last.text]
        assert [r.text for r in graph.sent_to(WA)].count(last.text) == 1  # not sent again


async def test_a_worker_reply_on_monday_sends_the_template_and_goes_when_the_resident_writes(
    graph, config, aiohttp_client
):
    from bot.app import init_app
    from tests.dashboard.conftest import Worker, create_user, only_open_case

    config = replace(config, office_hours="altijd")
    async with running(config) as bot:  # Friday night
        await pick_arabic(bot, graph)
        count = len(graph.sent_to(WA))
        assert await graphapi.post(bot.webhook, graphapi.text(WA, "/mens")) == 200
        await graph.wait_for(lambda: len(graph.sent_to(WA)) > count)
        await graph.settle()
        await create_user(bot.app[DB], "sanne")
    app = init_app(config)  # Monday morning
    client = await aiohttp_client(app)
    await asyncio.wait_for(app[WHATSAPP].ready.wait(), 10)
    await friday_night_was_long_ago(app)
    case = await only_open_case(app)
    worker = await Worker.login(client, "sanne")
    assert (await worker.post(f"/dashboard/cases/{case.id}/claim")).status == 200
    before = len(graph.sent_to(WA))
    reply = await worker.post(f"/dashboard/cases/{case.id}/reply", {"text": "Ik bel je om 10 uur"})
    assert reply.status == 200
    await graph.wait_for(lambda: len(graph.sent_to(WA)) > before)
    found = await settled_rows(app, graph)
    assert [r.kind for r in graph.sent_to(WA)[before:]] == ["template"]
    assert graph.sent_to(WA)[-1].body["template"]["language"] == {"code": "ar"}
    assert [r.delivery for r in found if r.status == "pending"] == ["window"]
    status, page = await worker.page(f"/dashboard/cases/{case.id}")
    assert status == 200
    assert 'data-testid="whatsapp-window" data-open="no"' in page

    webhook = str(client.make_url("/whatsapp/webhook"))
    assert await graphapi.post(webhook, graphapi.text(WA, "نعم")) == 200
    await graph.wait_for(lambda: len(graph.sent_to(WA)) > before + 1)
    await settled_rows(app, graph)
    assert "Ik bel je om 10 uur" in graph.sent_to(WA)[before + 1].text
    _, page = await worker.page(f"/dashboard/cases/{case.id}")
    assert 'data-testid="whatsapp-window" data-open="yes"' in page
