"""Long polling that loses no update and survives one it cannot read.

Telegram counts an update as delivered once a later getUpdates asks for the ids after it, and
python-telegram-bot asks again at once. An update fetched but not yet handled (and stored)
when the process is killed would be lost. Here the next getUpdates first waits, briefly, until
the updates in hand are handled; in a burst (many in hand) it does not wait, so that a crisis
message further back in Telegram's queue is fetched without delay.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.error import BadRequest, NetworkError, TelegramError
from telegram.ext import ExtBot

from bot.channels.telegram.ordering import InHand

logger = logging.getLogger(__name__)

POLL_SETTLE_SECONDS = 0.5  # longest wait for the updates in hand
POLL_SETTLE_MAX = 20  # with more updates in hand it is a burst, and fetching goes on


class TolerantBot(ExtBot):
    """An ExtBot for long polling that confirms updates after they are handled (see above),
    given the `InHand` of the update processor with `attach`.

    PTB reads a batch of updates as a whole: one malformed update fails the batch, the offset
    never moves past it, and polling asks for the same batch forever. Here the batch is read
    again one update at a time, and an unreadable one becomes an empty update (no handler
    takes it), so that its id is confirmed and everything after it is handled.

    It also remembers whether the last Bot API call reached Telegram (`reachable`), for the
    health check."""

    __slots__ = ("_in_hand", "_raw_updates", "_reachable")

    def attach(self, in_hand: InHand) -> None:
        self._in_hand = in_hand  # an underscore name: PTB freezes the public ones

    @property
    def reachable(self) -> bool | None:
        """Whether the last call got an answer from Telegram (an error such as 400, 403 or
        429 counts: Telegram answered); False after a network failure or a 5xx; None before
        the first call."""
        return getattr(self, "_reachable", None)

    async def _do_post(self, endpoint: str, data: dict[str, Any], **kwargs: Any) -> Any:
        try:
            result = await super()._do_post(endpoint, data, **kwargs)
        except NetworkError as exc:  # BadRequest is one too, but Telegram did answer it
            self._reachable = isinstance(exc, BadRequest)
            raise
        except TelegramError:
            self._reachable = True
            raise
        self._reachable = True
        if endpoint == "getUpdates":
            self._raw_updates = result
        return result

    async def get_updates(self, *args: Any, **kwargs: Any) -> tuple[Update, ...]:
        # The offset of this call confirms the updates of the previous one.
        in_hand: InHand | None = getattr(self, "_in_hand", None)
        calm = in_hand is not None and 0 < len(in_hand) <= POLL_SETTLE_MAX
        if calm and not await in_hand.settled(POLL_SETTLE_SECONDS):
            logger.info("%s update(s) still being handled; confirming them", len(in_hand))
        self._raw_updates: Any = None
        try:
            updates = await super().get_updates(*args, **kwargs)
        except TelegramError:
            raise
        except Exception:
            raw = self._raw_updates
            if not isinstance(raw, list):
                raise
            updates = tuple(self._read(item) for item in raw)
        if in_hand is not None:
            for update in updates:
                in_hand.taken(update.update_id)
        return updates

    async def send_text(
        self,
        chat_id: int | str,
        text: str,
        *,
        reply_markup: Any = None,
        entities: Any = None,
    ) -> None:
        """`send_message` with the same request and the same errors, without reading
        Telegram's answer back into a `Message`: the outbox only needs to know it went, and
        that parsing was a third of a send's CPU (docs/benchmarks.md)."""
        data = {"chat_id": chat_id, "text": text, "reply_markup": reply_markup}
        await self._post("sendMessage", {**data, "entities": entities})

    def _read(self, item: Any) -> Update:
        try:
            return Update.de_json(item, self)
        except Exception:
            update_id = item.get("update_id") if isinstance(item, dict) else None
            if not isinstance(update_id, int):
                raise
            logger.warning("update %s could not be read; it is skipped", update_id)
            return Update(update_id)
