"""The wake-up call when rows are queued: whoever waits for them (each channel's sender, the
dashboard's live view) subscribes, and the conversation path and the dashboard's actions notify
with the most urgent priority among the new rows."""

from __future__ import annotations

import logging
from collections.abc import Callable

logger = logging.getLogger(__name__)

Listener = Callable[[int], None]


class Notifier:
    """Listeners told that rows were queued, with their most urgent priority."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def notify(self, priority: int) -> None:
        """Tell every listener; a listener that raises stops the call (the caller sees it)."""
        for listener in list(self._listeners):
            listener(priority)

    def notify_quietly(self, priority: int) -> None:
        """Tell every listener; one that raises is logged and the others are still told (after
        a committed change, which a listener's trouble must not undo)."""
        for listener in list(self._listeners):
            try:
                listener(priority)
            except Exception:
                logger.exception("a listener failed after rows were queued")
