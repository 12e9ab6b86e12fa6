"""Per-chat order: the updates of one chat are handled strictly one after another, different
chats in parallel. python-telegram-bot has no such mode; `BaseUpdateProcessor` is its hook.

When many chats write at once, updates wait for one of `max_parallel` working slots. A message
that looks like a crisis (`await urgent(update)`, the pure risk check on its thread) gets the
next free slot before the others, so a burst of ordinary messages does not hold it up; within
its own chat it still waits for the messages before it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

# An update waiting for its chat's turn holds one of PTB's slots, so that limit is set far
# above what can be waiting; the work itself is limited by `max_parallel`.
_WAITING_LIMIT = 100_000


class _ChatTurn:
    __slots__ = ("lock", "users")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.users = 0


class PriorityGate:
    """`slots` holders at a time; urgent waiters are let in before the others, each kind first
    come, first served."""

    def __init__(self, slots: int) -> None:
        self._free = slots
        self._urgent: deque[asyncio.Future[None]] = deque()
        self._normal: deque[asyncio.Future[None]] = deque()

    async def acquire(self, urgent: bool = False) -> None:
        if self._free > 0 and not self._urgent and not self._normal:
            self._free -= 1
            return
        waiter = asyncio.get_running_loop().create_future()
        queue = self._urgent if urgent else self._normal
        queue.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release()  # the slot came with the cancellation: pass it on
            else:
                queue.remove(waiter)
            raise

    @contextlib.asynccontextmanager
    async def held(self, urgent: bool = False) -> AsyncIterator[None]:
        await self.acquire(urgent)
        try:
            yield
        finally:
            self.release()

    def release(self) -> None:
        for queue in (self._urgent, self._normal):
            while queue:
                waiter = queue.popleft()
                if not waiter.done():
                    waiter.set_result(None)  # the slot goes straight to the next waiter
                    return
        self._free += 1


class InHand:
    """Updates taken from Telegram and not yet handled. Telegram is told an update arrived
    (the next getUpdates offset, or the webhook's 200) only once it is handled, so that a
    process killed meanwhile gets it again after the restart instead of losing it."""

    def __init__(self) -> None:
        self._open: dict[int, asyncio.Future[None]] = {}

    def __len__(self) -> int:
        return len(self._open)

    def taken(self, update_id: int) -> asyncio.Future[None]:
        handled = self._open.get(update_id)
        if handled is None:
            handled = self._open[update_id] = asyncio.get_running_loop().create_future()
        return handled

    def handled(self, update: object) -> None:
        if isinstance(update, Update):
            handled = self._open.pop(update.update_id, None)
            if handled is not None and not handled.done():
                handled.set_result(None)

    async def settled(self, timeout: float) -> bool:
        """Wait until every update taken is handled, at most `timeout` seconds."""
        if not self._open:
            return True
        _, late = await asyncio.wait(list(self._open.values()), timeout=timeout)
        return not late


class PerChatOrder(BaseUpdateProcessor):
    """One lock per chat (FIFO, so arrival order is kept), dropped when the chat is idle."""

    def __init__(
        self,
        max_parallel: int = 32,
        urgent: Callable[[object], Awaitable[bool]] | None = None,
        in_hand: InHand | None = None,
    ) -> None:
        super().__init__(max_concurrent_updates=_WAITING_LIMIT)
        self.max_parallel = max_parallel
        self.in_hand = in_hand or InHand()
        self._gate = PriorityGate(max_parallel)
        self._urgent = urgent or never
        self._turns: dict[int, _ChatTurn] = {}

    @property
    def busy_chats(self) -> int:
        return len(self._turns)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        try:
            await self._in_order(update, coroutine)
        finally:
            self.in_hand.handled(update)

    async def _in_order(self, update: object, coroutine: Awaitable[Any]) -> None:
        urgent = await self._urgent(update)
        key = _chat_key(update)
        if key is None:
            await self._work(coroutine, urgent)
            return
        turn = self._turns.get(key)
        if turn is None:
            turn = self._turns[key] = _ChatTurn()
        turn.users += 1
        try:
            async with turn.lock:
                await self._work(coroutine, urgent)
        finally:
            turn.users -= 1
            if turn.users == 0:
                del self._turns[key]

    async def _work(self, coroutine: Awaitable[Any], urgent: bool) -> None:
        try:
            await self._gate.acquire(urgent)
        except BaseException:
            if asyncio.iscoroutine(coroutine):
                coroutine.close()  # never started; say so instead of a warning
            raise
        try:
            await coroutine
        finally:
            self._gate.release()

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


async def never(update: object) -> bool:
    """The urgency check of a bot without risk detection: nothing goes first."""
    return False


def _chat_key(update: object) -> int | None:
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None
