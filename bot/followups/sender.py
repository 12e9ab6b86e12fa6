"""Sends due follow-ups from the running process (`buurtbot run`).

Every `BUURTBOT_FOLLOW_UP_INTERVAL` seconds, within office hours (`BUURTBOT_OFFICE_HOURS`) only,
the due follow-ups are taken (storage/followups.py: `FOR UPDATE SKIP LOCKED` and a conditional
update, so with several processes on PostgreSQL each is sent once) and, in the same
transaction, written as a transcript entry and an outbox row in the resident's language. From
there the outbox sends them like any reply: Telegram, the web chat, or on WhatsApp outside the
24-hour window the approved template first (docs/whatsapp.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from datetime import datetime

from aiohttp import web

from bot.conversation import Conversations
from bot.followups import messages
from bot.i18n import SOURCE
from bot.keys import CONFIG, CONVERSATIONS, DB
from storage import followups as followup_db
from storage import outbox as outbox_db
from storage.db import Database
from storage.outbox import PRIORITY_NORMAL
from storage.residents import Resident
from storage.types import utcnow

logger = logging.getLogger(__name__)

FIRST_DELAY = 5.0  # seconds after start-up before the first look


async def send_due(db: Database, conversations: Conversations, *, now: datetime) -> int:
    """Send what is due now, within office hours; returns how many were queued."""
    if not conversations.office.on_duty(now):
        return 0
    queued = 0
    catalogs = conversations.catalogs
    async with db.transaction() as s:
        for row in await followup_db.take_due(s, now=now):
            resident = await s.get(Resident, row.resident_id)
            if resident is None:
                continue
            lang = resident.language or row.language or SOURCE
            rendered = messages.follow_up(catalogs, row, lang)
            sources = {rendered.text: rendered.source} if rendered.source else None
            buttons = [list(b) for b in rendered.buttons]
            [sent] = await outbox_db.add_replies(
                s,
                row.resident_id,
                [(rendered.text, buttons, PRIORITY_NORMAL)],
                now=now,
                sources=sources,
            )
            row.outbox_id = sent.id
            s.add(row)
            queued += 1
            logger.info("follow-up %s queued for %s", row.id, resident.pseudonym)
    if queued:
        conversations.notifier.notify_quietly(PRIORITY_NORMAL)
    return queued


async def every(
    db: Database,
    conversations: Conversations,
    *,
    interval: float,
    first_delay: float = FIRST_DELAY,
    clock: Callable[[], datetime] = utcnow,
) -> None:
    """Look for due follow-ups every `interval` seconds until cancelled; trouble is logged and
    the next look tries again (a row taken by a failed transaction stays scheduled)."""
    await asyncio.sleep(first_delay)
    while True:
        try:
            await send_due(db, conversations, now=clock())
        except Exception:
            logger.exception("sending follow-ups failed; trying again in %.0f seconds", interval)
        await asyncio.sleep(interval)


async def scheduled(app: web.Application) -> AsyncIterator[None]:
    """`cleanup_ctx` entry of `bot.app.init_app`."""
    interval = app[CONFIG].follow_up_interval
    if interval <= 0:
        yield
        return
    task = asyncio.create_task(
        every(app[DB], app[CONVERSATIONS], interval=interval, first_delay=FIRST_DELAY),
        name="follow-ups",
    )
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
