"""Closing the loop: after a worker closes a case the resident is asked once "Heb je hier iets
aan gehad?" with three buttons (storage/feedback.py keeps question and answer)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.followups import messages
from bot.i18n import Catalogs
from storage import feedback as feedback_db
from storage import outbox as outbox_db
from storage.cases import Case

NO_QUESTION_AFTER = ("no_reply",)  # the resident never answered the worker: no question


async def ask_feedback(
    s: AsyncSession, catalogs: Catalogs, case: Case, lang: str, *, now: datetime
) -> None:
    """Queue the question in the closing transaction, right after the closing message."""
    if case.outcome in NO_QUESTION_AFTER:
        return
    row = await feedback_db.ask(s, case, now=now)
    rendered = messages.feedback(catalogs, row, lang)
    sources = {rendered.text: rendered.source} if rendered.source else None
    buttons = [list(b) for b in rendered.buttons]
    await outbox_db.add_replies(
        s,
        case.resident_id,
        [(rendered.text, buttons, outbox_db.PRIORITY_NORMAL)],
        now=now,
        sources=sources,
    )
