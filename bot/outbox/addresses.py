"""Where the dispatcher sends: residents' external ids, kept in memory between transactions."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from storage import outbox as outbox_db

KNOWN_LIMIT = 100_000  # addresses kept in memory


class Addresses:
    """External ids of those who have not blocked the bot. An external id never changes, so it
    is kept; only this dispatcher marks a resident blocked, so only those it marked (or has not
    seen yet) are looked up, to learn whether they wrote again since."""

    def __init__(self) -> None:
        self._known: dict[int, str] = {}  # resident id -> external id
        self._blocked: set[int] = set()

    async def of(self, s: AsyncSession, resident_ids: set[int]) -> dict[int, str]:
        unknown = {r for r in resident_ids if r not in self._known or r in self._blocked}
        if unknown:
            found = await outbox_db.addresses(s, unknown)
            if len(self._known) > KNOWN_LIMIT:
                self._known.clear()
            self._known.update(found)
            self._blocked -= found.keys()
            self._blocked |= unknown - found.keys()
        return {r: self._known[r] for r in resident_ids if r not in self._blocked}

    def blocked(self, resident_id: int) -> None:
        """The dispatcher marked `resident_id` blocked."""
        self._blocked.add(resident_id)
