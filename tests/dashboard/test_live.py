"""Live updates over Server-Sent Events: a new case and a resident's message reach an open page
at once when this process wrote them, and within the poll interval when another process did."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

import pytest

from bot.app import DB
from bot.dashboard import views
from storage import residents as resident_db
from storage.cases import open_case
from storage.db import Database
from tests.dashboard.conftest import SUICIDE, Worker, only_open_case, resident_says


async def next_event(response, timeout: float = 5.0) -> tuple[str, dict]:
    event = None
    while True:
        raw = await asyncio.wait_for(response.content.readline(), timeout)
        assert raw, "the stream ended"
        line = raw.decode().rstrip("\n")
        if line.startswith("event: "):
            event = line[len("event: ") :]
        elif line.startswith("data: ") and event:
            data = json.loads(line[len("data: ") :])
            return event, data


async def event_of(response, kind: str, timeout: float = 5.0) -> dict:
    while True:
        event, data = await next_event(response, timeout)
        if event == kind:
            return data


async def test_a_new_case_and_new_messages_reach_an_open_page(client, add_user):
    await add_user("fatima")
    await Worker.login(client, "fatima")
    stream = await client.get("/dashboard/events")
    assert stream.status == 200
    assert stream.headers["Content-Type"].startswith("text/event-stream")
    assert await event_of(stream, "summary") == {"waiting": 0, "open": 0, "urgent": []}

    started = asyncio.get_running_loop().time()
    await resident_says(client.app, "r1", SUICIDE)
    summary = await event_of(stream, "summary")
    case = await only_open_case(client.app)
    assert summary == {"waiting": 1, "open": 1, "urgent": [case.id]}
    assert asyncio.get_running_loop().time() - started < 1.0  # woken, not polled
    assert (await event_of(stream, "cases"))["ids"] == [case.id]

    # The queue's rows, as the page fetches them.
    rows = await client.get("/dashboard/queue/rows")
    assert f'data-case="{case.id}"' in await rows.text()

    # The resident writes again: the case page hears of it and fetches the new message.
    await resident_says(client.app, "r1", "ben je er nog?")
    assert case.id in (await event_of(stream, "cases"))["ids"]
    update = await (await client.get(f"/dashboard/cases/{case.id}/updates?after=0")).json()
    assert "ben je er nog?" in update["messages"] and update["status"] == "waiting"
    later = await client.get(
        f"/dashboard/cases/{case.id}/updates?after={update['last_entry']}&notes_after=0"
    )
    assert "ben je er nog?" not in (await later.json())["messages"]
    stream.close()


async def test_a_case_written_by_another_process_appears_within_the_poll(client, add_user, config):
    await add_user("fatima")
    await Worker.login(client, "fatima")
    stream = await client.get("/dashboard/events")
    await event_of(stream, "summary")
    other = Database(config.database_url)  # another process: no listener is called here
    try:
        now = datetime.now(UTC)
        async with other.transaction() as s:
            resident = await resident_db.get_or_create_resident(s, "telegram", "55", now=now)
            await open_case(s, resident.id, reason="no_bed", priority="high", now=now)
    finally:
        await other.dispose()
    summary = await event_of(stream, "summary", timeout=3.0)
    assert summary["waiting"] == 1
    stream.close()


async def test_the_stream_says_logout_when_the_session_ends(client, add_user, monkeypatch):
    monkeypatch.setattr(views, "PING_EVERY", 0.2)
    await add_user("fatima")
    worker = await Worker.login(client, "fatima")
    stream = await client.get("/dashboard/events")
    await event_of(stream, "summary")
    async with client.app[DB].transaction() as s:
        from sqlalchemy import delete

        from storage.users import WebSession

        await s.exec(delete(WebSession))
    assert await event_of(stream, "logout", timeout=3.0) == {}
    del worker


@pytest.mark.parametrize(
    "headers", [{"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"}]
)
async def test_the_stream_is_for_this_site_only(client, add_user, headers):
    await add_user("fatima")
    await Worker.login(client, "fatima")
    response = await client.get("/dashboard/events", headers=headers)
    assert response.status == 403


async def test_a_page_of_another_worker_hears_a_claim(client, add_user, second_client):
    await add_user("fatima")
    await add_user("noor")
    fatima = await Worker.login(client, "fatima")
    await Worker.login(second_client, "noor")
    await resident_says(client.app, "r1", "/mens")
    case = await only_open_case(client.app)
    stream = await second_client.get("/dashboard/events")
    await event_of(stream, "summary")
    await fatima.post(f"/dashboard/cases/{case.id}/claim")
    while (await event_of(stream, "summary"))["waiting"] != 0:
        pass  # an earlier summary may still come first
    update = await (await second_client.get(f"/dashboard/cases/{case.id}/updates")).json()
    assert update["status"] == "claimed" and update["worker"] == "fatima"
    assert "Opgepakt door fatima" in update["status_text"]
    stream.close()


async def test_a_burst_of_pokes_makes_one_look_per_spacing_and_a_last_one_after_it(
    database: Database,
):
    from bot.dashboard.live import Live

    live = Live(database, interval=30.0, spacing=0.2)
    looks = _count_looks(live)
    await live.start()
    live.subscribe()  # a page is open
    try:
        started = asyncio.get_running_loop().time()
        for _ in range(100):  # a message queued every 10 ms for a second
            live.poke()
            await asyncio.sleep(0.01)
        last_poke = asyncio.get_running_loop().time()
        await asyncio.sleep(0.5)
    finally:
        await live.stop()
    assert 2 <= len(looks) <= 8, looks  # about one per 0.2 s, not one per poke
    assert looks[0] - started < 0.1  # the first poke is looked at at once
    assert looks[-1] >= last_poke - 0.2  # the last pokes are not dropped


async def test_with_no_page_open_pokes_wait_for_the_idle_look_and_the_counts_stay_fresh(
    database: Database, monkeypatch
):
    from bot.dashboard import live as live_module

    monkeypatch.setattr(live_module, "IDLE_INTERVAL", 0.3)
    live = live_module.Live(database, interval=0.05, spacing=0.05)
    looks = _count_looks(live)
    await live.start()
    try:
        for _ in range(50):  # a message queued every 10 ms for half a second
            live.poke()
            await asyncio.sleep(0.01)
        assert 1 <= len(looks) <= 3, looks  # the idle looks: not the pokes', not the interval's
        async with database.transaction() as s:
            resident = await resident_db.get_or_create_resident(
                s, "telegram", "r-fresh", now=datetime.now(UTC)
            )
            await open_case(
                s, resident.id, reason="risk:suicide", priority="urgent", now=datetime.now(UTC)
            )
        await asyncio.sleep(0.5)
        assert live.snapshot.summary()["open"] == 1  # what a page's header shows
    finally:
        await live.stop()


async def test_a_page_that_opens_gets_a_look_at_once_and_then_its_pokes(database: Database):
    from bot.dashboard.live import Live

    live = Live(database, interval=5.0, spacing=0.05)  # no look of its own meanwhile
    await live.start()
    try:
        async with database.transaction() as s:
            resident = await resident_db.get_or_create_resident(
                s, "telegram", "r-first", now=datetime.now(UTC)
            )
            await open_case(
                s, resident.id, reason="risk:suicide", priority="urgent", now=datetime.now(UTC)
            )
        assert live.snapshot.summary()["open"] == 0  # not looked at yet
        subscription = live.subscribe()  # a page opens its event stream
        news = await subscription.next(1.0)
        assert news is not None and news[0] is True
        assert live.snapshot.summary()["open"] == 1
        async with database.transaction() as s:
            other = await resident_db.get_or_create_resident(
                s, "telegram", "r-second", now=datetime.now(UTC)
            )
            await open_case(
                s, other.id, reason="risk:suicide", priority="urgent", now=datetime.now(UTC)
            )
        live.poke()  # with a page open, a poke is looked at
        news = await subscription.next(1.0)
        assert news is not None and news[0] is True
        assert live.snapshot.summary()["open"] == 2
    finally:
        await live.stop()


def _count_looks(live) -> list[float]:
    """The loop times at which `live` looks at the database from now on."""
    looks: list[float] = []
    refresh = live.refresh

    async def counted() -> None:
        looks.append(asyncio.get_running_loop().time())
        await refresh()

    live.refresh = counted
    return looks
