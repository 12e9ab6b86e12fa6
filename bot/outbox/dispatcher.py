"""The dispatcher: takes one channel's due rows, hands them to the channel's `send`, records
what became of them. How a row travels, and the delivery guarantee: see bot/outbox/__init__.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.outbox.addresses import Addresses
from bot.outbox.leader import Leadership, LostLeadership
from bot.outbox.pacer import Pacer
from bot.outbox.results import Blocked, Failed, Held, Outgoing, Result, Retry, Send, Sent
from storage import deliveries
from storage import outbox as outbox_db
from storage import residents as resident_db
from storage.db import Database
from storage.errors import NotFound
from storage.outbox import PRIORITY_NORMAL
from storage.types import utcnow

if TYPE_CHECKING:
    from bot.ops.metrics import Metrics

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.5  # also look without being told, for rows other processes queue
LEASE = timedelta(minutes=2)  # longer than any single send may take
BACKOFF_BASE = 1.0
BACKOFF_CAP = 60.0
MAX_ATTEMPTS = 12  # network failures before a row is given up (about eight minutes)
STOP_GRACE = 10.0  # seconds in-flight sends get to finish when the process stops
GROUP_MAX = 20  # rows of one resident sent by one task, in order
CRISIS_RESERVE = 4  # tasks beyond max_in_flight, for crisis rows only
COALESCE_SECONDS = 0.025  # after waking, so that one transaction serves several reasons
# With this many sends under way they finish in a stream, and each claim also writes their
# outcomes: a longer wait makes fewer, fuller claims. A crisis row cuts it short.
BUSY_IN_FLIGHT = 8
COALESCE_BUSY_SECONDS = 0.1


@dataclass(frozen=True)
class _Untried:
    """Not attempted (an earlier row of the resident has to be retried first, or the process
    stops): the lease is lifted and the row waits its turn again."""


_UNTRIED = _Untried()


class Outbox:
    """Sends one channel's rows. `start()` it inside the event loop, `stop()` it at the end."""

    def __init__(
        self,
        db: Database,
        channel: str,
        send: Send,
        *,
        pacer: Pacer | None = None,
        max_in_flight: int = 32,
        max_attempts: int = MAX_ATTEMPTS,
        clock: Callable[[], datetime] = utcnow,
        storage_turn: Callable[[], AbstractAsyncContextManager[Any]] | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self.db = db
        self.channel = channel
        self.send = send
        self.metrics = metrics
        if metrics is not None:
            metrics.sending(channel)
        self.pacer = pacer or Pacer(0)
        self.max_in_flight = max_in_flight
        self.max_attempts = max_attempts
        self.clock = clock
        # Taken around each transaction, when the channel has its transactions take turns.
        self.storage_turn = storage_turn or contextlib.nullcontext
        self._wake = asyncio.Event()
        self._hurry = asyncio.Event()  # a crisis row was queued: no coalescing wait
        self._in_flight: dict[int, asyncio.Task[None]] = {}  # by the first row id of a group
        self._done: list[tuple[Outgoing, Result | _Untried, datetime]] = []
        self._loop_task: asyncio.Task[None] | None = None
        self._stopping = False
        self._stop_event = asyncio.Event()
        self._next_due: datetime | None = None  # earliest retry this process scheduled
        self._leader = Leadership(db, channel)
        self._addresses = Addresses()

    def notify(self, priority: int = PRIORITY_NORMAL, *_: Any) -> None:
        """New rows were queued (the most urgent of them `priority`, when the caller says):
        look now instead of at the next poll."""
        self._wake.set()
        if priority < PRIORITY_NORMAL:
            self._hurry.set()

    def blocked(self, resident_id: int) -> None:
        """The channel marked `resident_id` blocked itself (a WhatsApp "stop"): send them
        nothing more, even rows this sender had already looked up the address of."""
        self._addresses.blocked(resident_id)

    def start(self) -> None:
        if self._loop_task is None:
            self._loop_task = asyncio.create_task(self._run(), name=f"outbox:{self.channel}")

    async def stop(self) -> None:
        """Stop taking rows, let the sends under way finish, write their outcomes."""
        self._stopping = True
        self._stop_event.set()
        self._wake.set()
        if self._loop_task is not None:
            # Let the loop end between two transactions; cancelling one midway can leave a
            # SQLite connection holding the write lock until it is collected.
            done, _ = await asyncio.wait([self._loop_task], timeout=STOP_GRACE)
            if not done:
                self._loop_task.cancel()
            await asyncio.gather(self._loop_task, return_exceptions=True)
            self._loop_task = None
        tasks = list(self._in_flight.values())
        if tasks:
            _, late = await asyncio.wait(tasks, timeout=STOP_GRACE)
            for task in late:
                task.cancel()  # its rows are recorded as untried, so their leases are lifted
            await asyncio.gather(*late, return_exceptions=True)
        try:
            await self._write_outcomes()
        except Exception:
            logger.exception("outbox %s: could not write the last outcomes", self.channel)
        await self._leader.release()

    async def _run(self) -> None:
        while not self._stopping:
            try:
                if not await self._leader.acquire(self._stop_event):
                    return
                await self._release_leases()
                await self._dispatch()
            except LostLeadership:
                logger.warning("outbox %s: lost the leader lock; waiting for it", self.channel)
                await self._drain()
            except Exception:
                # Never let the sender die quietly: log, wait a moment, carry on.
                logger.exception("outbox %s: dispatcher failed; restarting it", self.channel)
                await asyncio.sleep(1.0)

    async def _dispatch(self) -> None:
        failures = 0
        next_check = time.monotonic()
        while not self._stopping:
            if time.monotonic() >= next_check:
                await self._leader.check()
                next_check = time.monotonic() + 10
            # Clear before each wait: Event.wait() on a set event returns without yielding,
            # and this loop would then hold the event loop.
            self._wake.clear()
            free = self.max_in_flight - len(self._in_flight)
            if free + CRISIS_RESERVE <= 0:
                await self._sleep_until_woken(POLL_SECONDS)  # a finished task wakes it
                continue
            try:
                # All tasks busy: only crisis rows are taken, into the reserve.
                groups, more = await self._claim(max(free, 1), crisis_only=free <= 0)
            except Exception:
                failures += 1
                wait = min(BACKOFF_CAP, 0.5 * 2 ** min(failures, 7))
                logger.exception("outbox %s: database trouble; again in %.1fs", self.channel, wait)
                await asyncio.sleep(wait)
                continue
            failures = 0
            for group in groups:
                task = asyncio.create_task(self._send_group(group), name=f"send:{group[0].id}")
                self._in_flight[group[0].id] = task
            if not more:
                await self._sleep_until_woken(POLL_SECONDS if free <= 0 else self._idle_wait())
                await self._coalesce()

    async def _coalesce(self) -> None:
        """Let what woke the loop be joined by what comes right after (more rows queued, more
        sends finished), so that one transaction serves them all; not for a crisis row."""
        if not self._hurry.is_set():
            busy = len(self._in_flight) >= BUSY_IN_FLIGHT
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(COALESCE_BUSY_SECONDS if busy else COALESCE_SECONDS):
                    await self._hurry.wait()
        self._hurry.clear()

    def _idle_wait(self) -> float:
        """Until the next poll, or sooner when a retry this process set falls due."""
        if self._next_due is None:
            return POLL_SECONDS
        left = (self._next_due - self.clock()).total_seconds()
        if left <= 0:
            self._next_due = None
            return 0.0
        return min(POLL_SECONDS, left)

    async def _sleep_until_woken(self, timeout: float) -> None:
        # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancellation.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await self._wake.wait()

    async def _drain(self) -> None:
        tasks = list(self._in_flight.values())
        if tasks:
            await asyncio.wait(tasks)
        await self._write_outcomes()

    async def _send_group(self, group: list[Outgoing]) -> None:
        """One resident's rows, strictly in order. A row to be retried holds back the rest;
        a row refused for good does not."""
        finished = 0
        try:
            for outgoing in group:
                result = await self._send_one(outgoing)
                self._done.append((outgoing, result, self.clock()))
                finished += 1
                if isinstance(result, Retry | Blocked | Held):
                    break
        finally:
            now = self.clock()
            self._done.extend((o, _UNTRIED, now) for o in group[finished:])
            del self._in_flight[group[0].id]
            self._wake.set()

    async def _send_one(self, outgoing: Outgoing) -> Result:
        unexpected = False
        try:
            await self.pacer.wait(outgoing.priority)
            result = await self.send(outgoing)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            logger.exception("outbox %s: sending row %s failed", self.channel, outgoing.id)
            result, unexpected = Retry(f"unexpected: {type(exc).__name__}"), True
        if self.metrics is not None:
            self.metrics.outcome(self.channel, result, unexpected=unexpected)
        if isinstance(result, Retry) and result.pause_all and result.after:
            self.pacer.pause(result.after)
        return result

    # --- storage: each call one short transaction ---------------------------------------

    async def _claim(
        self, groups: int, *, crisis_only: bool = False
    ) -> tuple[list[list[Outgoing]], bool]:
        """Write the outcomes so far, then take and lease the due rows of up to `groups`
        residents, in queue order (crisis rows first), a list per resident. Also says whether
        more rows may be due right now."""
        done, self._done = self._done, []
        now = self.clock()
        try:
            async with self.storage_turn(), self.db.transaction(short=True) as s:
                await self._apply(s, done)
                limit = 1 if crisis_only else min(200, groups * 4)
                rows = await outbox_db.next_pending(s, now=now, limit=limit, channel=self.channel)
                more = len(rows) == limit
                if crisis_only:
                    rows = [r for r in rows if r.priority < PRIORITY_NORMAL]
                    more = bool(rows)
                if not rows:
                    return [], False
                addresses = await self._addresses.of(s, {r.resident_id for r in rows})
                taken: dict[int, list[Outgoing]] = {}
                for row in rows:
                    address = addresses.get(row.resident_id)
                    if address is None:  # blocked the bot since this row was queued
                        await outbox_db.mark_failed(
                            s, row.id, now=now, error="resident blocked the bot"
                        )
                        continue
                    group = taken.get(row.resident_id)
                    if group is None:
                        if len(taken) >= groups:
                            more = True  # due as well, taken next time
                            continue
                        group = taken[row.resident_id] = []
                    if len(group) < GROUP_MAX:
                        group.append(Outgoing.of_row(row, address))
                leased = [o.id for group in taken.values() for o in group]
                await outbox_db.lease(s, leased, until=now + LEASE)
        except BaseException:
            self._done = done + self._done
            raise
        return list(taken.values()), more

    async def _write_outcomes(self) -> None:
        done, self._done = self._done, []
        if not done:
            return
        try:
            async with self.storage_turn(), self.db.transaction(short=True) as s:
                await self._apply(s, done)
        except BaseException:
            self._done = done + self._done
            raise

    async def _apply(
        self, s: AsyncSession, done: list[tuple[Outgoing, Result | _Untried, datetime]]
    ) -> None:
        # The common cases in one statement each (sent: the time of the last of them); the
        # rest one by one.
        sent = [(o.id, at) for o, result, at in done if isinstance(result, Sent)]
        if sent:
            await outbox_db.mark_sent_many(s, [i for i, _ in sent], now=max(at for _, at in sent))
        ids = [(o.id, r.message_id) for o, r, _ in done if isinstance(r, Sent) and r.message_id]
        if ids:
            await deliveries.record_ids(s, ids)
        untried = [o.id for o, result, _ in done if isinstance(result, _Untried)]
        for outgoing, result, at in done:
            if isinstance(result, Sent | _Untried):
                continue
            try:
                await self._apply_one(s, outgoing, result, at)
            except NotFound:
                # The row is gone (the resident asked to be forgotten) or already given up.
                logger.debug("outbox row %s no longer pending", outgoing.id)
        if untried:
            await outbox_db.lease(s, untried, until=None)

    async def _apply_one(
        self,
        s: AsyncSession,
        outgoing: Outgoing,
        result: Retry | Failed | Blocked | Held,
        at: datetime,
    ) -> None:
        if isinstance(result, Held):
            await deliveries.hold_for_window(s, outgoing.id, now=at, error=result.error)
        elif isinstance(result, Failed):
            logger.warning("outbox row %s given up: %s", outgoing.id, result.error)
            await outbox_db.mark_failed(s, outgoing.id, now=at, error=result.error)
        elif isinstance(result, Blocked):
            who = await resident_db.pseudonym_of(s, outgoing.resident_id)
            logger.info("%s blocked the bot; stop sending", who, extra={"who": who})
            await outbox_db.mark_failed(s, outgoing.id, now=at, error=result.error)
            await outbox_db.mark_blocked(s, outgoing.resident_id, now=at, error=result.error)
            self._addresses.blocked(outgoing.resident_id)
        elif result.after is not None:
            not_before = at + timedelta(seconds=result.after)
            await outbox_db.mark_retry(
                s, outgoing.id, now=at, not_before=not_before, error=result.error
            )
            self._due(not_before)
        elif outgoing.attempts + 1 >= self.max_attempts:
            logger.warning(
                "outbox row %s given up after %s attempts: %s",
                outgoing.id,
                outgoing.attempts + 1,
                result.error,
            )
            error = f"gave up after {outgoing.attempts + 1} attempts: {result.error}"
            await outbox_db.mark_failed(s, outgoing.id, now=at, error=error)
        else:
            not_before = at + timedelta(seconds=backoff(outgoing.attempts))
            await outbox_db.mark_retry(
                s, outgoing.id, now=at, not_before=not_before, error=result.error
            )
            self._due(not_before)

    def _due(self, at: datetime) -> None:
        if self._next_due is None or at < self._next_due:
            self._next_due = at

    async def _release_leases(self) -> None:
        """Leases of a dispatcher that died: its rows are due again now. This also cuts short
        the backoff of rows waiting for a retry, which costs at most one early attempt."""
        async with self.storage_turn(), self.db.transaction() as s:
            released = await outbox_db.release_leases(s, self.channel, now=self.clock())
        if released:
            logger.info(
                "outbox %s: %s unfinished row(s) from before are due again", self.channel, released
            )


def backoff(attempts: int) -> float:
    """Seconds before the next try after `attempts` failed ones: doubling, capped, jittered."""
    return min(BACKOFF_CAP, BACKOFF_BASE * 2**attempts) * random.uniform(0.8, 1.0)
