"""Outgoing Telegram messages: outbox rows become Bot API calls, and Bot API errors become the
outbox's results.

Telegram's limits are kept here: a text longer than 4096 characters (counted as Telegram counts
them, in UTF-16 code units) goes out in parts, split at paragraph, line or word boundaries, with
the buttons under the last part; callback data always fits its 64 bytes.
"""

from __future__ import annotations

import asyncio
import logging
import unicodedata
import warnings
from collections.abc import Iterable, Sequence
from datetime import timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, MessageEntity
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    RetryAfter,
    TelegramError,
)

from bot.channels.links import entities
from bot.channels.telegram import callback_data
from bot.channels.telegram.polling import TolerantBot
from bot.i18n import Rendered
from bot.outbox.pacer import Pacer
from bot.outbox.results import Blocked, Failed, Outgoing, Result, Retry, Sent
from storage.outbox import PRIORITY_NORMAL

logger = logging.getLogger(__name__)

MAX_TEXT = 4096  # UTF-16 code units
MAX_BUTTONS = 100
DIRECT_ATTEMPTS = 6
_JOINERS = frozenset("\u200d\ufe0e\ufe0f")  # zero-width joiner, variation selectors


def units(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """`text` in parts of at most `limit` units, cut at a paragraph, line or word boundary where
    one is in the second half of a part, else between two characters that belong apart."""
    parts: list[str] = []
    rest = text.strip()
    while units(rest) > limit:
        end = _fitting(rest, limit)
        cut, skip = _boundary(rest, end)
        parts.append(rest[:cut].rstrip())
        rest = rest[cut + skip :].lstrip()
    if rest:
        parts.append(rest)
    return [p for p in parts if p]


def _fitting(text: str, limit: int) -> int:
    """How many characters of `text` fit in `limit` units."""
    used = 0
    for index, ch in enumerate(text):
        used += 2 if ord(ch) > 0xFFFF else 1
        if used > limit:
            return index
    return len(text)


def _boundary(text: str, end: int) -> tuple[int, int]:
    """(where to cut, separator characters to drop) within text[:end]."""
    half = end // 2
    for separator in ("\n\n", "\n", " "):
        at = text.rfind(separator, half, end)
        if at > 0:
            return at, len(separator)
    cut = end
    # Do not separate a letter from its combining marks or an emoji from its joiners.
    while cut > half and (unicodedata.combining(text[cut]) or text[cut] in _JOINERS):
        cut -= 1
    return cut, 0


def keyboard(buttons: Sequence[tuple[str, str]]) -> InlineKeyboardMarkup | None:
    """One button a row (easier to hit, and labels are long); at most Telegram's 100."""
    if not buttons:
        return None
    rows = [
        [
            InlineKeyboardButton(
                label.strip() or payload or "…", callback_data=callback_data.encode(payload)
            )
        ]
        for label, payload in list(buttons)[:MAX_BUTTONS]
    ]
    return InlineKeyboardMarkup(rows)


def marked(text: str) -> list[MessageEntity] | None:
    """Tappable phone numbers and links, and a worker's name in bold (bot/channels/links.py)."""
    found = [MessageEntity(e.type, e.offset, e.length) for e in entities(text)]
    return found or None


def chat_id_of(external_id: str) -> int | str:
    try:
        return int(external_id)
    except ValueError:
        return external_id


def retry_seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB warns that the int form will become a timedelta
        warnings.simplefilter("ignore")
        value = exc.retry_after
    seconds = value.total_seconds() if isinstance(value, timedelta) else float(value)
    return max(seconds, 0.1)


def result_of(exc: TelegramError) -> Result:
    """What the outbox does after `exc`. The order matters: BadRequest and TimedOut are
    NetworkErrors too."""
    error = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, RetryAfter):
        return Retry(error, after=retry_seconds(exc), pause_all=True)
    if isinstance(exc, Forbidden):
        return Blocked(error)
    if isinstance(exc, BadRequest | ChatMigrated):
        return Failed(error)
    if isinstance(exc, InvalidToken):
        logger.error("Telegram refuses the bot token (%s); check TELEGRAM_BOT_TOKEN", exc)
    # TimedOut and other network trouble: Telegram may have received the message after all;
    # sending it again is the at-least-once side of the deal.
    return Retry(error)


class TelegramSender:
    """`send(Outgoing) -> Result` for the outbox, and direct sends that skip the outbox."""

    def __init__(self, bot: TolerantBot, pacer: Pacer) -> None:
        self.bot = bot
        self.pacer = pacer
        # Parts of a long message already delivered, so that a retry continues after them.
        self._progress: dict[int, int] = {}

    async def __call__(self, outgoing: Outgoing) -> Result:
        parts = split_text(outgoing.text)
        if not parts:
            return Failed("empty text")
        markup = keyboard(outgoing.buttons)
        first = self._progress.pop(outgoing.id, 0)
        for index in range(first, len(parts)):
            if index > first:
                await self.pacer.wait(outgoing.priority)  # each part is a send of its own
            last = index == len(parts) - 1
            try:
                await self.bot.send_text(
                    chat_id_of(outgoing.external_id),
                    parts[index],
                    reply_markup=markup if last else None,
                    entities=marked(parts[index]),
                )
            except TelegramError as exc:
                result = result_of(exc)
                if isinstance(result, Retry) and index > 0:
                    self._progress[outgoing.id] = index
                return result
        return Sent()

    async def send_now(
        self,
        chat_id: int | str,
        replies: Iterable[Rendered],
        *,
        priority: int = PRIORITY_NORMAL,
    ) -> bool:
        """Send at once, outside the outbox (a crisis reply while storage is down, a refusal in a
        group). Keeps the pace and obeys rate limits; a few retries on network trouble.
        Returns whether everything went out."""
        for rendered in replies:
            parts = split_text(rendered.text)
            for index, part in enumerate(parts):
                markup = keyboard(rendered.buttons) if index == len(parts) - 1 else None
                if not await self._send_one(chat_id, part, markup, priority):
                    return False
        return True

    async def _send_one(self, chat_id: int | str, text: str, markup, priority: int) -> bool:
        for attempt in range(DIRECT_ATTEMPTS):
            await self.pacer.wait(priority)
            try:
                await self.bot.send_text(chat_id, text, reply_markup=markup, entities=marked(text))
                return True
            except TelegramError as exc:
                result = result_of(exc)
                if not isinstance(result, Retry):
                    logger.warning("direct send to a chat failed: %s", result.error)
                    return False
                if result.pause_all and result.after:
                    self.pacer.pause(result.after)
                else:
                    await asyncio.sleep(min(8.0, 0.5 * 2**attempt))
        logger.error("direct send gave up after %s attempts", DIRECT_ATTEMPTS)
        return False
