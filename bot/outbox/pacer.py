"""The global pace of one channel's sends, and the shared pause after a rate-limit answer."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections.abc import Callable

from storage.outbox import PRIORITY_NORMAL

PACE_MARGIN = 1.1  # spacing a little wider than 1/rate, so no receiver sees rate + 1 a second


class Pacer:
    """At most `rate` sends a second, all chats together (0: no pacing), and a shared pause
    after a rate-limit answer. When sends have to wait, the lowest priority number goes first
    (a crisis message before the queue), else first come, first served; nothing goes faster
    than the pace."""

    def __init__(self, rate: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = max(0.0, rate)
        self.interval = PACE_MARGIN / self.rate if self.rate else 0.0
        self.clock = clock
        self._next = 0.0  # earliest start of the next send
        self._paused_until = 0.0
        self._waiting: list[tuple[int, int, asyncio.Future[None]]] = []  # a heap
        self._order = itertools.count()
        self._ticker: asyncio.Task[None] | None = None

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    def delay(self) -> float:
        """Seconds until a send could start if nothing else waited."""
        now = self.clock()
        return max(0.0, self._next - now, self._paused_until - now)

    async def wait(self, priority: int = PRIORITY_NORMAL) -> None:
        """Wait for, and use, a slot."""
        if not self._waiting and self.delay() == 0:
            self._next = self.clock() + self.interval
            return
        turn = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (priority, next(self._order), turn))
        if self._ticker is None or self._ticker.done():
            self._ticker = asyncio.create_task(self._tick(), name="pacer")
        await turn  # a cancelled turn is skipped by the ticker

    async def _tick(self) -> None:
        while self._waiting:
            delay = self.delay()
            if delay > 0:
                await asyncio.sleep(delay)
                continue  # a pause may have come in meanwhile
            _, _, turn = heapq.heappop(self._waiting)
            if not turn.done():
                self._next = self.clock() + self.interval
                turn.set_result(None)

    def pause(self, seconds: float) -> None:
        """Hold back every send for `seconds` (the channel's rate limit said so)."""
        self._paused_until = max(self._paused_until, self.clock() + seconds)

    async def close(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            await asyncio.gather(self._ticker, return_exceptions=True)
        for _, _, turn in self._waiting:
            turn.cancel()
        self._waiting.clear()
