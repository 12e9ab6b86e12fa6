"""Alert mails for cases nobody has claimed (docs/teams.md).

An urgent case waiting unclaimed gets a mail to its team's alert address at once (within the
sender's `POLL` interval); a high case once it has waited `BUURTBOT_ALERT_HIGH_AFTER_MINUTES`.
Both again every `BUURTBOT_ALERT_REPEAT_MINUTES` until someone claims it. Outside office
hours a mail goes only to the team's on-call address, if it has one.

Every mail is a row first (storage/alerts.py): made once per round across processes, leased
by one sender, sent, and on failure tried again with backoff; the queue page lists the ones
that failed. The mail holds no resident data: the team, the priority and the reason in
words, how long the case waits, and the link to it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from email.message import EmailMessage

from aiohttp import web
from sqlmodel import col, select

from bot.config import Config
from bot.dashboard import texts
from bot.escalation import OfficeHours
from bot.keys import CONFIG, DB
from bot.teams.mail import MailError, Smtp, message, send
from storage import alerts
from storage.alerts import Alert
from storage.cases import Case
from storage.db import Database
from storage.teams import Team, default_team
from storage.types import utcnow

logger = logging.getLogger(__name__)

POLL = 5.0  # seconds between looks: an urgent case is mailed well within a minute


class AlertMail:
    """Makes the alert rows that are due, and sends them."""

    def __init__(self, db: Database, config: Config, *, poll: float = POLL) -> None:
        self.db = db
        self.config = config
        self.smtp = Smtp.parse(config.smtp_url or "")
        self.office = OfficeHours.parse(config.office_hours)
        self.high_after = timedelta(minutes=config.alert_high_after_minutes)
        self.repeat = timedelta(minutes=config.alert_repeat_minutes)
        self.poll = poll
        base = config.public_url or f"http://{config.dashboard_host}:{config.dashboard_port}"
        self.base_url = base.rstrip("/")

    # --- making ----------------------------------------------------------------------------

    def _round(self, case: Case, now: datetime) -> int | None:
        """Which round of alerts `case` is due for now (None: none yet)."""
        start = case.created_at + (self.high_after if case.priority == "high" else timedelta())
        if now < start:
            return None
        if self.repeat <= timedelta():
            return 0
        return math.floor((now - start) / self.repeat)

    async def make_due(self, now: datetime) -> int:
        """Rows for the rounds that are due and not made yet; returns how many were made."""
        made = 0
        async with self.db.transaction() as s:
            query = (
                select(Case, Team)
                .outerjoin(Team, col(Team.id) == Case.team_id)
                .where(Case.status == "waiting", col(Case.priority).in_(("urgent", "high")))
            )
            waiting = list((await s.exec(query)).all())
            known = await alerts.rounds_of(s, [c.id for c, _ in waiting if c.id is not None])
            on_duty = self.office.on_duty(now)
            fallback = await default_team(s)  # for cases from before teams existed
            for case, found in waiting:
                team = found or fallback
                due = self._round(case, now)
                if due is None or due <= known.get(case.id or 0, -1) or team is None:
                    continue
                to = team.alert_email if on_duty else team.on_call_email
                if not to:
                    continue  # outside office hours without an on-call address: no mail
                row = Alert(
                    case_id=case.id or 0,
                    round=due,
                    team_id=team.id,
                    to_address=to,
                    on_call=not on_duty,
                    priority=case.priority,
                    reason=case.reason,
                    next_try_at=now,
                    created_at=now,
                )
                if await alerts.make(s, row) is not None:
                    made += 1
        return made

    # --- sending ---------------------------------------------------------------------------

    async def send_due(self, now: datetime) -> int:
        """Send the rows due now that this process could lease; returns how many went out."""
        async with self.db.transaction() as s:
            taken = await alerts.take_due(s, now=now)
        sent = 0
        for alert in taken:
            async with self.db.transaction() as s:
                case = await s.get(Case, alert.case_id)
                team = await s.get(Team, alert.team_id) if alert.team_id else None
            if case is None or case.status != "waiting":
                async with self.db.transaction() as s:
                    await alerts.dropped(s, alert.id or 0)
                continue
            try:
                await send(self.smtp, self.mail(alert, case, team, utcnow()))
            except MailError as e:
                logger.warning("alert mail for case %s not sent: %s", alert.case_id, e)
                async with self.db.transaction() as s:
                    await alerts.failed(s, alert, str(e), now=utcnow())
                continue
            async with self.db.transaction() as s:
                await alerts.sent(s, alert.id or 0, now=utcnow())
            sent += 1
            logger.info("alert mail for case %s sent (round %s)", alert.case_id, alert.round)
        return sent

    def mail(self, alert: Alert, case: Case, team: Team | None, now: datetime) -> EmailMessage:
        """The mail: team, priority and reason in words, waiting time, link; nothing the
        resident wrote, and not who they are."""
        priority = texts.PRIORITIES.get(alert.priority, alert.priority)
        reason = texts.REASONS.get(alert.reason, alert.reason.replace("_", " "))
        minutes = max(0, int((now - case.created_at).total_seconds() // 60))
        name = team.name if team else "-"
        subject = f"Buurtbot: {priority.lower()} casus wacht ({name})"
        body = (
            f"Een casus wacht en niemand heeft hem opgepakt.\n\n"
            f"Team: {name}\n"
            f"Prioriteit: {priority}\n"
            f"Reden: {reason}\n"
            f"Wacht sinds: {minutes} minuten\n\n"
            f"Open de casus: {self.base_url}/dashboard/cases/{case.id}\n\n"
            f"Deze mail komt elke {self.config.alert_repeat_minutes:g} minuten terug tot "
            f"iemand de casus oppakt.\n"
        )
        return message(self.config.mail_from, alert.to_address, subject, body)

    # --- running ---------------------------------------------------------------------------

    async def once(self) -> int:
        now = utcnow()
        await self.make_due(now)
        return await self.send_due(now)

    async def run(self) -> None:
        while True:
            try:
                await self.once()
            except Exception:  # the database may be away for a moment: the rows wait
                logger.warning("alert mail: this round failed", exc_info=True)
            await asyncio.sleep(self.poll)


ALERTS = web.AppKey("alert_mail", AlertMail)


async def running(app: web.Application) -> AsyncIterator[None]:
    """`cleanup_ctx` entry of `bot.app.init_app`: alert mails while `BUURTBOT_SMTP_URL` is
    set (unset: no mail)."""
    config = app[CONFIG]
    if not config.smtp_url:
        yield
        return
    sender = AlertMail(app[DB], config)
    app[ALERTS] = sender
    task = asyncio.create_task(sender.run(), name="alert-mail")
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
