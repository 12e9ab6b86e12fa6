"""`/metrics`: the gauges read from the database (SQLite and PostgreSQL), the counters bumped
where messages come in and go out, a scrape while the database hangs, and the token."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from aiohttp import ClientSession
from prometheus_client.parser import text_string_to_metric_families

from bot.app import DB, init_app
from bot.ops import health as operations
from bot.ops.metrics import Metrics, State, read_state
from bot.outbox import Failed, Outbox, Outgoing, Result, Sent
from storage import cases
from storage import outbox as outbox_db
from storage import residents as resident_db
from storage.db import Database
from storage.outbox import PRIORITY_CRISIS
from tests.telegram.conftest import free_port, running

NOW = datetime(2025, 3, 4, 12, 0, tzinfo=UTC)
CHAT = 6150


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a scrape by (name, sorted labels)."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[sample.name, tuple(sorted(sample.labels.items()))] = sample.value
    return found


def value(text: str, name: str, **labels: str) -> float | None:
    return samples(text).get((name, tuple(sorted(labels.items()))))


async def _fill(db: Database) -> list[str]:
    """Waiting cases of each priority, a claimed one, and outbox rows in every state; returns
    what must never show up in a scrape (pseudonyms, chat ids, texts)."""
    private = []
    async with db.transaction() as s:
        residents = []
        for n in range(5):
            external = f"98765432{n}"
            resident = await resident_db.get_or_create_resident(s, "telegram", external, now=NOW)
            residents.append(resident.id)
            private += [resident.pseudonym, external]
        web = await resident_db.get_or_create_resident(s, "web", "a" * 48, now=NOW)
        private += [web.pseudonym, "a" * 48]
        opened = [("urgent", 30), ("high", 300), ("high", 120), ("normal", 3600)]
        for rid, (priority, minutes) in zip(residents, opened, strict=False):
            await cases.open_case(
                s, rid, reason="suicide", priority=priority, now=NOW - timedelta(minutes=minutes)
            )
        claimed = await cases.open_case(
            s, residents[4], reason="asked_for_person", priority="urgent", now=NOW - timedelta(1)
        )
        claimed.status = "claimed"  # not waiting: not in the queue
        text = "Geheime tekst voor de bewoner"
        private.append(text)
        await outbox_db.enqueue(s, residents[0], text, now=NOW - timedelta(seconds=40))
        await outbox_db.enqueue(s, residents[0], text, now=NOW - timedelta(seconds=5))
        crisis = await outbox_db.enqueue(
            s, residents[1], text, now=NOW - timedelta(seconds=90), priority=PRIORITY_CRISIS
        )
        await outbox_db.enqueue(s, residents[1], text, now=NOW - timedelta(seconds=20))
        await outbox_db.enqueue(s, web.id, text, now=NOW - timedelta(seconds=600))
        sent = await outbox_db.enqueue(s, residents[2], text, now=NOW - timedelta(hours=5))
    async with db.transaction() as s:
        await outbox_db.mark_sent(s, sent.id, now=NOW)
        await outbox_db.mark_failed(s, crisis.id, now=NOW, error="given up")
    return private


async def test_gauges_come_from_the_database(database: Database):
    private = await _fill(database)
    state = await read_state(database, NOW)
    text = Metrics().render(state).decode()

    assert value(text, "buurtbot_database_up") == 1
    assert value(text, "buurtbot_cases_waiting", priority="urgent") == 1
    assert value(text, "buurtbot_cases_waiting", priority="high") == 2
    assert value(text, "buurtbot_cases_waiting", priority="normal") == 1
    assert value(text, "buurtbot_case_oldest_waiting_seconds", priority="urgent") == 30 * 60
    assert value(text, "buurtbot_case_oldest_waiting_seconds", priority="high") == 300 * 60
    assert value(text, "buurtbot_case_oldest_waiting_seconds", priority="normal") == 3600 * 60

    pending = "buurtbot_outbox_pending"
    assert value(text, pending, channel="telegram", priority="normal") == 3
    assert value(text, pending, channel="telegram", priority="crisis") == 0  # given up
    assert value(text, pending, channel="web", priority="normal") == 1
    oldest = "buurtbot_outbox_oldest_pending_seconds"
    assert value(text, oldest, channel="telegram", priority="normal") == 40
    assert value(text, oldest, channel="telegram", priority="crisis") == 0
    assert value(text, oldest, channel="web", priority="normal") == 600
    for secret in private:
        assert secret not in text


async def test_an_empty_queue_shows_zeros(database: Database):
    text = Metrics().render(await read_state(database, NOW)).decode()
    for priority in ("urgent", "high", "normal"):
        assert value(text, "buurtbot_cases_waiting", priority=priority) == 0
        assert value(text, "buurtbot_case_oldest_waiting_seconds", priority=priority) == 0
    assert value(text, "buurtbot_outbox_pending", channel="telegram", priority="crisis") == 0


async def test_two_apps_in_one_process_count_apart(aiohttp_client, tmp_path, web_config):
    first = await aiohttp_client(init_app(web_config))
    second = await aiohttp_client(
        init_app(replace(web_config, database_url=f"sqlite:///{tmp_path / 'two.db'}"))
    )
    await _say(first, "hallo")
    await _say(first, "/mens")
    one = await (await first.get("/metrics")).text()
    two = await (await second.get("/metrics")).text()
    assert value(one, "buurtbot_messages_in_total", channel="web") == 2
    assert value(two, "buurtbot_messages_in_total", channel="web") == 0
    assert value(one, "buurtbot_cases_waiting", priority="normal") == 1
    assert value(two, "buurtbot_cases_waiting", priority="normal") == 0


async def _say(client, text: str) -> None:
    response = await client.post("/chat/api/send", json={"text": text})
    assert response.status == 200


async def test_a_message_sent_again_counts_as_again_not_as_in(aiohttp_client, web_config):
    client = await aiohttp_client(init_app(web_config))
    for _ in range(2):  # the page sends again with the same id after a failed send
        response = await client.post("/chat/api/send", json={"text": "hallo", "id": "m1"})
        assert response.status == 200
    text = await (await client.get("/metrics")).text()
    assert value(text, "buurtbot_messages_in_total", channel="web") == 1
    assert value(text, "buurtbot_messages_again_total", channel="web") == 1
    assert value(text, "buurtbot_messages_again_total", channel="telegram") == 0


async def test_a_scrape_answers_while_the_database_hangs(aiohttp_client, web_config, monkeypatch):
    """A transaction held open stands for a database that does not answer: the scrape still
    comes, with the counters and `buurtbot_database_up 0`, in about the timeout."""
    monkeypatch.setattr(operations, "TIMEOUT_SECONDS", 0.3)
    client = await aiohttp_client(init_app(web_config))
    await _say(client, "hallo")
    db = client.app[DB]
    async with db.transaction():
        started = asyncio.get_running_loop().time()
        response = await client.get("/metrics")
        took = asyncio.get_running_loop().time() - started
        text = await response.text()
    assert response.status == 200 and took < 2
    assert value(text, "buurtbot_database_up") == 0
    assert value(text, "buurtbot_messages_in_total", channel="web") == 1
    assert value(text, "buurtbot_cases_waiting", priority="urgent") is None  # no wrong zeros
    # The check left waiting finishes once the database answers; the next scrape is whole.
    text = await (await client.get("/metrics")).text()
    assert value(text, "buurtbot_database_up") == 1
    assert value(text, "buurtbot_cases_waiting", priority="urgent") == 0


async def test_the_token_guards_the_scrape(aiohttp_client, web_config):
    client = await aiohttp_client(
        init_app(replace(web_config, metrics_token="s3cret-scrape-t0ken"))
    )
    assert (await client.get("/metrics")).status == 401
    wrong = {"Authorization": "Bearer not-the-token"}
    assert (await client.get("/metrics", headers=wrong)).status == 401
    right = {"Authorization": "Bearer s3cret-scrape-t0ken"}
    response = await client.get("/metrics", headers=right)
    assert response.status == 200
    assert "buurtbot_database_up 1.0" in await response.text()
    assert (await client.get("/healthz")).status == 200  # the health check stays open


async def test_telegram_sends_and_errors_are_counted(botapi, telegram_config):
    """The real channel against the Bot API stand-in: each kind of answer lands in its own
    counter."""
    port = free_port()
    async with running(telegram_config, port=port):
        text = await scrape(port)
        assert value(text, "buurtbot_telegram_up") == 1
        for kind in ("retry_after", "network", "forbidden", "bad_request", "unexpected"):
            labels = {"channel": "telegram", "kind": kind}
            assert value(text, "buurtbot_send_errors_total", **labels) == 0

        await botapi.say(CHAT, "hallo")
        botapi.fail("sendMessage", "429", retry_after=1)
        botapi.fail("sendMessage", "502")
        await botapi.say(CHAT, "/menu")
        botapi.fail("sendMessage", "400", chat_id=CHAT + 1)
        await botapi.say(CHAT + 1, "hallo")  # the first reply is refused, the second comes
        botapi.fail("sendMessage", "403", chat_id=CHAT + 2)
        botapi.text(CHAT + 2, "hallo")
        await botapi.wait_for(lambda: "403" in {c.outcome for c in botapi.calls})
        text = await scrape_until(port, "buurtbot_send_errors_total", kind="forbidden")

    errors = "buurtbot_send_errors_total"
    assert value(text, errors, channel="telegram", kind="retry_after") == 1
    assert value(text, errors, channel="telegram", kind="network") == 1
    assert value(text, errors, channel="telegram", kind="bad_request") == 1
    assert value(text, errors, channel="telegram", kind="forbidden") == 1
    delivered = [c for c in botapi.calls_of("sendMessage") if c.outcome == "ok"]
    assert value(text, "buurtbot_messages_out_total", channel="telegram") == len(delivered)
    assert value(text, "buurtbot_messages_in_total", channel="telegram") == 4


async def scrape_until(port: int, name: str, **labels: str) -> str:
    """Scrape until the counter `name` with `labels` (on the telegram channel) is above 0."""
    for _ in range(100):
        text = await scrape(port)
        if value(text, name, channel="telegram", **labels):
            return text
        await asyncio.sleep(0.05)
    raise AssertionError(f"{name} {labels} stayed 0")


async def scrape(port: int, path: str = "/metrics") -> str:
    async with ClientSession() as session, session.get(f"http://127.0.0.1:{port}{path}") as r:
        assert r.status == 200
        return await r.text()


async def test_the_outbox_counts_what_became_of_each_send(database: Database):
    """The outbox on its own, with a channel that first raises, then refuses, then sends."""
    answers = iter([RuntimeError("a bug"), Failed("Bad Request: chat not found"), Sent()])

    async def send(outgoing: Outgoing) -> Result:
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    now = datetime.now(UTC)
    async with database.transaction() as s:
        resident = await resident_db.get_or_create_resident(s, "telegram", "4711", now=now)
        for text in ("een", "twee"):
            await outbox_db.enqueue(s, resident.id, text, now=now)
    metrics = Metrics()
    sender = Outbox(database, "telegram", send, metrics=metrics)
    sender.start()
    try:
        for _ in range(200):
            text = metrics.render(State(database_up=True)).decode()
            if value(text, "buurtbot_messages_out_total", channel="telegram"):
                break
            await asyncio.sleep(0.05)
    finally:
        await sender.stop()
    errors = "buurtbot_send_errors_total"
    assert value(text, errors, channel="telegram", kind="unexpected") == 1
    assert value(text, errors, channel="telegram", kind="bad_request") == 1
    assert value(text, "buurtbot_messages_out_total", channel="telegram") == 1
