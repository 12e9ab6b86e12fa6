"""WhatsApp's 24-hour window: a business may write freely for 24 hours after the resident's
last message; after that only an approved template. When each resident last wrote is kept in
memory as messages come in, and read from storage for one this process has not seen."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from storage import deliveries
from storage.db import Database
from storage.types import utcnow

WINDOW = timedelta(hours=24)
MARGIN = timedelta(minutes=5)  # close it a little early: a send takes time, clocks differ
CHANNEL = "whatsapp"
KEEP = 100_000  # residents remembered


def is_open(last_seen: datetime | None, now: datetime) -> bool:
    return last_seen is not None and now < last_seen + WINDOW - MARGIN


def closes_at(last_seen: datetime) -> datetime:
    return last_seen + WINDOW


class Window:
    """When each resident last wrote, by wa_id."""

    def __init__(self, db: Database, *, clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.clock = clock
        self._last: dict[str, datetime] = {}

    def wrote(self, wa_id: str, at: datetime) -> None:
        if len(self._last) > KEEP:
            self._last.clear()
        self._last[wa_id] = max(at, self._last.get(wa_id, at))

    async def open_for(self, wa_id: str) -> bool:
        last = self._last.get(wa_id)
        if last is None or not is_open(last, self.clock()):
            # Not seen here, or closed as far as this process knows: another process may
            # have had a newer message.
            async with self.db.transaction() as s:
                found = await deliveries.last_seen(s, CHANNEL, wa_id)
            if found is not None:
                self.wrote(wa_id, found)
                last = self._last[wa_id]
        return is_open(last, self.clock())
