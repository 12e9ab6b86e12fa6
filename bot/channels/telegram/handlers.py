"""Inbound Telegram updates, kept thin: each becomes an `Inbound` for the conversation path.

No ConversationHandler: the conversation state lives in storage, and the replies go through the
outbox. What is sent from here directly is only what cannot wait for or does not belong in
storage: crisis replies when storage is down, the refusal in a group, an apology when handling
a message failed, and the small edit that shows which button was pressed.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

from telegram import Chat, Message, Update
from telegram.constants import ChatType
from telegram.error import RetryAfter, TelegramError
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from bot.channels.first_lines import crisis_before_download
from bot.channels.holding import Holding
from bot.channels.telegram import callback_data, texts
from bot.channels.telegram.ordering import PriorityGate, never
from bot.channels.telegram.sending import MAX_TEXT, TelegramSender, retry_seconds, units
from bot.conversation import Conversations, DeliverDirectly, Inbound, attachments
from bot.engine import Say
from bot.i18n import Catalogs, Rendered, supported
from bot.outbox import Outbox
from storage.db import Database
from storage.outbox import PRIORITY_CRISIS

logger = logging.getLogger(__name__)

CHANNEL = "telegram"
CHOSEN = "✓"
_COMMAND_ADDRESS = re.compile(r"^(/[^\s@]+)@\w+")  # "/start@BuurtBot" -> "/start"
_REFUSED_MEMORY = 10_000  # group chats remembered as already told; forgotten on restart
FETCHED = frozenset({"photo", "voice", "audio", "document"})  # media whose file is kept

# Message attributes that carry something other than text, checked in this order (a venue has a
# location too, an animation a document).
MEDIA_KINDS = (
    "photo",
    "video",
    "voice",
    "audio",
    "animation",
    "video_note",
    "sticker",
    "venue",
    "location",
    "contact",
    "poll",
    "dice",
    "story",
    "document",
    "game",
    "invoice",
    "paid_media",
)


class Handlers:
    """The update handlers of one bot, and the error handler."""

    def __init__(
        self,
        *,
        db: Database,
        conversations: Conversations,
        catalogs: Catalogs,
        sender: TelegramSender,
        outbox: Outbox,
        storage_turn: PriorityGate | None = None,
        urgent: Callable[[object], Awaitable[bool]] = never,
    ) -> None:
        self.db = db
        self.storage_turn = storage_turn
        self.urgent = urgent
        self.conversations = conversations
        self.holding = Holding(conversations)  # messages wait here while storage is down
        self.catalogs = catalogs
        self.sender = sender
        self.outbox = outbox
        self._refused: set[int] = set()

    def register(self, application: Application) -> None:
        private = filters.ChatType.PRIVATE
        new = filters.UpdateType.MESSAGE
        application.add_handler(CallbackQueryHandler(self.on_button))
        application.add_handler(MessageHandler(~private, self.on_group))
        application.add_handler(
            MessageHandler(
                private & filters.TEXT & (new | filters.UpdateType.EDITED_MESSAGE), self.on_text
            )
        )
        application.add_handler(
            MessageHandler(private & new & ~filters.TEXT & ~filters.StatusUpdate.ALL, self.on_media)
        )
        application.add_error_handler(self.on_error)

    # --- handlers ------------------------------------------------------------------------

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Text and commands; an edited message counts as a new one."""
        message, chat = update.effective_message, update.effective_chat
        if message is None or chat is None or message.text is None:
            return
        text = _COMMAND_ADDRESS.sub(r"\1", message.text)
        await self._receive(update, chat, text=text)

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A pressed button: answer Telegram always, then hand on the payload and its label."""
        query = update.callback_query
        if query is None:
            return
        try:
            await query.answer()
        except TelegramError as exc:  # too old, or forged: nothing to answer
            logger.debug("could not answer callback query: %s", exc)
        chat = update.effective_chat
        data = query.data
        if chat is None or chat.type != ChatType.PRIVATE or not isinstance(data, str) or not data:
            return
        message = query.message if isinstance(query.message, Message) else None
        label = _label_of(message, data)
        payload = data
        if callback_data.is_hashed(data):
            try:
                async with self._turn(), self.db.transaction() as s:
                    payload = await callback_data.decode(s, CHANNEL, str(chat.id), data) or data
            except Exception:  # handled below as a press of unknown data
                logger.exception("could not look up a long button payload")
        if not await self._receive(update, chat, text=label or data, payload=payload):
            return
        if message is not None and label is not None:
            await self._show_choice(message, label)

    async def on_media(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Photos, voice notes, stickers, locations and the like: the bot reads text only."""
        message, chat = update.effective_message, update.effective_chat
        if message is None or chat is None:
            return
        kind = next((k for k in MEDIA_KINDS if getattr(message, k, None)), "other")
        # The conversation path notes it and answers; a caption is read like any message.
        if kind not in FETCHED:
            await self._receive(update, chat, text=message.caption, media=kind)
            return
        # A download takes a moment: the crisis lines of a caption first (bot/channels/first_lines).
        first = Inbound(CHANNEL, str(chat.id), text=message.caption, media=kind)
        sent = await crisis_before_download(self.conversations, first, self._crisis_now(chat.id))
        attachment = await fetch(message, kind)
        await self._receive(
            update,
            chat,
            text=message.caption,
            media=kind,
            attachment=attachment,
            crisis_sent=sent.crisis_sent,
        )

    async def on_group(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Groups and channels: say once that the bot talks in private only; store nothing."""
        chat = update.effective_chat
        if chat is None or chat.id in self._refused:
            return
        if len(self._refused) >= _REFUSED_MEMORY:
            self._refused.clear()
        self._refused.add(chat.id)
        lang = supported(_language_hint(update))
        await self.sender.send_now(chat.id, [self._render(texts.PRIVATE_ONLY, lang)])

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Logs only: no exception text ever reaches a resident, and no message text the log."""
        update_id = update.update_id if isinstance(update, Update) else None
        logger.error("handling update %s failed", update_id, exc_info=context.error)

    # --- the way in ----------------------------------------------------------------------

    async def _receive(
        self,
        update: Update,
        chat: Chat,
        *,
        text: str | None,
        payload: str | None = None,
        media: str | None = None,
        attachment: dict[str, str] | None = None,
        crisis_sent: bool = False,
    ) -> bool:
        """Hand one message to the conversation path. Returns whether it was taken in."""
        inbound = Inbound(
            channel=CHANNEL,
            external_id=str(chat.id),
            text=text,
            payload=payload,
            media=media,
            language_hint=_language_hint(update),
            key=update_key(update),  # Telegram sends an update again until it is confirmed
            attachment=attachment,
            crisis_sent=crisis_sent,
        )
        try:
            async with self._turn(await self.urgent(update)):
                await self.holding.receive(inbound)
        except DeliverDirectly as direct:
            # Storage is down and this is a crisis: the replies go now, not through the outbox.
            logger.error("crisis reply for a Telegram chat sent directly (storage down)")
            if not await self.sender.send_now(chat.id, direct.replies, priority=PRIORITY_CRISIS):
                await self.holding.crisis_not_delivered(inbound)
            return False
        except Exception:
            await self._apologise(update, chat)
            raise
        self.outbox.notify()
        return True

    def _crisis_now(self, chat_id: int):
        async def send(lines: list[Rendered]) -> bool:
            return await self.sender.send_now(chat_id, lines, priority=PRIORITY_CRISIS)

        return send

    async def _apologise(self, update: Update, chat: Chat) -> None:
        """Handling failed: say so plainly (the details go to the log, not to the resident)."""
        try:
            lang = supported(_language_hint(update))
            await self.sender.send_now(chat.id, [self._render(texts.SOMETHING_WENT_WRONG, lang)])
        except Exception:
            logger.exception("could not send the apology either")

    async def _show_choice(self, message: Message, label: str) -> None:
        """Mark the pressed option under the question and take the old buttons away."""
        if message.reply_markup is None:
            return
        shown = f"{message.text}\n\n{CHOSEN} {label}" if message.text else None
        try:
            await self.sender.pacer.wait()
            if shown is not None and units(shown) <= MAX_TEXT:
                await message.edit_text(shown, reply_markup=None)
            else:
                await message.edit_reply_markup(reply_markup=None)
        except RetryAfter as exc:
            self.sender.pacer.pause(retry_seconds(exc))
        except TelegramError as exc:  # too old, deleted, not modified: the press counted anyway
            logger.debug("could not mark the chosen option: %s", exc)

    def _turn(self, urgent: bool = False) -> AbstractAsyncContextManager[Any]:
        """A turn at storage, where transactions take turns (SQLite), crisis messages first."""
        if self.storage_turn is None:
            return contextlib.nullcontext()
        return self.storage_turn.held(urgent)

    def _render(self, msgid: str, lang: str) -> Rendered:
        return self.catalogs.render(Say(msgid, texts.CONTEXT), lang)


async def fetch(message: Message, kind: str) -> dict[str, str] | None:
    """A photo's (the largest size), voice note's or document's bytes, downloaded once with
    getFile (bot/conversation/attachments.py checks them); None for other media, or when
    Telegram does not give the file."""
    found = message.photo[-1] if kind == "photo" and message.photo else None
    if kind in FETCHED - {"photo"}:
        found = getattr(message, kind)
    if found is None:
        return None
    if (found.file_size or 0) > attachments.MAX_BYTES:
        return attachments.carry(None, too_large=True)
    try:
        file = await found.get_file()
        data = bytes(await file.download_as_bytearray())
    except TelegramError as exc:
        logger.warning("could not fetch a Telegram %s: %s", kind, exc)
        return None
    return attachments.carry(data)


def update_key(update: Update, part: str = "") -> str:
    """The idempotency key of `update` (storage/handled.py): the bot's id (the number its token
    starts with) and the update_id. Update ids count per bot, so another bot on the same
    database, a new token, or a test's stand-in starting again at 1 never finds its update
    handled already."""
    bot_id = update.get_bot().token.partition(":")[0]
    return f"{bot_id}:{update.update_id}{part}"


def _language_hint(update: Update) -> str | None:
    user = update.effective_user
    return user.language_code if user is not None else None


def _label_of(message: Message | None, data: str) -> str | None:
    """The text of the button that carries `data` in the message's keyboard."""
    markup = message.reply_markup if message is not None else None
    if markup is None:
        return None
    for row in markup.inline_keyboard:
        for button in row:
            if button.callback_data == data:
                return button.text
    return None
