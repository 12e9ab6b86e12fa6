"""The outbox dispatcher on both databases, with a recording channel instead of Telegram:
order per resident, crisis first, retries and giving up, blocked residents, pacing, a dispatcher
that died mid-send, and one sender across processes."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from bot.outbox import Blocked, Failed, Outbox, Outgoing, Pacer, Result, Retry, Sent, leader
from bot.outbox import dispatcher as outbox
from storage import outbox as outbox_db
from storage import residents as resident_db
from storage.db import Database
from storage.outbox import PRIORITY_CRISIS, OutboxMessage


def now() -> datetime:
    return datetime.now(UTC)


class Channel:
    """Records sends; answers each with the next scripted result for that text, else Sent."""

    def __init__(
        self,
        script: dict[str, list[Result]] | None = None,
        delay: float = 0.0,
        slow: dict[str, float] | None = None,
    ):
        self.script = script or {}
        self.delay = delay
        self.slow = slow or {}
        self.sent: list[tuple[str, str, float]] = []  # (external id, text, monotonic time)
        self.attempts: list[str] = []

    async def __call__(self, message: Outgoing) -> Result:
        self.attempts.append(message.text)
        if self.delay or message.text in self.slow:
            await asyncio.sleep(self.slow.get(message.text, self.delay))
        answers = self.script.get(message.text)
        if answers:
            return answers.pop(0)
        self.sent.append((message.external_id, message.text, time.monotonic()))
        return Sent()

    def texts(self, external_id: str | None = None) -> list[str]:
        return [t for e, t, _ in self.sent if external_id is None or e == external_id]


async def queue(db: Database, external_id: str, *texts: str, priority: int = 10) -> int:
    async with db.transaction() as s:
        resident = await resident_db.get_or_create_resident(s, "telegram", external_id, now=now())
        for text in texts:
            await outbox_db.enqueue(s, resident.id, text, now=now(), priority=priority)
        return resident.id


async def rows(db: Database) -> list[OutboxMessage]:
    async with db.transaction() as s:
        return list((await s.exec(select(OutboxMessage).order_by(OutboxMessage.id))).all())


async def until(condition: Callable[[], bool], timeout: float = 8.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch):
    monkeypatch.setattr(outbox, "BACKOFF_BASE", 0.05)


async def test_each_residents_rows_go_in_order_and_crisis_rows_first(database):
    await queue(database, "1", *[f"a{i}" for i in range(5)])
    await queue(database, "2", *[f"b{i}" for i in range(5)])
    await queue(database, "3", "crisis", priority=PRIORITY_CRISIS)
    channel = Channel(delay=0.01)
    box = Outbox(database, "telegram", channel, max_in_flight=4)
    box.start()
    try:
        await until(lambda: len(channel.sent) == 11)
    finally:
        await box.stop()
    assert channel.texts()[0] == "crisis"
    assert channel.texts("1") == [f"a{i}" for i in range(5)]
    assert channel.texts("2") == [f"b{i}" for i in range(5)]
    assert all(r.status == "sent" and r.sent_at for r in await rows(database))


async def test_a_crisis_row_goes_out_even_when_every_sender_is_busy(database):
    await queue(database, "1", "slow one")
    await queue(database, "2", "waits its turn")

    channel = Channel(slow={"slow one": 1.0})
    box = Outbox(database, "telegram", channel, max_in_flight=1)
    box.start()
    try:
        await until(lambda: channel.attempts == ["slow one"])
        await queue(database, "3", "crisis", priority=PRIORITY_CRISIS)
        box.notify()
        await until(lambda: "crisis" in channel.texts())
        assert channel.texts() == ["crisis"]  # before the slow one finished
        await until(lambda: len(channel.sent) == 3)
    finally:
        await box.stop()


async def test_only_rows_of_its_channel_are_taken(database):
    async with database.transaction() as s:
        web = await resident_db.get_or_create_resident(s, "web", "cookie", now=now())
        await outbox_db.enqueue(s, web.id, "for the web", now=now())
    await queue(database, "1", "for telegram")
    channel = Channel()
    box = Outbox(database, "telegram", channel)
    box.start()
    try:
        await until(lambda: len(channel.sent) == 1)
        await asyncio.sleep(0.2)
    finally:
        await box.stop()
    assert channel.texts() == ["for telegram"]


async def test_network_trouble_is_retried_with_backoff_and_order_kept(database):
    await queue(database, "1", "first", "second")
    channel = Channel({"first": [Retry("NetworkError: Bad Gateway"), Retry("TimedOut")]})
    box = Outbox(database, "telegram", channel)
    box.start()
    try:
        await until(lambda: len(channel.sent) == 2)
    finally:
        await box.stop()
    assert channel.texts() == ["first", "second"]  # "second" waited for "first"
    first = (await rows(database))[0]
    assert (first.status, first.attempts, first.last_error) == ("sent", 3, "TimedOut")


async def test_a_row_is_given_up_after_max_attempts(database):
    await queue(database, "1", "never", "next")
    channel = Channel({"never": [Retry("NetworkError")] * 10})
    box = Outbox(database, "telegram", channel, max_attempts=3)
    box.start()
    try:
        await until(lambda: channel.texts() == ["next"])
    finally:
        await box.stop()
    never = (await rows(database))[0]
    assert never.status == "failed" and never.attempts == 3
    assert never.last_error.startswith("gave up after 3 attempts")


async def test_a_rate_limit_pauses_every_send_and_is_not_given_up(database):
    await queue(database, "1", "limited")
    await queue(database, "2", "other")
    channel = Channel({"limited": [Retry("RetryAfter", after=0.6, pause_all=True)]})
    box = Outbox(database, "telegram", channel, max_attempts=1)
    started = time.monotonic()
    box.start()
    try:
        await until(lambda: len(channel.sent) == 2)
    finally:
        await box.stop()
    assert sorted(channel.texts()) == ["limited", "other"]
    assert all(at - started >= 0.55 for _, _, at in channel.sent)  # "other" waited too


async def test_a_refused_row_is_failed_and_the_next_one_still_goes(database):
    await queue(database, "1", "bad", "good")
    channel = Channel({"bad": [Failed("BadRequest: chat not found")]})
    box = Outbox(database, "telegram", channel)
    box.start()
    try:
        await until(lambda: channel.texts() == ["good"])
    finally:
        await box.stop()
    bad = (await rows(database))[0]
    assert (bad.status, bad.last_error) == ("failed", "BadRequest: chat not found")


async def test_a_resident_who_blocked_the_bot_gets_nothing_more(database):
    rid = await queue(database, "1", "blocked here", "not sent", "nor this")
    channel = Channel({"blocked here": [Blocked("Forbidden: bot was blocked by the user")]})
    box = Outbox(database, "telegram", channel)
    box.start()
    try:
        await until(lambda: "blocked here" in channel.attempts)
        await asyncio.sleep(0.3)
        await queue(database, "1")  # writing again (an inbound message) lifts the mark ...
        async with database.transaction() as s:
            await outbox_db.enqueue(s, rid, "after unblocking", now=now())
        box.notify()
        await until(lambda: channel.texts() == ["after unblocking"])
    finally:
        await box.stop()
    assert channel.attempts == ["blocked here", "after unblocking"]
    statuses = [(r.text, r.status) for r in await rows(database)]
    assert statuses[:3] == [
        ("blocked here", "failed"),
        ("not sent", "failed"),
        ("nor this", "failed"),
    ]


async def test_rows_queued_for_a_blocked_resident_are_not_sent(database):
    rid = await queue(database, "1")
    async with database.transaction() as s:
        await outbox_db.mark_blocked(s, rid, now=now(), error="blocked")
        await outbox_db.enqueue(s, rid, "from a worker", now=now())
    channel = Channel()
    box = Outbox(database, "telegram", channel)
    box.start()
    try:
        for _ in range(200):
            if (await rows(database))[0].status == "failed":
                break
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.2)
    finally:
        await box.stop()
    assert channel.attempts == []
    (row,) = await rows(database)
    assert row.status == "failed"


async def test_pacing_keeps_every_second_within_the_rate(database):
    for chat in range(4):
        await queue(database, str(chat), *[f"{chat}:{i}" for i in range(3)])
    channel = Channel()
    box = Outbox(database, "telegram", channel, pacer=Pacer(10))
    box.start()
    try:
        await until(lambda: len(channel.sent) == 12)
    finally:
        await box.stop()
    times = [at for _, _, at in channel.sent]
    most = max(sum(1 for t in times if start <= t < start + 1) for start in times)
    assert most <= 10


async def test_a_dispatcher_that_died_mid_send_leaves_nothing_behind(database):
    await queue(database, "1", "in flight when it died", "queued behind it")
    hanging = Channel(delay=60)
    first = Outbox(database, "telegram", hanging)
    first.start()
    await until(lambda: hanging.attempts == ["in flight when it died"])
    # As if killed: no outcome is written, the lease stays; a dead process's connection (and
    # with it the PostgreSQL leader lock) goes.
    first._stopping = True
    first._wake.set()
    await first._loop_task
    for task in list(first._in_flight.values()):
        task.cancel()
    await first._leader.release()
    await asyncio.sleep(0.05)
    leased = (await rows(database))[0]
    assert leased.status == "pending" and leased.not_before is not None
    channel = Channel()
    second = Outbox(database, "telegram", channel)
    second.start()
    try:
        await until(lambda: len(channel.sent) == 2)
    finally:
        await second.stop()
    assert channel.texts() == ["in flight when it died", "queued behind it"]


async def test_stop_lets_sends_under_way_finish_and_records_them(database):
    await queue(database, "1", "slow")
    channel = Channel(delay=0.3)
    box = Outbox(database, "telegram", channel)
    box.start()
    await until(lambda: channel.attempts == ["slow"])
    await box.stop()
    assert channel.texts() == ["slow"]
    assert (await rows(database))[0].status == "sent"


@pytest.mark.postgres
async def test_one_sender_per_channel_across_processes(database, monkeypatch):
    monkeypatch.setattr(leader.Leadership, "RETRY_SECONDS", 0.1)
    if database.dialect != "postgresql":
        pytest.skip("the leader lock is for PostgreSQL; SQLite runs one process")
    await queue(database, "1", "one")
    first_channel, second_channel = Channel(), Channel()
    first = Outbox(database, "telegram", first_channel)
    second = Outbox(database, "telegram", second_channel)
    first.start()
    await until(lambda: first_channel.texts() == ["one"])
    second.start()
    await queue(database, "1", "two")
    first.notify()
    await until(lambda: first_channel.texts() == ["one", "two"])
    assert second_channel.sent == []
    await first.stop()  # the lock is free: the other process takes over
    await queue(database, "1", "three")
    try:
        await until(lambda: second_channel.texts() == ["three"], timeout=10)
    finally:
        await second.stop()


async def test_the_pacer_keeps_the_pace_and_lets_a_crisis_go_first():
    pacer = Pacer(20)
    started = time.monotonic()
    times: dict[str, float] = {}

    async def one(name: str, priority: int = 10) -> None:
        await pacer.wait(priority)
        times[name] = time.monotonic() - started

    crowd = [asyncio.create_task(one(f"n{i}")) for i in range(10)]
    await asyncio.sleep(0.06)  # the first few went; the rest wait
    await one("crisis", priority=PRIORITY_CRISIS)
    await asyncio.gather(*crowd)
    order = sorted(times, key=times.get)
    assert order.index("crisis") <= 3  # not after the 9 others that were waiting before it
    ordered = sorted(times.values())
    gaps = [b - a for a, b in itertools.pairwise(ordered)]
    assert min(gaps) >= (1 / 20) * 0.9  # and it did not go faster than the pace
    pacer.pause(0.2)
    assert pacer.delay() > 0.1
    await pacer.close()


def test_backoff_doubles_up_to_the_cap():
    assert 0.8 <= outbox.backoff(0) / outbox.BACKOFF_BASE <= 1.0
    assert outbox.backoff(3) > outbox.backoff(1)
    assert outbox.backoff(30) <= outbox.BACKOFF_CAP


async def test_while_many_sends_are_under_way_claims_are_fewer_and_a_crisis_cuts_the_wait(
    database, monkeypatch
):
    monkeypatch.setattr(outbox, "COALESCE_BUSY_SECONDS", 1.5)  # long, so that timing is plain
    claims = 0
    real = Outbox._claim

    async def counted(self, *args, **kwargs):
        nonlocal claims
        claims += 1
        return await real(self, *args, **kwargs)

    monkeypatch.setattr(Outbox, "_claim", counted)
    slow = {f"slow {n}": 3.0 for n in range(outbox.BUSY_IN_FLIGHT)}
    for n in range(outbox.BUSY_IN_FLIGHT):
        await queue(database, f"r{n}", f"slow {n}")
    channel = Channel(slow=slow)
    box = Outbox(database, "telegram", channel)
    box.start()
    try:
        await until(lambda: len(channel.attempts) == outbox.BUSY_IN_FLIGHT)
        await asyncio.sleep(0.1)  # the loop waits, busy
        before = claims
        for n in range(5):  # ordinary rows 50 ms apart, each with its wake-up
            await queue(database, f"o{n}", f"ordinary {n}")
            box.notify(10)
            await asyncio.sleep(0.05)
        await until(lambda: len(channel.texts()) == 5, timeout=5)
        ordinary = claims - before
        assert ordinary <= 2, ordinary
        await asyncio.sleep(0.1)
        await queue(database, "c", "crisis", priority=PRIORITY_CRISIS)
        queued = time.monotonic()
        box.notify(PRIORITY_CRISIS)
        await until(lambda: "crisis" in channel.texts(), timeout=5)
        assert time.monotonic() - queued < 1.0  # not held for the busy wait of 1.5 s
    finally:
        await box.stop()
