"""What a channel's sender is handed and what it answers: the contract between the outbox and
every channel (and /metrics, which counts the answers). A leaf: it imports nothing of Buurtbot.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Outgoing:
    """One queued row, with the address the channel needs."""

    id: int
    resident_id: int
    external_id: str
    text: str
    buttons: tuple[tuple[str, str], ...]
    priority: int
    attempts: int

    @classmethod
    def of_row(cls, row: Any, external_id: str) -> Outgoing:
        """From an outbox row (storage/outbox.py) and the resident's address; buttons that are
        not (label, payload) pairs are left out."""
        buttons = tuple(
            (str(b[0]), str(b[1]))
            for b in (row.buttons or [])
            if isinstance(b, list | tuple) and len(b) == 2
        )
        return cls(
            id=row.id,
            resident_id=row.resident_id,
            external_id=external_id,
            text=row.text,
            buttons=buttons,
            priority=row.priority,
            attempts=row.attempts,
        )


@dataclass(frozen=True)
class Sent:
    """The channel took the message; `message_id` is its own id for it, when it reports on
    delivery later (a WhatsApp wamid, matched by its status callbacks)."""

    message_id: str | None = None


@dataclass(frozen=True)
class Held:
    """Not sent, and not to be tried again until the resident writes (WhatsApp's 24-hour
    window closed; the channel sent the approved template that asks them to)."""

    error: str


@dataclass(frozen=True)
class Retry:
    """Try again later: after `after` seconds when the channel said so (a rate limit, which with
    `pause_all` holds back every send for that long), else after an exponential backoff."""

    error: str
    after: float | None = None
    pause_all: bool = False


@dataclass(frozen=True)
class Failed:
    """Give this row up (the channel refused it for good)."""

    error: str


@dataclass(frozen=True)
class Blocked:
    """The resident blocked the bot: give up this row and every pending one of theirs."""

    error: str


Result = Sent | Retry | Failed | Blocked | Held
Send = Callable[[Outgoing], Awaitable[Result]]
