"""`Conversations`: the conversation path shared by every channel. One inbound message is one
transaction; what happens inside it is the pipeline's (bot/conversation/pipeline.py)."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import escalation
from bot.config import Config
from bot.conversation import attachments, pipeline, privacy, risk_thread
from bot.conversation.inbound import DeliverDirectly, Inbound
from bot.conversation.steps import language
from bot.conversation.steps import risk as risk_step
from bot.conversation.turn import Context, Turn
from bot.engine import Env, FlowSet, State, load
from bot.escalation import Decision, OfficeHours, RepeatRule
from bot.i18n import Catalogs, Rendered, script_language
from bot.outbox.notifier import Notifier
from bot.risk import Assessment, Detector, RiskModel, load_detector
from bot.risk.assessment import NOTHING
from bot.risk.recent import Recent
from bot.signals import hooks as signal_hooks
from bot.understanding.route import Router, load_router
from storage import handled as handled_db
from storage import hotpath
from storage import outbox as outbox_db
from storage import residents as resident_db
from storage import states as state_db
from storage import transcripts as transcript_db
from storage.db import Database
from storage.outbox import PRIORITY_CRISIS, PRIORITY_NORMAL
from storage.residents import Resident
from storage.types import utcnow

if TYPE_CHECKING:
    from bot.ops.metrics import Metrics

logger = logging.getLogger(__name__)

SENT = {"sent": "directly (storage was down, or a file was still being fetched)"}
CRISIS_STORAGE_WAIT = 3.0  # seconds a crisis message waits for storage before going direct


class Conversations:
    """The conversation path shared by every channel."""

    def __init__(
        self,
        db: Database,
        flows: FlowSet,
        catalogs: Catalogs,
        *,
        risk: Detector | RiskModel | None = None,
        office: OfficeHours | None = None,
        repeat_rule: RepeatRule | None = None,
        retention: privacy.Retention | None = None,
        clock: Callable[[], datetime] = utcnow,
        new_id: Callable[[], str] = lambda: secrets.token_hex(3),
        metrics: Metrics | None = None,
        router: Router | None = None,
        signals: bool = True,
    ) -> None:
        self.db = db
        self.flows = flows
        self.catalogs = catalogs
        # What typed messages mean (bot/understanding); the shipped model and intent lists
        # unless given.
        self.router = router or load_router(flows, catalogs.aliases)
        self.risk = risk
        self.office = office or OfficeHours.parse("altijd")
        self.repeat_rule = repeat_rule or RepeatRule()
        self.privacy = privacy.Privacy(catalogs, retention)
        self.clock = clock
        self.new_id = new_id
        self.notifier = Notifier()  # told when rows are queued
        self.metrics = metrics  # counts messages in
        self.followers: list[Conversations] = []  # get the same content when it is swapped
        self.signals = signals  # counted for the neighbourhood figures (not the simulator's)

    @classmethod
    def from_config(
        cls,
        db: Database,
        config: Config,
        flows: FlowSet | None = None,
        *,
        metrics: Metrics | None = None,
    ) -> Conversations:
        """The conversation path as configured: flows, catalogs, risk lists, office hours."""
        flows = flows or load(config.flows_dir)
        catalogs = Catalogs.load(config.locales_dir)
        return cls(
            db,
            flows,
            catalogs,
            risk=load_detector(config.flows_dir / "risk"),
            office=OfficeHours.parse(config.office_hours),
            repeat_rule=RepeatRule(times=config.repeat_times, days=config.repeat_days),
            retention=privacy.retention_of(config),
            metrics=metrics,
            router=load_router(flows, catalogs.aliases, intents_dir=config.flows_dir / "intents"),
        )

    def use_content(self, *, flows: Any, catalogs: Catalogs, risk: Any, router: Any) -> None:
        """Swap in checked content (bot/ops/content.py) in one step: a message being handled
        keeps the content its turn started with; `followers` (the simulator) follow."""
        self.flows, self.catalogs, self.risk, self.router = flows, catalogs, risk, router
        self.privacy = privacy.Privacy(catalogs, self.privacy.retention)
        for follower in self.followers:
            follower.use_content(flows=flows, catalogs=catalogs, risk=risk, router=router)

    def env(self, router: Router | None = None) -> Env:
        env = Env(
            now=self.clock,
            new_id=self.new_id,
            on_duty=lambda: self.office.on_duty(self.clock()),
        )
        return (router or self.router).env(env)

    def context(self) -> Context:
        router = self.router  # with the flows it was built for, even if content is swapped
        return Context(
            self.flows,
            self.catalogs,
            self.office,
            self.repeat_rule,
            self.privacy,
            lambda: self.env(router),
            self.new_id,
            self.signals,
        )

    @property
    def risk(self) -> Detector | RiskModel | None:
        return self._recent.detector if self._recent is not None else None

    @risk.setter
    def risk(self, detector: Detector | RiskModel | None) -> None:
        # A new detector starts with nothing remembered (bot/risk/recent.py).
        self._recent = Recent(detector) if detector is not None else None

    def assess(self, text: str | None, who: str | None = None) -> Assessment:
        """The risk in `text`; with `who` (the chat) the answer is kept a while, so that the
        check before queueing and the conversation path read a message once."""
        if not text or self._recent is None:
            return NOTHING
        return self._recent(text, who)

    async def read(self, text: str | None, who: str | None = None) -> Assessment:
        """`assess` on the risk thread (risk_thread.py): a message the deep head embeds does
        not hold up the other chats meanwhile."""
        if not text or self._recent is None:
            return NOTHING
        return await risk_thread.read(self._recent, text, who)

    async def receive(self, inbound: Inbound) -> list[Rendered]:
        """Handle one message; returns what was queued for the resident, in order."""
        assessment, decision = await self._risk(inbound)
        try:
            work = self._receive(inbound, assessment, decision)
            if decision.crisis and not inbound.crisis_sent:
                # Storage that hangs (a cut network) must not hold up the crisis lines.
                turn = await asyncio.wait_for(work, CRISIS_STORAGE_WAIT)
            else:
                turn = await work
        except (SQLAlchemyError, OSError, TimeoutError) as exc:
            if not decision.crisis or inbound.crisis_sent:
                raise
            logger.error("storage failed; sending the crisis reply directly", exc_info=exc)
            raise DeliverDirectly(self._crisis_lines(inbound, assessment, decision)) from exc
        if self.metrics is not None:  # held, or delivered twice: counts once
            self.metrics.received(inbound.channel, again=turn is None or turn.again)
        if turn is None:  # handled already: delivered a second time
            return []
        self.notifier.notify(min((p for _, p in turn.replies), default=PRIORITY_NORMAL))
        return [r for r, _ in turn.replies]

    async def _risk(self, inbound: Inbound) -> tuple[Assessment, Decision]:
        # A pressed button's label is our text, not the resident's: only typed text is checked.
        assessment = await self.read(None if inbound.payload else inbound.text, inbound.external_id)
        decision = escalation.on_risk(
            assessment.level,
            assessment.categories,
            [m.words(inbound.text or "") for m in assessment.matches],
        )
        return assessment, decision

    async def crisis_replies(self, inbound: Inbound) -> list[Rendered]:
        """The crisis lines `inbound` needs at once, found without the database ([]: none)."""
        assessment, decision = await self._risk(inbound)
        return self._crisis_lines(inbound, assessment, decision) if decision.crisis else []

    def _crisis_lines(
        self, inbound: Inbound, assessment: Assessment, decision: Decision
    ) -> list[Rendered]:
        lang = language.message_language(assessment, inbound)
        return risk_step.crisis_lines(self.context(), decision, lang)

    async def _receive(
        self, inbound: Inbound, assessment: Assessment, decision: Decision
    ) -> Turn | None:
        """The turn of `inbound`, stored; None when it was handled before (nothing stored)."""
        now = self.clock()
        async with self.db.transaction(short=True) as s:  # one resident's few rows
            await resident_db.lock_chat(s, inbound.channel, inbound.external_id)
            if inbound.key is not None and not await handled_db.first_time(
                s, inbound.channel, inbound.key, now=now
            ):
                return await self._again(s, inbound, assessment, decision, now)
            # The resident, their state and open case: few statements (storage/hotpath.py).
            loaded = await hotpath.load(s, inbound.channel, inbound.external_id, now=now)
            data = loaded.state or {}
            turn = _turn(
                inbound,
                assessment,
                decision,
                now,
                s,
                loaded.resident,
                state=State.from_dict(data),
                data=data,
                open_case=loaded.open_case,
            )
            await self._note_inbound(turn)
            await pipeline.run(self.context(), turn)
            if self.signals:  # the neighbourhood figures (bot/signals): contacts, topics, cases
                await signal_hooks.after_turn(turn, State.from_dict(data))
            await self._write_replies(turn)
            if not turn.erased:  # after /vergeet the next message starts afresh
                state = {**turn.data, **turn.state.to_dict()}
                await state_db.save_state(s, turn.rid, state, now=now)
        return turn

    async def _note_inbound(self, turn: Turn) -> None:
        """The message in the transcript, with the button pressed and what risk found."""
        inbound, assessment = turn.inbound, turn.assessment
        case_id = turn.open_case.id if turn.open_case is not None else None
        if inbound.media is not None:  # the media, then its caption as a message of its own
            noted: dict[str, Any] = {"media": inbound.media}
            entry = await transcript_db.add_transcript(
                turn.session, turn.rid, "in", f"[{inbound.media}]", now=turn.now, data=dict(noted)
            )
            entry.case_id = case_id
            turn.attachment = await attachments.store(turn, entry.id, case_id, noted)
            entry.data = dict(noted)  # with the stored file's id, or why it was refused
            if not (inbound.text or "").strip():
                return
        shown = inbound.text if inbound.text is not None else (inbound.payload or "")
        details: dict[str, Any] = {}
        if inbound.payload:
            details["press"] = inbound.payload
        if assessment.level != "none":
            details["risk"] = risk_step.details(assessment)
        await hotpath.note_in(
            turn.session, turn.rid, shown, now=turn.now, data=details or None, case_id=case_id
        )

    async def _write_replies(self, turn: Turn) -> None:
        """The turn's replies: transcript entries and outbox rows (crisis lines sent directly
        while storage was down go to the transcript only)."""
        s, rid, now = turn.session, turn.rid, turn.now
        replies = [(r.text, [list(b) for b in r.buttons] or None, p) for r, p in turn.replies]
        sources = {r.text: r.source for r, _ in turn.replies if r.source and r.source != r.text}
        if turn.inbound.crisis_sent:  # the crisis lines went out while storage was down
            for text, _, _ in (r for r in replies if r[2] == PRIORITY_CRISIS):
                await transcript_db.add_transcript(s, rid, "out", text, now=now, data=SENT)
            replies = [r for r in replies if r[2] != PRIORITY_CRISIS]
        await outbox_db.add_replies(s, rid, replies, now=now, sources=sources)

    async def _again(
        self,
        s: AsyncSession,
        inbound: Inbound,
        assessment: Assessment,
        decision: Decision,
        now: datetime,
    ) -> Turn | None:
        """A message handled before, delivered again: nothing is done, except that a crisis
        gets its crisis lines once more. The first handling may have been a held message whose
        lines went out directly, from a process killed before they reached the resident."""
        logger.info("update handled already: %s %s", inbound.channel, inbound.key)
        if not decision.crisis or inbound.crisis_sent:
            return None
        resident = await resident_db.find_resident(s, inbound.channel, inbound.external_id)
        if resident is None:
            return None
        turn = _turn(inbound, assessment, decision, now, s, resident, again=True)
        risk_step.say_risk(self.context(), decision, turn)
        replies = [(r.text, None, p) for r, p in turn.replies]
        await outbox_db.add_replies(s, resident.id, replies, now=now)
        return turn


def _turn(
    inbound: Inbound,
    assessment: Assessment,
    decision: Decision,
    now: datetime,
    s: AsyncSession,
    resident: Resident,
    **more: Any,
) -> Turn:
    """The turn of `inbound` for `resident`: in their language, else the one the message
    suggests."""
    return Turn(
        inbound,
        assessment,
        decision,
        now,
        resident.language or language.message_language(assessment, inbound),
        script=script_language(inbound.text),
        s=s,
        resident=resident,
        **more,
    )
