"""Live updates: what changed in the cases and transcripts, told to every open dashboard page.

Several processes may write (bot processes, other dashboard processes), so the truth is the
database: `Live` looks at it every `interval` seconds, and at once when this process queued
something (`Conversations.notifier`) or a worker acted here (`poke`), but not more often than
every `spacing` seconds: under a burst of messages many pokes make one look, not one each. A
look is three small queries: the open cases, the newest transcript entry, the newest note.
With no page open, pokes are not looked at and which cases got news is not worked out: the
look every `interval` seconds keeps the counts the pages' headers show (`snapshot.summary`).

Pages get the changes over Server-Sent Events (`views.events`); they then fetch the parts they
show (queue rows, new messages) as ordinary requests, so what they see always passes the same
login and role checks as a page load.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import col, select

from storage.cases import OPEN, Case
from storage.db import Database
from storage.notes import CaseNote
from storage.teams import EVERYTHING, Visible
from storage.transcripts import TranscriptEntry

logger = logging.getLogger(__name__)

SPACING = 0.25  # seconds at least between two looks; pokes meanwhile make one look after it
IDLE_INTERVAL = 5.0  # seconds between looks while no page is open (or `interval`, if longer)


@dataclass(frozen=True)
class OpenCase:
    status: str
    rank: int
    worker_id: int | None
    resident_id: int
    team_id: int | None = None


@dataclass(frozen=True)
class Snapshot:
    cases: dict[int, OpenCase] = field(default_factory=dict)
    transcript: int = 0  # newest transcript entry id
    notes: int = 0  # newest note id

    def summary(self, visible: Visible = EVERYTHING) -> dict[str, object]:
        """Waiting, open and urgent unclaimed cases (oldest first), of the teams `visible`."""
        seen = {i: c for i, c in self.cases.items() if visible.sees(c.team_id)}
        waiting = [i for i, c in seen.items() if c.status == "waiting"]
        urgent = sorted(i for i in waiting if seen[i].rank == 0)
        return {"waiting": len(waiting), "open": len(seen), "urgent": urgent}


class Subscription:
    """One open page: the changes it has not been told about yet, coalesced."""

    def __init__(self) -> None:
        self.queue_changed = False
        self.cases: set[int] = set()
        self.closed = False
        self._ready = asyncio.Event()

    def add(self, queue_changed: bool, cases: set[int]) -> None:
        self.queue_changed |= queue_changed
        self.cases |= cases
        self._ready.set()

    def close(self) -> None:
        self.closed = True
        self._ready.set()

    async def next(self, timeout: float) -> tuple[bool, set[int]] | None:
        """(queue changed, cases changed) when something came within `timeout` seconds,
        (False, set()) when nothing did, None when the hub stops."""
        try:
            # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancellation, and
            # an event stream's handler must end when the app shuts down.
            async with asyncio.timeout(timeout):
                await self._ready.wait()
        except TimeoutError:
            return False, set()
        self._ready.clear()
        if self.closed:
            return None
        queue_changed, cases = self.queue_changed, self.cases
        self.queue_changed, self.cases = False, set()
        return queue_changed, cases


class Live:
    def __init__(self, db: Database, *, interval: float = 1.0, spacing: float = SPACING) -> None:
        self.db = db
        self.interval = interval
        self.spacing = min(spacing, interval)
        self.snapshot = Snapshot()
        self._subscriptions: set[Subscription] = set()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self.teams: dict[int, int | None] = {}  # case id -> its team, as last seen open

    # --- for pages ---------------------------------------------------------------------------

    def subscribe(self) -> Subscription:
        subscription = Subscription()
        self._subscriptions.add(subscription)
        self._wake.set()  # the counts may be an idle interval old: look now
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        self._subscriptions.discard(subscription)

    def poke(self, _priority: int = 0) -> None:
        """Look at the database now (a `Conversations.notifier` callback), if a page is open
        to be told; else the next look is the interval's."""
        if self._subscriptions:
            self._wake.set()

    # --- running -----------------------------------------------------------------------------

    async def start(self) -> None:
        self.snapshot = await self._look()
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name="dashboard-live")

    async def stop(self) -> None:
        for subscription in list(self._subscriptions):
            subscription.close()
        self._subscriptions.clear()
        if self._task is not None:
            # The flag ends the loop even if the cancellation is lost: Python 3.11's
            # `asyncio.wait_for` can swallow one that arrives as its wait ends.
            self._stopping = True
            self._wake.set()
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _run(self) -> None:
        while not self._stopping:
            wait = self.interval if self._subscriptions else max(self.interval, IDLE_INTERVAL)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(wait):
                    await self._wake.wait()
            if self._stopping:
                return
            self._wake.clear()
            try:
                await self.refresh()
            except Exception:  # the database may be away for a moment; pages keep working
                logger.warning("live updates: could not read the database", exc_info=True)
                await asyncio.sleep(self.interval)
            await asyncio.sleep(self.spacing)  # pokes meanwhile set `_wake`: one look next

    async def refresh(self) -> None:
        """Look once, and tell the subscribers what changed."""
        before = self.snapshot
        now = await self._look(before)
        self.snapshot = now
        if not self._subscriptions:
            return  # nobody to tell
        queue_changed, cases = changes(before, now, await self._residents_written(before, now))
        if queue_changed or cases:
            for subscription in list(self._subscriptions):
                subscription.add(queue_changed, cases)

    async def _look(self, before: Snapshot | None = None) -> Snapshot:
        async with self.db.transaction() as s:
            rows = await s.exec(
                select(
                    Case.id,
                    Case.status,
                    Case.priority_rank,
                    Case.worker_id,
                    Case.resident_id,
                    Case.team_id,
                ).where(col(Case.status).in_(OPEN))
            )
            cases = {
                cid: OpenCase(status, rank, worker, resident, team)
                for cid, status, rank, worker, resident, team in rows.all()
            }
            self.teams.update({cid: c.team_id for cid, c in cases.items()})
            transcript = (await s.exec(select(func.max(TranscriptEntry.id)))).first() or 0
            notes = (await s.exec(select(func.max(CaseNote.id)))).first() or 0
        return Snapshot(cases, transcript, notes)

    async def _residents_written(self, before: Snapshot, now: Snapshot) -> dict[int, set[str]]:
        """For each case with news: what kind ("transcript", "notes")."""
        news: dict[int, set[str]] = {}
        if now.transcript <= before.transcript and now.notes <= before.notes:
            return news
        by_resident: dict[int, set[int]] = {}
        for snapshot in (before, now):
            for cid, case in snapshot.cases.items():
                by_resident.setdefault(case.resident_id, set()).add(cid)
        async with self.db.transaction() as s:
            if now.transcript > before.transcript:
                written = await s.exec(
                    select(TranscriptEntry.resident_id, TranscriptEntry.case_id)
                    .where(col(TranscriptEntry.id) > before.transcript)
                    .distinct()
                )
                for resident_id, case_id in written.all():
                    for cid in by_resident.get(resident_id, set()) | ({case_id} - {None}):
                        news.setdefault(cid, set()).add("transcript")
            if now.notes > before.notes:
                noted = await s.exec(
                    select(CaseNote.case_id).where(col(CaseNote.id) > before.notes).distinct()
                )
                for cid in noted.all():
                    news.setdefault(cid, set()).add("notes")
        return news


def changes(before: Snapshot, now: Snapshot, news: dict[int, set[str]]) -> tuple[bool, set[int]]:
    """(did the queue change, which cases changed) between two snapshots."""
    ids = before.cases.keys() | now.cases.keys()
    changed = {cid for cid in ids if before.cases.get(cid) != now.cases.get(cid)}
    queue_changed = bool(changed) or any(cid in now.cases for cid in news)
    return queue_changed, changed | set(news)
