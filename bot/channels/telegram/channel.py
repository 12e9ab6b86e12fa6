"""The Telegram channel's life in the shared event loop: python-telegram-bot's `Application`
(long polling, or webhook updates from our own aiohttp route) and the outbox dispatcher.

Start-up does not hold up the rest of the process: if Telegram cannot be reached, the web chat
and dashboard run while the channel keeps trying.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from telegram import Update
from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application, ApplicationBuilder

from bot.channels.holding import Holding
from bot.channels.telegram.handlers import CHANNEL, Handlers
from bot.channels.telegram.ordering import InHand, PerChatOrder, PriorityGate
from bot.channels.telegram.polling import TolerantBot
from bot.channels.telegram.sending import TelegramSender
from bot.channels.telegram.transport import AiohttpRequest
from bot.config import Config
from bot.conversation import Conversations
from bot.i18n import Catalogs
from bot.ops.metrics import Metrics
from bot.outbox import Outbox, Pacer
from storage.db import Database

logger = logging.getLogger(__name__)

ALLOWED_UPDATES = [
    Update.MESSAGE,
    Update.EDITED_MESSAGE,
    Update.CALLBACK_QUERY,
    Update.CHANNEL_POST,
]
START_RETRY_CAP = 60.0
# Longest wait, in webhook mode, for an update to be handled (and stored) before Telegram is
# told it arrived (see also bot.channels.telegram.polling).
WEBHOOK_SETTLE_SECONDS = 10.0
URGENT_LEVELS = frozenset({"urgent", "high"})
PARALLEL = 32  # updates handled at once, across chats
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


class TelegramConfigError(ValueError):
    """The Telegram settings cannot work; the message says what to change."""


def check_config(config: Config) -> None:
    """Every problem with the Telegram settings at once, before anything starts."""
    problems = []
    if config.webhook_url:
        if not config.webhook_secret:
            problems.append(
                "WEBHOOK_URL is set but WEBHOOK_SECRET is not: without a secret anyone could "
                "post updates to the webhook. Set WEBHOOK_SECRET (1-256 characters: A-Z, a-z, "
                "0-9, _ and -), or unset WEBHOOK_URL to use long polling."
            )
        elif not _SECRET.fullmatch(config.webhook_secret):
            problems.append(
                "WEBHOOK_SECRET may only hold 1-256 characters A-Z, a-z, 0-9, _ and - "
                "(Telegram's rule for secret_token)."
            )
        if not config.webhook_url.startswith("https://"):
            logger.warning(
                "WEBHOOK_URL %s is not https; Telegram requires https", config.webhook_url
            )
    if config.send_rate < 0:
        problems.append("BUURTBOT_SEND_RATE must be 0 (no pacing) or more.")
    if problems:
        raise TelegramConfigError("Telegram is not started:\n- " + "\n- ".join(problems))


def looks_urgent(conversations: Conversations) -> Callable[[object], Awaitable[bool]]:
    """Whether an update's text shows risk, by the conversation path's own pure check (read on
    the risk thread); such updates are handled before a waiting crowd of others."""
    read = getattr(conversations, "read", None)

    async def check(update: object) -> bool:
        if read is None or not isinstance(update, Update):
            return False
        message = update.effective_message
        text = (message.text or message.caption) if message is not None else None
        if not text:
            return False
        chat = update.effective_chat
        try:  # the chat as the conversation path names it: it reuses this answer
            found = await read(text, str(chat.id) if chat is not None else None)
        except Exception:
            logger.exception("risk check before queueing failed")
            return False
        return found.level in URGENT_LEVELS

    return check


def file_url_for(base_url: str) -> str:
    """The file URL that goes with a Bot API base URL (`…/bot` -> `…/file/bot`)."""
    base = base_url.rstrip("/")
    if base.endswith("/bot"):
        return base[: -len("/bot")] + "/file/bot"
    return base + "/file"


@dataclass
class Parts:
    """What one running channel is made of."""

    application: Application
    sender: TelegramSender
    outbox: Outbox
    processor: PerChatOrder
    holding: Holding


class TelegramChannel:
    """Builds and runs everything Telegram in one process; `start()` and `stop()` are called by
    the aiohttp cleanup context."""

    def __init__(self, config: Config, *, metrics: Metrics | None = None) -> None:
        self.config = config
        self.metrics = metrics
        self.webhook = bool(config.webhook_url)
        self.parts: Parts | None = None
        self.ready = asyncio.Event()  # updates are taken in and the outbox runs
        self._starting: asyncio.Task[None] | None = None
        self._conversations: Conversations | None = None
        self._started_app = False
        self._polling = False

    def build(self, db: Database, conversations: Conversations, catalogs: Catalogs) -> Parts:
        in_hand = InHand()
        urgent = looks_urgent(conversations)
        processor = PerChatOrder(max_parallel=PARALLEL, urgent=urgent, in_hand=in_hand)
        # SQLite has one writer at a time, and its busy handler is not first come, first
        # served: under a burst one transaction can lose the race again and again (even past
        # its timeout). So this channel's transactions take turns here, the outbox's and
        # crisis messages' first.
        turn = PriorityGate(1) if db.dialect == "sqlite" else None
        tolerant = TolerantBot(
            self.config.telegram_token or "",
            base_url=self.config.telegram_api_base_url,
            base_file_url=file_url_for(self.config.telegram_api_base_url),
            request=AiohttpRequest(connection_pool_size=256),
            get_updates_request=AiohttpRequest(connection_pool_size=1),
        )
        tolerant.attach(in_hand)
        builder = ApplicationBuilder().bot(tolerant).concurrent_updates(processor).job_queue(None)
        if self.webhook:
            builder = builder.updater(None)
        application = builder.build()
        pacer = Pacer(self.config.send_rate)
        sender = TelegramSender(application.bot, pacer)
        outbox = Outbox(
            db,
            CHANNEL,
            sender,
            pacer=pacer,
            storage_turn=(lambda: turn.held(urgent=True)) if turn is not None else None,
            metrics=self.metrics,
        )
        handlers = Handlers(
            db=db,
            conversations=conversations,
            catalogs=catalogs,
            sender=sender,
            outbox=outbox,
            storage_turn=turn,
            urgent=urgent,
        )
        handlers.register(application)
        return Parts(application, sender, outbox, processor, handlers.holding)

    async def start(self, db: Database, conversations: Conversations, catalogs: Catalogs) -> None:
        self.parts = self.build(db, conversations, catalogs)
        self._conversations = conversations
        conversations.notifier.subscribe(self.parts.outbox.notify)
        # Messages a stopped process left held are queued before any new update comes in.
        await self.parts.holding.open(self.config.spool_dir)
        self._starting = asyncio.create_task(self._bring_up(), name="telegram-start")

    async def _bring_up(self) -> None:
        assert self.parts is not None
        application = self.parts.application
        delay = 1.0
        while True:
            try:
                await application.initialize()  # getMe
                break
            except InvalidToken:
                logger.error("Telegram refuses TELEGRAM_BOT_TOKEN; the Telegram channel is off")
                return
            except TelegramError as exc:
                logger.warning("Telegram not reachable (%s); trying again in %.0fs", exc, delay)
                await asyncio.sleep(delay)
                delay = min(START_RETRY_CAP, delay * 2)
        await application.start()
        self._started_app = True
        self.parts.outbox.start()
        while True:
            try:
                await self._receive_updates(application)
                break
            except InvalidToken:
                logger.error("Telegram refuses TELEGRAM_BOT_TOKEN; no updates are received")
                return
            except TelegramError as exc:
                logger.warning(
                    "could not set up receiving updates (%s); again in %.0fs", exc, delay
                )
                await asyncio.sleep(delay)
                delay = min(START_RETRY_CAP, delay * 2)
        logger.info(
            "Telegram channel runs as @%s (%s)",
            application.bot.username,
            "webhook" if self.webhook else "long polling",
        )
        self.ready.set()

    async def _receive_updates(self, application: Application) -> None:
        if self.webhook:
            await application.bot.set_webhook(
                url=self.config.webhook_url or "",
                secret_token=self.config.webhook_secret,
                allowed_updates=ALLOWED_UPDATES,
            )
            return
        assert application.updater is not None
        # Keeps updates that came in while the bot was down; a webhook left over is removed.
        await application.updater.start_polling(
            allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False
        )
        self._polling = True

    def status(self) -> str:
        """For /healthz and /metrics: `ok` (updates are taken in, and Telegram answered the
        last Bot API call), `starting`, `unreachable` (the last call failed on the network or
        on Telegram's side; sends are retried) or `down` (the token was refused, or stopped)."""
        if self.parts is None:
            return "starting"
        if getattr(self.parts.application.bot, "reachable", None) is False:
            return "unreachable"
        if self.ready.is_set():
            return "ok"
        if self._starting is not None and not self._starting.done():
            return "starting"
        return "down"

    @property
    def held(self) -> int:
        """Residents' messages held until the database answers (for /metrics)."""
        return self.parts.holding.held if self.parts is not None else 0

    async def stop(self) -> None:
        """Stop taking updates, finish those taken, let the outbox finish its sends."""
        self.ready.clear()
        if self._starting is not None and not self._starting.done():
            self._starting.cancel()
            await asyncio.gather(self._starting, return_exceptions=True)
        if self.parts is None:
            return
        application = self.parts.application
        if self._polling and application.updater is not None:
            await _quietly(application.updater.stop(), "stopping polling")
            self._polling = False
        if self._started_app:
            await _quietly(application.stop(), "stopping the application")
            self._started_app = False
        await _quietly(self.parts.holding.close(), "closing the held messages")
        await self.parts.outbox.stop()
        await self.parts.sender.pacer.close()
        if self._conversations is not None:
            self._conversations.notifier.unsubscribe(self.parts.outbox.notify)
        await _quietly(application.shutdown(), "shutting down the application")

    async def put_update(self, data: dict) -> None:
        """A webhook update onto PTB's queue; returns once it is handled (at most
        `WEBHOOK_SETTLE_SECONDS`), so that Telegram sends it again if the process dies meanwhile."""
        assert self.parts is not None
        application = self.parts.application
        update = Update.de_json(data, application.bot)
        handled = self.parts.processor.in_hand.taken(update.update_id)
        await application.update_queue.put(update)
        try:
            async with asyncio.timeout(WEBHOOK_SETTLE_SECONDS):
                await asyncio.shield(handled)
        except TimeoutError:
            logger.warning("webhook update %s still being handled; confirming it", update.update_id)


async def _quietly(awaitable, what: str) -> None:
    try:
        await awaitable
    except Exception:
        logger.exception("Telegram channel: %s failed", what)
