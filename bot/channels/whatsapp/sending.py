"""Outgoing WhatsApp messages: outbox rows become Cloud API calls, and the API's errors become
the outbox's results.

- 130429 (throughput) pauses every send, 131056 (too many to one number) waits for that
  resident only; both are tried again, like Telegram's 429.
- 131047 (24 hours since the resident's last message), or a window already known to be
  closed: the approved template goes instead, asking the resident to write; the row is held
  (`Held`) and goes when they do (bot/channels/whatsapp/channel.py releases it).
- Network trouble and the API's own 5xx are retried with backoff; anything else fails the row
  with the API's code and message.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable

import aiohttp

from bot.channels.whatsapp import messages
from bot.channels.whatsapp.graph import Graph, GraphError
from bot.channels.whatsapp.window import Window
from bot.i18n import Rendered
from bot.outbox.pacer import Pacer
from bot.outbox.results import Failed, Held, Outgoing, Result, Retry, Sent
from storage.outbox import PRIORITY_NORMAL

logger = logging.getLogger(__name__)

THROUGHPUT = 130429
PAIR_RATE = 131056
OUTSIDE_WINDOW = 131047
THROUGHPUT_PAUSE = 2.0  # seconds every send waits after 130429
PAIR_WAIT = 6.0  # Meta: about one message every 6 seconds to the same number
DIRECT_ATTEMPTS = 6
# Meta's template language codes for ours; a language without an approved template gets
# the English one (docs/whatsapp.md).
TEMPLATE_LANGUAGES = {"nl": "nl", "ar": "ar", "en": "en"}
TEMPLATE_FALLBACK = "en"


def result_of(exc: Exception) -> Result:
    """What the outbox does after `exc` (not for 131047, which `WhatsAppSender` handles)."""
    if isinstance(exc, GraphError):
        error = str(exc)
        if exc.code == THROUGHPUT:
            return Retry(error, after=THROUGHPUT_PAUSE, pause_all=True)
        if exc.code == PAIR_RATE:
            return Retry(error, after=PAIR_WAIT)
        if exc.status >= 500:
            return Retry(error)
        if exc.status in (401, 403) or exc.code == 190:
            logger.error("WhatsApp refuses the access token (%s); check WHATSAPP_TOKEN", exc)
        return Failed(error)
    # Timeouts and connection trouble: WhatsApp may have the message after all; sending it
    # again is the at-least-once side of the deal.
    return Retry(f"{type(exc).__name__}: {exc}")


class WhatsAppSender:
    """`send(Outgoing) -> Result` for the outbox, and direct sends that skip it."""

    def __init__(
        self,
        graph: Graph,
        pacer: Pacer,
        window: Window,
        *,
        template: str,
        language_of: Callable[[str], Awaitable[str | None]] | None = None,
    ) -> None:
        self.graph = graph
        self.pacer = pacer
        self.window = window
        self.template = template
        self.language_of = language_of  # the resident's language, for the template
        self._progress: dict[int, int] = {}  # parts of a long row already sent

    async def __call__(self, outgoing: Outgoing) -> Result:
        to = outgoing.external_id
        if not await self.window.open_for(to):
            return await self._hold(outgoing)
        bodies = messages.bodies(to, outgoing.text, outgoing.buttons)
        if not bodies:
            return Failed("empty text")
        first = self._progress.pop(outgoing.id, 0)
        message_id = None
        for index in range(first, len(bodies)):
            if index > first:
                await self.pacer.wait(outgoing.priority)  # each part is a send of its own
            try:
                message_id = await self.graph.send(bodies[index])
            except (GraphError, aiohttp.ClientError, TimeoutError) as exc:
                if isinstance(exc, GraphError) and exc.code == OUTSIDE_WINDOW:
                    return await self._hold(outgoing)
                result = result_of(exc)
                if isinstance(result, Retry) and index > 0:
                    self._progress[outgoing.id] = index
                return result
        return Sent(message_id)

    async def _hold(self, outgoing: Outgoing) -> Result:
        """The window is closed: send the template that asks the resident to write, and hold
        the row until they do."""
        lang = await self.language_of(outgoing.external_id) if self.language_of else None
        code = TEMPLATE_LANGUAGES.get(lang or "", TEMPLATE_FALLBACK)
        body = messages.template(outgoing.external_id, self.template, code)
        try:
            await self.graph.send(body)
        except (GraphError, aiohttp.ClientError, TimeoutError) as exc:
            result = result_of(exc)
            if isinstance(result, Retry):
                return result
            logger.error("WhatsApp template %r refused: %s", self.template, exc)
            return Held(f"outside the 24-hour window; template refused ({exc}); waits")
        return Held("outside the 24-hour window: template sent; goes when the resident writes")

    async def send_now(
        self, to: str, replies: Iterable[Rendered], *, priority: int = PRIORITY_NORMAL
    ) -> bool:
        """Send at once, outside the outbox (a crisis reply while storage is down). Keeps the
        pace and obeys rate limits; a few retries on trouble. Returns whether all went out."""
        for rendered in replies:
            for body in messages.bodies(to, rendered.text, rendered.buttons):
                if not await self._send_one(body, priority):
                    return False
        return True

    async def _send_one(self, body: dict, priority: int) -> bool:
        for attempt in range(DIRECT_ATTEMPTS):
            await self.pacer.wait(priority)
            try:
                await self.graph.send(body)
                return True
            except (GraphError, aiohttp.ClientError, TimeoutError) as exc:
                result = result_of(exc)
                if not isinstance(result, Retry):
                    logger.warning("direct WhatsApp send failed: %s", exc)
                    return False
                if result.pause_all and result.after:
                    self.pacer.pause(result.after)
                else:
                    await asyncio.sleep(min(8.0, 0.5 * 2**attempt))
        logger.error("direct WhatsApp send gave up after %s attempts", DIRECT_ATTEMPTS)
        return False
