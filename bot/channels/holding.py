"""Messages that arrive while the database does not answer are held, not lost.

The Telegram channel hands every message to `Holding.receive` instead of
`Conversations.receive`. When storage fails (PostgreSQL restarting, the network to it cut,
SQLite locked too long), the message is kept here in arrival order and handed to the
conversation path again once the database answers: the resident gets their answer after
recovery, in order. A message that shows acute risk still gets the crisis lines at once
(`DeliverDirectly`); it is held too, so that its case is opened and its transcript written after
recovery, without the crisis lines being sent a second time.

The web chat and the terminal chat do not come through here, on purpose: their sender waits for
the answer (a browser's request, a terminal line) and can send the message again itself; the
page keeps the typed text, says sending failed, and shows the crisis lines it got at once from
`DeliverDirectly`. Telegram cannot: it does not send a confirmed update again, so what it
delivered must be held here. A channel that works like Telegram (WhatsApp) belongs here too.

While a chat has held messages, its newer messages queue behind them (after their own risk
check), so no message overtakes an earlier one.

Held messages are kept in memory and, once `open` has given a spool directory, on disk too
(`bot.channels.spool`): `receive` returns only once a held message is fsynced there (a crisis
message's lines do not wait for the disk), and a message leaves the spool once stored. At
`open`, the messages that a stopped or killed process left in the spool are queued first and
replayed like any held ones, so a process killed during an outage loses nothing (Telegram does
not send confirmed updates again). The disk work runs on one thread of its own, in the order
asked, so the event loop does not wait for fsync. Should the spool directory be unusable,
messages are held in memory only, with an error in the log. `held` counts them for /metrics
and the logs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict, deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from bot.channels.spool import Held, Spool
from bot.conversation import Conversations, DeliverDirectly, Inbound
from bot.i18n import Rendered
from storage.types import utcnow

logger = logging.getLogger(__name__)

# What an unreachable or unavailable database raises; other errors are bugs, not outages.
OUTAGE = (OperationalError, InterfaceError, OSError, TimeoutError)
FIRST_RETRY = 0.5  # seconds; doubles up to MAX_RETRY while the database stays away
MAX_RETRY = 5.0
T = TypeVar("T")


def _report(written: asyncio.Future[None]) -> None:
    if not written.cancelled() and (exc := written.exception()) is not None:
        _report_failure(exc)


def _report_failure(exc: BaseException) -> None:
    logger.error("could not spool a held message (%s); held in memory only", exc)


def is_outage(exc: BaseException) -> bool:
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, OUTAGE)


class Holding:
    """The way in for every channel: the conversation path, with a place to wait."""

    def __init__(
        self,
        conversations: Conversations,
        *,
        first_retry: float = FIRST_RETRY,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.conversations = conversations
        self.first_retry = first_retry
        self.clock = clock
        self._chats: OrderedDict[tuple[str, str], deque[Held]] = OrderedDict()
        self._task: asyncio.Task[None] | None = None
        self._spool: Spool | None = None
        self._io: ThreadPoolExecutor | None = None

    @property
    def held(self) -> int:
        return sum(len(q) for q in self._chats.values())

    async def open(self, directory: Path) -> None:
        """Keep held messages in `directory` as well, and replay those that processes now
        gone left there."""
        spool = Spool(directory)
        self._io = ThreadPoolExecutor(max_workers=1, thread_name_prefix="spool")
        try:
            found = await self._disk(spool.open)
        except OSError as exc:
            logger.error(
                "spool directory %s unusable (%s); held messages are kept in memory only",
                directory,
                exc,
            )
            await self._disk(spool.close)
            self._io.shutdown()
            self._io = None
            return
        self._spool = spool
        for held in found:
            self._queue((held.inbound.channel, held.inbound.external_id), held)

    async def receive(self, inbound: Inbound) -> list[Rendered]:
        """Like `Conversations.receive`; returns [] when the message was held for later.
        Raises `DeliverDirectly` for a crisis the database could not take."""
        key = (inbound.channel, inbound.external_id)
        if key in self._chats:  # earlier messages of this chat wait: keep the order
            crisis = await self.conversations.crisis_replies(inbound)
            await self._hold(key, replace(inbound, crisis_sent=bool(crisis)), wait=not crisis)
            if crisis:
                raise DeliverDirectly(crisis)
            return []
        try:
            return await self.conversations.receive(inbound)
        except DeliverDirectly:
            await self._hold(key, replace(inbound, crisis_sent=True), wait=False)
            raise
        except Exception as exc:
            if not is_outage(exc):
                raise
            logger.warning("storage unavailable (%s); message held", type(exc).__name__)
            await self._hold(key, inbound)
            return []

    async def crisis_not_delivered(self, inbound: Inbound) -> None:
        """The crisis lines `receive` raised with `DeliverDirectly` could not be sent either
        (the channel failed too). Hold `inbound` once more, as not sent: after the message
        itself is stored, this second hand-over finds its key handled and queues just the
        crisis lines in the outbox, which tries until the channel takes them."""
        if inbound.key is None:  # it would be stored a second time
            logger.error("crisis lines not delivered, and the message has no key to requeue")
            return
        key = (inbound.channel, inbound.external_id)
        await self._hold(key, replace(inbound, crisis_sent=False))

    async def _hold(self, key: tuple[str, str], inbound: Inbound, *, wait: bool = True) -> None:
        """Queue `inbound`; with a spool, write it there and return once it is on disk, or at
        once (`wait=False`: crisis lines go out first, the write follows in a moment)."""
        spool = self._spool
        held = Held(spool.reserve() if spool else None, self.clock(), inbound)
        # Asked for before the replay can run, so the spool writes it before its `done`.
        written = self._disk(spool.add, held) if spool else None
        self._queue(key, held)
        if written is None:
            return
        if not wait:
            written.add_done_callback(_report)
            return
        try:
            await written
        except OSError as exc:
            _report_failure(exc)

    def _queue(self, key: tuple[str, str], held: Held) -> None:
        self._chats.setdefault(key, deque()).append(held)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._replay())

    async def _replay(self) -> None:
        """Hand held messages over, oldest chat first, each chat in order, until none is left;
        wait longer between tries while the database stays away."""
        delay = self.first_retry
        while self._chats:
            key, queue = next(iter(self._chats.items()))
            try:
                await self.conversations.receive(queue[0].inbound)
            except Exception as exc:
                # DeliverDirectly: a crisis held as "lines not sent" (`crisis_not_delivered`)
                # while storage still fails; only the outbox can send its lines from here.
                if not (isinstance(exc, DeliverDirectly) or is_outage(exc)):
                    logger.exception("a held message failed for another reason; dropped")
                else:
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, MAX_RETRY)
                    continue
            delay = self.first_retry
            held = queue.popleft()
            if not queue:
                del self._chats[key]
                logger.info("held messages of a chat handed over; %d still held", self.held)
            if self._spool is not None and held.seq is not None:
                try:
                    await self._disk(self._spool.done, held.seq)
                except OSError as exc:
                    logger.error("could not mark a held message as stored in the spool (%s)", exc)

    def _disk(self, work: Callable[..., T], *args: object) -> asyncio.Future[T]:
        """Run `work` on the spool's own thread, after what was asked of it before."""
        assert self._io is not None
        return asyncio.get_running_loop().run_in_executor(self._io, work, *args)

    async def close(self) -> None:
        """Stop replaying; what is still held stays in the spool for the next start."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self.held:
            where = "kept in the spool" if self._spool is not None else "lost"
            logger.error("stopping with %d held message(s) not stored (%s)", self.held, where)
        if self._spool is not None and self._io is not None:
            try:
                await self._disk(self._spool.close)
            except OSError as exc:
                logger.error("could not close the spool file (%s)", exc)
            self._io.shutdown()
        self._spool, self._io = None, None
