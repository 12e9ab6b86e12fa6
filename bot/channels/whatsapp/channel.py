"""The WhatsApp channel's life in the shared event loop: signed webhook posts come in
(bot/channels/whatsapp/webhook.py) and become `Inbound`s for the conversation path through
`Holding`, like Telegram's updates; replies go out through the outbox and `WhatsAppSender`;
status callbacks are written to the outbox rows."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from dataclasses import replace
from typing import Any

import aiohttp

from bot.channels.first_lines import crisis_before_download
from bot.channels.holding import Holding
from bot.channels.whatsapp import texts, updates
from bot.channels.whatsapp.graph import Graph, GraphError
from bot.channels.whatsapp.presses import pressed
from bot.channels.whatsapp.sending import OUTSIDE_WINDOW, WhatsAppSender
from bot.channels.whatsapp.window import CHANNEL, Window
from bot.config import Config
from bot.conversation import Conversations, DeliverDirectly, Inbound, attachments
from bot.engine import Say
from bot.i18n import Rendered
from bot.ops.metrics import Metrics
from bot.outbox import Outbox, Pacer
from storage import deliveries
from storage import outbox as outbox_db
from storage import residents as resident_db
from storage.db import Database
from storage.handled import MAX_KEY
from storage.outbox import PRIORITY_CRISIS
from storage.types import utcnow

logger = logging.getLogger(__name__)

LOCKS_KEPT = 10_000
KEPT = frozenset({"photo", "voice", "document"})  # media whose file is fetched and kept
STOP_WORDS = frozenset({"stop", "/stop"})
STOPPED_ERROR = "the resident said stop"


def is_stop(text: str | None) -> bool:
    return (text or "").strip().casefold().rstrip(".!") in STOP_WORDS


class WhatsAppConfigError(ValueError):
    """The WhatsApp settings cannot work; the message says what to change."""


def check_config(config: Config) -> None:
    """Every problem with the WhatsApp settings at once, before anything starts."""
    problems = []
    if not config.whatsapp_app_secret:
        problems.append(
            "WHATSAPP_APP_SECRET is not set: without it no webhook post can be checked, and "
            "every one is refused. Copy the App secret from the Meta app's Basic settings."
        )
    if not config.whatsapp_verify_token:
        problems.append(
            "WHATSAPP_VERIFY_TOKEN is not set: Meta cannot verify the webhook. Choose any "
            "long random text and enter the same in the app's WhatsApp webhook settings."
        )
    if not config.whatsapp_api_base_url.startswith(("https://", "http://")):
        problems.append("WHATSAPP_API_BASE_URL must start with https:// (or http:// in tests).")
    if problems:
        raise WhatsAppConfigError("WhatsApp is not started:\n- " + "\n- ".join(problems))


def key_of(wamid: str) -> str:
    """The idempotency key of a message (storage/handled.py): its wamid, hashed when longer
    than a key may be."""
    if len(wamid) <= MAX_KEY:
        return wamid
    return "h:" + hashlib.sha256(wamid.encode()).hexdigest()[: MAX_KEY - 2]


class WhatsAppChannel:
    """Everything WhatsApp in one process; `start()` and `stop()` from the cleanup context."""

    def __init__(self, config: Config, *, metrics: Metrics | None = None) -> None:
        self.config = config
        self.metrics = metrics
        self.ready = asyncio.Event()
        self.graph = Graph(
            config.whatsapp_api_base_url,
            config.whatsapp_token or "",
            config.whatsapp_phone_number_id or "",
        )
        self.db: Database | None = None
        self.conversations: Conversations | None = None
        self.holding: Holding | None = None
        self.outbox: Outbox | None = None
        self.sender: WhatsAppSender | None = None
        self.window: Window | None = None
        self._locks: dict[str, asyncio.Lock] = {}

    async def start(self, db: Database, conversations: Conversations) -> None:
        self.db, self.conversations = db, conversations
        self.window = Window(db)
        pacer = Pacer(self.config.send_rate)
        self.sender = WhatsAppSender(
            self.graph,
            pacer,
            self.window,
            template=self.config.whatsapp_template,
            language_of=self._language_of,
        )
        self.outbox = Outbox(db, CHANNEL, self.sender, pacer=pacer, metrics=self.metrics)
        self.holding = Holding(conversations)
        # A spool of its own: the Telegram channel replays the one in spool_dir.
        await self.holding.open(self.config.spool_dir / CHANNEL)
        conversations.notifier.subscribe(self.outbox.notify)
        self.outbox.start()
        self.ready.set()
        logger.info("WhatsApp channel runs for phone number id %s", self.graph.phone_number_id)

    async def stop(self) -> None:
        self.ready.clear()
        if self.holding is not None:
            await self.holding.close()
        if self.outbox is not None:
            await self.outbox.stop()
            await self.outbox.pacer.close()
            if self.conversations is not None:
                self.conversations.notifier.unsubscribe(self.outbox.notify)
        await self.graph.close()

    def status(self) -> str:
        return "ok" if self.ready.is_set() else "down"

    @property
    def held(self) -> int:
        return self.holding.held if self.holding is not None else 0

    # --- the way in ------------------------------------------------------------------------

    async def handle(self, data: Any) -> None:
        """One webhook post: its status reports, then its messages, each chat in order."""
        ours = self.graph.phone_number_id
        reports = updates.statuses(data, ours)
        if reports:
            await self._statuses(reports)
        for message in updates.messages(data, ours):
            lock = self._lock(message.wa_id)
            async with lock:
                await self._receive(message)

    def _lock(self, wa_id: str) -> asyncio.Lock:
        if len(self._locks) > LOCKS_KEPT:
            self._locks = {k: v for k, v in self._locks.items() if v.locked()}
        return self._locks.setdefault(wa_id, asyncio.Lock())

    async def _receive(self, message: updates.Message) -> None:
        assert self.holding is not None and self.sender is not None and self.window is not None
        text, payload = message.text, message.payload
        if message.kind == "press" and payload is not None:
            payload, text = await self._press(message.wa_id, payload, message.text)
        inbound = Inbound(
            channel=CHANNEL,
            external_id=message.wa_id,
            text=text,
            payload=payload,
            media=message.media,
            key=key_of(message.id),  # Meta posts a message again until it is answered 200
        )
        if message.media in KEPT and message.media_id is not None:
            inbound = await crisis_before_download(
                self.conversations, inbound, self._crisis_now(message.wa_id)
            )
            inbound = replace(inbound, attachment=await self._download(message))
        self.window.wrote(message.wa_id, self.window.clock())
        try:
            replies = await self.holding.receive(inbound)
        except DeliverDirectly as direct:
            logger.error("crisis reply for a WhatsApp chat sent directly (storage down)")
            replies = direct.replies
            if not await self.sender.send_now(message.wa_id, replies, priority=PRIORITY_CRISIS):
                await self.holding.crisis_not_delivered(inbound)
            return
        if replies and is_stop(text):
            await self._stop(message.wa_id, replies)
            return
        await self._release_window(message.wa_id)
        assert self.outbox is not None
        self.outbox.notify()

    async def _stop(self, wa_id: str, replies: list[Rendered]) -> None:
        """ "stop": nothing more from the bot until the resident writes again. What is still
        queued for them is given up (the answer to "stop" too, which goes now, directly, with
        the note that no more messages come)."""
        assert self.db is not None and self.sender is not None and self.conversations
        now = utcnow()
        async with self.db.transaction() as s:
            resident = await resident_db.find_resident(s, CHANNEL, wa_id)
            if resident is None or resident.id is None:
                return
            await outbox_db.mark_blocked(s, resident.id, now=now, error=STOPPED_ERROR)
        if self.outbox is not None:
            self.outbox.blocked(resident.id)
        lang = replies[-1].language
        note = self.conversations.catalogs.render(Say(texts.STOPPED, texts.CONTEXT), lang)
        if not await self.sender.send_now(wa_id, [*replies, note]):
            logger.warning("the answer to a WhatsApp stop could not be sent")

    def _crisis_now(self, wa_id: str):
        assert self.sender is not None
        sender = self.sender

        async def send(lines: list[Rendered]) -> bool:
            return await sender.send_now(wa_id, lines, priority=PRIORITY_CRISIS)

        return send

    async def _download(self, message: updates.Message) -> dict[str, str] | None:
        """A photo's, PDF's or voice note's bytes, fetched once (media id -> URL -> bytes)."""
        assert message.media_id is not None
        try:
            data, _ = await self.graph.media(message.media_id, limit=attachments.MAX_BYTES)
        except GraphError as exc:
            if exc.status == 413:
                return attachments.carry(None, too_large=True)
            logger.warning("could not fetch a WhatsApp %s: %s", message.media, exc)
            return None
        except (aiohttp.ClientError, TimeoutError) as exc:
            logger.warning("could not fetch a WhatsApp %s: %s", message.media, exc)
            return None
        return attachments.carry(data)

    async def _press(self, wa_id: str, data: str, title: str | None) -> tuple[str, str | None]:
        """The payload and whole label of a pressed button (the id and title as they came
        when the button is no longer known)."""
        assert self.db is not None
        try:
            async with self.db.transaction() as s:
                found = await pressed(s, CHANNEL, wa_id, data)
        except Exception:  # storage away: the press is handled (or held) as it came
            logger.exception("could not look up a pressed WhatsApp button")
            found = None
        return found if found is not None else (data, title)

    async def _release_window(self, wa_id: str) -> None:
        """The resident wrote: replies held for the 24-hour window go now, first."""
        assert self.db is not None
        try:
            async with self.db.transaction() as s:
                resident = await resident_db.find_resident(s, CHANNEL, wa_id)
                released = await deliveries.release_window(s, resident.id) if resident else 0
        except Exception:
            logger.exception("could not release replies held for the 24-hour window")
            return
        if released:
            logger.info("%s held repl(ies) released: the resident wrote", released)

    async def _statuses(self, reports: list[updates.Status]) -> None:
        assert self.db is not None
        now = utcnow()
        requeued = False
        async with self.db.transaction() as s:
            for report in reports:
                if report.status == "failed" and OUTSIDE_WINDOW in report.codes:
                    requeued |= await deliveries.requeue_for_window(s, report.id, now=now)
                    continue
                row = await deliveries.report(
                    s, report.id, report.status, now=now, error=report.error
                )
                if row is not None and report.status == "failed":
                    logger.warning("WhatsApp reports row %s failed: %s", row.id, report.error)
        if requeued and self.outbox is not None:
            self.outbox.notify()

    async def _language_of(self, wa_id: str) -> str | None:
        assert self.db is not None
        async with self.db.transaction() as s:
            resident = await resident_db.find_resident(s, CHANNEL, wa_id)
        return resident.language if resident is not None else None
