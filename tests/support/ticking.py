"""`Ticker`: shows that the event loop kept running while a test awaited something that must
not hold it up (a wait on another thread, another process's lock)."""

from __future__ import annotations

import asyncio
from typing import Any


class Ticker:
    """Counts turns of the event loop (`ticks`) for as long as the block runs; one turn each
    `interval` seconds (0: every chance the loop gives it)."""

    def __init__(self, interval: float = 0.0) -> None:
        self.interval = interval
        self.ticks = 0
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Ticker:
        self._task = asyncio.create_task(self._tick())
        return self

    async def __aexit__(self, *_: Any) -> None:
        assert self._task is not None
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)

    async def _tick(self) -> None:
        while True:
            self.ticks += 1
            await asyncio.sleep(self.interval)

    async def keeps_ticking(self, seconds: float) -> None:
        """Wait `seconds`, and fail unless the loop turned meanwhile (more than five times)."""
        before = self.ticks
        await asyncio.sleep(seconds)
        assert self.ticks > before + 5, f"the loop turned {self.ticks - before} times"
