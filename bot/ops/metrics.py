"""Prometheus metrics of one application: counters bumped where things happen, and gauges read
from the database when Prometheus scrapes.

One `CollectorRegistry` per application, not prometheus-client's global one, so that tests and
two apps in one process keep their own counts. Label values are only Buurtbot's own words
(channel, priority, kind of error): never a pseudonym, chat id or text, so the output holds
nothing personal (docs/operations.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func
from sqlmodel import select

from bot.outbox.results import Blocked, Failed, Result, Retry, Sent
from storage import outbox as outbox_db
from storage.cases import RANK, Case
from storage.db import Database
from storage.outbox import PRIORITY_NORMAL
from storage.residents import Channel

CASE_PRIORITIES = tuple(RANK)  # urgent, high, normal
OUTBOX_PRIORITIES = ("crisis", "normal")
# What went wrong with a send, as the outbox tells it (see `Metrics.outcome`).
ERROR_KINDS = ("retry_after", "network", "forbidden", "bad_request", "unexpected")
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@dataclass(frozen=True)
class Waiting:
    """How many, and since when the oldest (None: none)."""

    count: int = 0
    oldest: datetime | None = None


@dataclass(frozen=True)
class State:
    """What the gauges show: read from the database at scrape time."""

    database_up: bool
    cases: dict[str, Waiting] = field(default_factory=dict)  # by case priority
    outbox: dict[tuple[str, str], Waiting] = field(default_factory=dict)  # (channel, priority)
    telegram_up: bool | None = None  # None: the channel is not configured
    at: datetime | None = None
    held: int | None = None  # held for the database (bot.channels.holding); None: no channel


async def read_state(db: Database, now: datetime) -> State:
    """The queue and the outbox backlog, in one short transaction of two grouped queries over
    indexed columns."""
    cases = select(Case.priority, func.count(), func.min(Case.created_at)).where(
        Case.status == "waiting"
    )
    async with db.transaction() as s:
        case_rows = (await s.exec(cases.group_by(Case.priority))).all()
        pending = await outbox_db.pending_by_channel(s)
    waiting = {p: Waiting(n, oldest) for p, n, oldest in case_rows if p in RANK}
    backlog: dict[tuple[str, str], Waiting] = {}
    for channel, priority, count, oldest in pending:
        key = (channel, "crisis" if priority < PRIORITY_NORMAL else "normal")
        known = backlog.get(key, Waiting())
        backlog[key] = Waiting(known.count + count, _earliest(known.oldest, oldest))
    return State(True, waiting, backlog, at=now)


def _earliest(a: datetime | None, b: datetime | None) -> datetime | None:
    return min((t for t in (a, b) if t is not None), default=None)


class _StateCollector(Collector):
    """The gauges of the latest `State`."""

    def __init__(self) -> None:
        self.state = State(database_up=False)

    def collect(self) -> Iterator[Metric]:
        state = self.state
        up = GaugeMetricFamily(
            "buurtbot_database_up", "1 when the database answered this scrape, else 0"
        )
        up.add_metric([], 1.0 if state.database_up else 0.0)
        yield up
        if state.telegram_up is not None:
            telegram = GaugeMetricFamily(
                "buurtbot_telegram_up", "1 when the Telegram channel runs and reaches Telegram"
            )
            telegram.add_metric([], 1.0 if state.telegram_up else 0.0)
            yield telegram
        if state.held is not None:  # most wanted while the database is down
            held = GaugeMetricFamily(
                "buurtbot_held_messages",
                "Residents' messages held until the database answers (also in the spool)",
            )
            held.add_metric([], state.held)
            yield held
        if not state.database_up or state.at is None:
            return  # no numbers rather than wrong ones
        now = state.at
        queue = GaugeMetricFamily(
            "buurtbot_cases_waiting", "Cases waiting for a social worker", labels=["priority"]
        )
        oldest = GaugeMetricFamily(
            "buurtbot_case_oldest_waiting_seconds",
            "Age of the oldest waiting case (0 when none waits)",
            labels=["priority"],
        )
        for priority in CASE_PRIORITIES:
            found = state.cases.get(priority, Waiting())
            queue.add_metric([priority], found.count)
            oldest.add_metric([priority], _age(found.oldest, now))
        yield queue
        yield oldest
        backlog = GaugeMetricFamily(
            "buurtbot_outbox_pending",
            "Outbox rows not yet delivered (web chat rows wait until the page fetches them)",
            labels=["channel", "priority"],
        )
        backlog_age = GaugeMetricFamily(
            "buurtbot_outbox_oldest_pending_seconds",
            "Age of the oldest undelivered outbox row (0 when none)",
            labels=["channel", "priority"],
        )
        keys = {(c.value, p) for c in (Channel.TELEGRAM, Channel.WEB) for p in OUTBOX_PRIORITIES}
        for channel, priority in sorted(keys | state.outbox.keys()):
            found = state.outbox.get((channel, priority), Waiting())
            backlog.add_metric([channel, priority], found.count)
            backlog_age.add_metric([channel, priority], _age(found.oldest, now))
        yield backlog
        yield backlog_age


def _age(since: datetime | None, now: datetime) -> float:
    return max(0.0, (now - since).total_seconds()) if since is not None else 0.0


class Metrics:
    """The metrics of one application."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.messages_in = Counter(
            "buurtbot_messages_in",
            "Messages from residents taken in (stored), by channel",
            ["channel"],
            registry=self.registry,
        )
        self.messages_out = Counter(
            "buurtbot_messages_out",
            "Outbox rows the channel accepted (a long text sent in parts counts once)",
            ["channel"],
            registry=self.registry,
        )
        self.messages_again = Counter(
            "buurtbot_messages_again",
            "Messages a channel delivered a second time, recognised and not handled again",
            ["channel"],
            registry=self.registry,
        )
        self.send_errors = Counter(
            "buurtbot_send_errors",
            "Failed send attempts of outbox rows, by kind",
            ["channel", "kind"],
            registry=self.registry,
        )
        self._state = _StateCollector()
        self.registry.register(self._state)
        for channel in (Channel.TELEGRAM, Channel.WEB):
            self.messages_in.labels(channel.value)
            self.messages_again.labels(channel.value)

    def received(self, channel: str, *, again: bool = False) -> None:
        """A resident's message came in on `channel`; `again`: one handled before, delivered
        a second time (storage/handled.py)."""
        (self.messages_again if again else self.messages_in).labels(channel).inc()

    def sending(self, channel: str) -> None:
        """An outbox sends on `channel`: its series exist from now on, at 0, so that alerts on
        their rate work from the first error on."""
        self.messages_out.labels(channel)
        for kind in ERROR_KINDS:
            self.send_errors.labels(channel, kind)

    def outcome(self, channel: str, result: Result, *, unexpected: bool = False) -> None:
        """Count what became of one send; `unexpected` when the channel raised instead of
        answering."""
        if isinstance(result, Sent):
            self.messages_out.labels(channel).inc()
            return
        if unexpected:
            kind = "unexpected"
        elif isinstance(result, Retry):
            kind = "retry_after" if result.after is not None else "network"
        elif isinstance(result, Blocked):
            kind = "forbidden"
        elif isinstance(result, Failed):
            kind = "bad_request"
        else:
            return
        self.send_errors.labels(channel, kind).inc()

    def render(self, state: State) -> bytes:
        """The text exposition of everything, with the gauges of `state`."""
        # No await between these two lines: a concurrent scrape cannot swap the state.
        self._state.state = state
        return generate_latest(self.registry)
