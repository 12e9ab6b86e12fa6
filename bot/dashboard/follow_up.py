"""On the case page: "over N dagen vragen of het gelukt is". A worker schedules a follow-up
for the case's resident (storage/followups.py); the running process asks it when it is due,
within office hours (bot/followups/sender.py). docs/followups.md."""

from __future__ import annotations

import logging
from datetime import timedelta

from aiohttp import web

from bot.dashboard.actions import Refused, Work
from bot.dashboard.views import case_id_of, form, redirect, work_of
from bot.engine.texts import N_
from bot.followups import texts
from storage import audit, casework
from storage import followups as followup_db
from storage.followups import FollowUp
from storage.types import utcnow

logger = logging.getLogger(__name__)

MAX_DAYS = 90
MAX_TEXT = 1000

BAD_DAYS = N_("Kies een aantal dagen van 1 tot en met %(max)s.")
TEXT_TOO_LONG = N_("De vraag is te lang (hoogstens %(max)s tekens).")
NOT_YOURS = N_("Een vervolgvraag plant wie de casus heeft of had, of een beheerder.")


async def schedule(work: Work, case_id: int, days: str, text: str) -> FollowUp:
    """Schedule a follow-up in `days` days; an empty `text` asks the standard question in the
    resident's language, else the worker's words go as written. Audited."""
    try:
        count = int(days.strip())
    except ValueError:
        raise Refused(BAD_DAYS, max=MAX_DAYS) from None
    if not 1 <= count <= MAX_DAYS:
        raise Refused(BAD_DAYS, max=MAX_DAYS)
    text = text.strip()
    if len(text) > MAX_TEXT:
        raise Refused(TEXT_TOO_LONG, max=MAX_TEXT)
    now = utcnow()
    async with work.db.transaction() as s:
        view = await casework.case_view(s, case_id)
        case, resident = view.case, view.resident
        if not work.actor.admin and case.worker_id != work.actor.id:
            raise Refused(NOT_YOURS, status=403)
        row = await followup_db.schedule(
            s,
            case.resident_id,
            due_at=now + timedelta(days=count),
            text=text or texts.DEFAULT_QUESTION,
            context=None if text else texts.CONTEXT,
            language=resident.language or case.language,
            source="worker",
            case_id=case.id,
            created_by=work.actor.id,
            now=now,
        )
        await audit.record(
            s,
            "follow_up",
            now=now,
            user_id=work.actor.id,
            user_name=work.actor.name,
            case_id=case_id,
            detail=f"in {count} days",
            ip=work.ip,
        )
    logger.info("follow-up %s on case %s in %s days", row.id, case_id, count)
    return row


async def follow_up_post(request: web.Request) -> web.Response:
    """POST /dashboard/cases/{id}/follow-up"""
    case_id = case_id_of(request)
    data = await form(request)
    await schedule(work_of(request), case_id, data.get("days", ""), data.get("text", ""))
    return redirect(f"/dashboard/cases/{case_id}#follow-ups")
