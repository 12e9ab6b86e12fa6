"""Messages that arrive while the database does not answer are held, not lost.

Channels hand every message to `Holding.receive` instead of `Conversations.receive`. When
storage fails (PostgreSQL restarting, the network to it cut, SQLite locked too long), the
message is kept here in arrival order and handed to the conversation path again once the
database answers: the resident gets their answer after recovery, in order. A message that
shows acute risk still gets the crisis lines at once (`DeliverDirectly`); it is held too, so
that its case is opened and its transcript written after recovery, without the crisis lines
being sent a second time.

While a chat has held messages, its newer messages queue behind them (after their own risk
check), so no message overtakes an earlier one.

Held messages live in this process's memory: a process killed during an outage loses the
ones it holds (Telegram does not send them again, they were confirmed). `held` counts them
for /metrics and the logs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict, deque
from dataclasses import replace

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from bot.conversation import Conversations, DeliverDirectly, Inbound
from bot.i18n import Rendered

logger = logging.getLogger(__name__)

# What an unreachable or unavailable database raises; other errors are bugs, not outages.
OUTAGE = (OperationalError, InterfaceError, OSError, TimeoutError)
FIRST_RETRY = 0.5  # seconds; doubles up to MAX_RETRY while the database stays away
MAX_RETRY = 5.0


def is_outage(exc: BaseException) -> bool:
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, OUTAGE)


class Holding:
    """The way in for every channel: the conversation path, with a place to wait."""

    def __init__(self, conversations: Conversations, *, first_retry: float = FIRST_RETRY) -> None:
        self.conversations = conversations
        self.first_retry = first_retry
        self._chats: OrderedDict[tuple[str, str], deque[Inbound]] = OrderedDict()
        self._task: asyncio.Task[None] | None = None

    @property
    def held(self) -> int:
        return sum(len(q) for q in self._chats.values())

    async def receive(self, inbound: Inbound) -> list[Rendered]:
        """Like `Conversations.receive`; returns [] when the message was held for later.
        Raises `DeliverDirectly` for a crisis the database could not take."""
        key = (inbound.channel, inbound.external_id)
        if key in self._chats:  # earlier messages of this chat wait: keep the order
            crisis = self.conversations.crisis_replies(inbound)
            self._hold(key, replace(inbound, crisis_sent=bool(crisis)))
            if crisis:
                raise DeliverDirectly(crisis)
            return []
        try:
            return await self.conversations.receive(inbound)
        except DeliverDirectly:
            self._hold(key, replace(inbound, crisis_sent=True))
            raise
        except Exception as exc:
            if not is_outage(exc):
                raise
            logger.warning("storage unavailable (%s); message held", type(exc).__name__)
            self._hold(key, inbound)
            return []

    def _hold(self, key: tuple[str, str], inbound: Inbound) -> None:
        self._chats.setdefault(key, deque()).append(inbound)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._replay())

    async def _replay(self) -> None:
        """Hand held messages over, oldest chat first, each chat in order, until none is left;
        wait longer between tries while the database stays away."""
        delay = self.first_retry
        while self._chats:
            key, queue = next(iter(self._chats.items()))
            try:
                await self.conversations.receive(queue[0])
            except DeliverDirectly:
                pass  # not possible: a held crisis is marked as sent; kept for safety
            except Exception as exc:
                if not is_outage(exc):
                    logger.exception("a held message failed for another reason; dropped")
                else:
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, MAX_RETRY)
                    continue
            delay = self.first_retry
            queue.popleft()
            if not queue:
                del self._chats[key]
                logger.info("held messages of a chat handed over; %d still held", self.held)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self.held:
            logger.error("stopping with %d held message(s) not stored", self.held)
