"""One inbound message = one transaction: risk, flow step, case, transcript and outbox change
together.

Channels (Telegram, web chat, terminal) turn what they receive into an `Inbound` and call
`Conversations.receive`. Nothing is sent from here: replies become outbox rows in the same
transaction as the state change that caused them, and each channel's sender delivers them.

A message a channel delivers again (its `key` handled already) is not handled again: its
flow moves once, its transcript is written once, its replies are queued once.

The order for every message, in every state:
1. risk check (pure, before any database work, so a crisis reply exists even when the
   database is down: then `DeliverDirectly` carries it to the channel);
2. an open risk question ("do you think of harming yourself?") is answered, then `/vergeet`
   and `/gegevens` (bot/privacy.py);
3. while a case is open the message goes to the social worker, not to the flows;
4. a typed request for a person opens a case;
5. otherwise the flow engine takes the step.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import escalation, privacy
from bot.config import Config
from bot.engine import (
    MENU,
    Env,
    Escalate,
    FlowSet,
    Press,
    Saved,
    Say,
    State,
    Text,
    load,
    repeat,
    resume,
    start,
    texts,
)
from bot.engine.answers import InvalidAnswer, parse_answer
from bot.engine.texts import N_
from bot.escalation import Decision, OfficeHours, RepeatRule
from bot.i18n import (
    LANGUAGES,
    Catalogs,
    Rendered,
    asks_for_language,
    picker_buttons,
    script_language,
    supported,
)
from bot.risk import Assessment, Detector, RiskModel, assess, load_detector
from bot.risk.assessment import NOTHING
from storage import cases, contacts, handled, repo
from storage import outbox as outbox_db
from storage.db import Database
from storage.models import PRIORITY_CRISIS, PRIORITY_NORMAL, Resident
from storage.types import utcnow

if TYPE_CHECKING:
    from bot.ops.metrics import Metrics

logger = logging.getLogger(__name__)

CONTEXT = "escalation"
LANGUAGE_ASK = N_("In welke taal wil je praten?")
LANGUAGE_SET = N_("Goed, we praten verder in het Nederlands.")
CHECK_PAYLOAD = "check:"
NOT_HELPED = ("nee", "no")
SENT = {"sent": "directly, while storage was down"}
CRISIS_STORAGE_WAIT = 3.0  # seconds a crisis message waits for storage before going direct


@dataclass(frozen=True)
class Inbound:
    """A message from a resident as a channel received it."""

    channel: str
    external_id: str
    text: str | None = None
    payload: str | None = None  # a pressed button
    language_hint: str | None = None  # e.g. Telegram's language_code
    crisis_sent: bool = False  # held while storage was down; its crisis lines went out then
    key: str | None = None  # the channel's id for it: bot id and update_id, the page's id


class DeliverDirectly(Exception):
    """The database failed, but these crisis replies must reach the resident anyway: the
    channel sends them at once, outside the outbox."""

    def __init__(self, replies: list[Rendered]) -> None:
        super().__init__("crisis reply without storage")
        self.replies = replies


@dataclass
class _Turn:
    """What one message leads to, gathered before it is written."""

    lang: str
    script: str | None = None  # the language of the message's script (Arabic, Ge'ez), if any
    replies: list[tuple[Rendered, int]] = field(default_factory=list)  # (message, priority)
    again: bool = False  # the message was handled before; only its crisis lines are sent again

    def add(self, rendered: Rendered, priority: int = PRIORITY_NORMAL) -> None:
        self.replies.append((rendered, priority))


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
    ) -> None:
        self.db = db
        self.flows = flows
        self.catalogs = catalogs
        self.risk = risk
        self.office = office or OfficeHours.parse("altijd")
        self.repeat_rule = repeat_rule or RepeatRule()
        self.privacy = privacy.Privacy(catalogs, retention)
        self.clock = clock
        self.new_id = new_id
        self.listeners: list[Callable[[int], None]] = []  # told when rows are queued
        self.metrics = metrics  # counts messages in

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
        return cls(
            db,
            flows or load(config.flows_dir),
            Catalogs.load(config.locales_dir),
            risk=load_detector(config.flows_dir / "risk"),
            office=OfficeHours.parse(config.office_hours),
            repeat_rule=RepeatRule(times=config.repeat_times, days=config.repeat_days),
            retention=privacy.retention_of(config),
            metrics=metrics,
        )

    def env(self) -> Env:
        return Env(now=self.clock, new_id=self.new_id, aliases=self.catalogs.aliases)

    def assess(self, text: str | None) -> Assessment:
        if not text or self.risk is None:
            return NOTHING
        return assess(self.risk, text)

    async def receive(self, inbound: Inbound) -> list[Rendered]:
        """Handle one message; returns what was queued for the resident, in order."""
        assessment, decision = self._risk(inbound)
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
        for listener in self.listeners:
            listener(min((p for _, p in turn.replies), default=PRIORITY_NORMAL))
        return [r for r, _ in turn.replies]

    def _risk(self, inbound: Inbound) -> tuple[Assessment, Decision]:
        # A pressed button's label is our text, not the resident's: only typed text is checked.
        assessment = NOTHING if inbound.payload else self.assess(inbound.text)
        decision = escalation.on_risk(
            assessment.level, assessment.categories, [m.explain for m in assessment.matches]
        )
        return assessment, decision

    def crisis_replies(self, inbound: Inbound) -> list[Rendered]:
        """The crisis lines `inbound` needs at once, found without the database ([]: none)."""
        assessment, decision = self._risk(inbound)
        return self._crisis_lines(inbound, assessment, decision) if decision.crisis else []

    def _crisis_lines(
        self, inbound: Inbound, assessment: Assessment, decision: Decision
    ) -> list[Rendered]:
        lang = _message_language(assessment, inbound)
        return [self._say(m, lang) for m in decision.say]

    async def _receive(
        self, inbound: Inbound, assessment: Assessment, decision: Decision
    ) -> _Turn | None:
        """The turn of `inbound`, stored; None when it was handled before (nothing stored)."""
        now = self.clock()
        async with self.db.transaction() as s:
            await repo.lock_chat(s, inbound.channel, inbound.external_id)
            if inbound.key is not None and not await handled.first_time(
                s, inbound.channel, inbound.key, now=now
            ):
                return await self._again(s, inbound, assessment, decision, now)
            resident = await repo.get_or_create_resident(
                s, inbound.channel, inbound.external_id, now=now
            )
            turn = _Turn(
                resident.language or _message_language(assessment, inbound),
                script=script_language(inbound.text),
            )
            data = await repo.load_state(s, resident.id) or {}
            state = State.from_dict(data)
            open_case = await cases.open_case_of(s, resident.id)

            shown = inbound.text if inbound.text is not None else (inbound.payload or "")
            details: dict[str, Any] = {}
            if inbound.payload:
                details["press"] = inbound.payload
            if assessment.level != "none":
                details["risk"] = _risk_details(assessment)
            entry = await repo.add_transcript(
                s, resident.id, "in", shown, now=now, data=details or None
            )
            if open_case is not None:
                entry.case_id = open_case.id

            pending_check = data.get("check")
            data.pop("check", None)
            # Risk in the answer itself ("nee, maar ik heb de pillen al") outranks the answer.
            answered_check = pending_check and not decision.opens_case
            asked = _privacy_request(inbound, data, decision, now)
            erased = False
            if answered_check and (answer := _yes_no(inbound, now)) is not None:
                await self._on_check_answer(s, resident.id, answer, state, turn, now)
            elif asked is not None:
                erased = await self._privacy(s, resident, asked, state, turn, data, open_case, now)
            elif _language_choice(inbound) or asks_for_language(inbound.text):
                state = await self._language(s, resident.id, state, inbound, turn)
            elif open_case is not None:
                if decision.opens_case or decision.ask_check:
                    await self._on_risk(s, resident.id, decision, turn, now)
                    if decision.ask_check:
                        data["check"] = decision.reason or "suicide"
                else:
                    await self._relay(s, resident.id, turn)
            elif resident.language is None and not data and not _needs_more(inbound, decision):
                # First contact: say what we are, and let the resident pick a language.
                state = await self._first_contact(state, inbound, turn)
            else:
                state, check = await self._step(s, resident.id, state, inbound, decision, turn, now)
                if check:
                    data["check"] = check
                self._offer_switch(inbound, turn, data)
            replies = [(r.text, [list(b) for b in r.buttons] or None, p) for r, p in turn.replies]
            if inbound.crisis_sent:  # the crisis lines went out while storage was down
                for text, _, _ in (r for r in replies if r[2] == PRIORITY_CRISIS):
                    await repo.add_transcript(s, resident.id, "out", text, now=now, data=SENT)
                replies = [r for r in replies if r[2] != PRIORITY_CRISIS]
            await outbox_db.add_replies(s, resident.id, replies, now=now)
            if not erased:  # after /vergeet the next message starts afresh
                await repo.save_state(s, resident.id, {**data, **state.to_dict()}, now=now)
        return turn

    async def _again(
        self,
        s: AsyncSession,
        inbound: Inbound,
        assessment: Assessment,
        decision: Decision,
        now: datetime,
    ) -> _Turn | None:
        """A message handled before, delivered again: nothing is done, except that a crisis
        gets its crisis lines once more. The first handling may have been a held message whose
        lines went out directly, from a process killed before they reached the resident."""
        logger.info("update handled already: %s %s", inbound.channel, inbound.key)
        if not decision.crisis or inbound.crisis_sent:
            return None
        resident = await repo.find_resident(s, inbound.channel, inbound.external_id)
        if resident is None:
            return None
        turn = _Turn(
            resident.language or _message_language(assessment, inbound),
            script=script_language(inbound.text),
            again=True,
        )
        self._say_risk(decision, turn)
        replies = [(r.text, None, p) for r, p in turn.replies]
        await outbox_db.add_replies(s, resident.id, replies, now=now)
        return turn

    # --- risk ----------------------------------------------------------------------------

    def _say_risk(self, decision: Decision, turn: _Turn) -> None:
        priority = PRIORITY_CRISIS if decision.crisis else PRIORITY_NORMAL
        for msgid in decision.say:
            turn.add(self._say(msgid, turn.lang), priority)
        if decision.crisis and turn.script and turn.script != turn.lang:
            # Written in another script than the chosen language: the crisis lines in both.
            for msgid in decision.say:
                turn.add(self._say(msgid, turn.script), priority)

    async def _on_risk(
        self, s: AsyncSession, rid: int, decision: Decision, turn: _Turn, now: datetime
    ) -> None:
        priority = PRIORITY_CRISIS if decision.crisis else PRIORITY_NORMAL
        self._say_risk(decision, turn)
        if decision.ask_check:
            check = self._say(escalation.CHECK_QUESTION, turn.lang)
            yes, no = (self.catalogs.render(Say(t), turn.lang).text for t in (texts.YES, texts.NO))
            buttons = ((yes, f"{CHECK_PAYLOAD}y"), (no, f"{CHECK_PAYLOAD}n"))
            turn.replies[-1] = (Rendered(check.text, buttons, check.language), priority)
        if decision.opens_case:
            await self._open(
                s,
                rid,
                decision.priority or "high",
                decision.reason,
                decision.detail,
                turn,
                now,
                told=True,
            )

    async def _on_check_answer(
        self, s: AsyncSession, rid: int, yes: bool, state: State, turn: _Turn, now: datetime
    ) -> None:
        if yes:
            decision = escalation.on_risk(
                "urgent", ["suicide"], ["answered yes to the check question"]
            )
            await self._on_risk(s, rid, decision, turn, now)
            return
        turn.add(self._say(escalation.CHECK_NO, turn.lang))
        _, events = repeat(self.flows, state, env=self.env())
        turn.replies += [
            (self.catalogs.render(e, turn.lang), PRIORITY_NORMAL)
            for e in events
            if isinstance(e, Say)
        ]

    # --- cases ---------------------------------------------------------------------------

    async def _open(
        self,
        s: AsyncSession,
        rid: int,
        priority: str,
        reason: str,
        detail: str,
        turn: _Turn,
        now: datetime,
        *,
        told: bool = False,
    ) -> None:
        """Open (or raise) a case and tell the resident honestly when a person will answer."""
        who = await s.get(Resident, rid)  # loaded already: no query
        pseudonym = who.pseudonym if who is not None else "?"
        logger.info("case %s/%s for %s", priority, reason, pseudonym, extra={"who": pseudonym})
        await cases.open_case(
            s, rid, reason=reason, priority=priority, detail=detail, language=turn.lang, now=now
        )
        if not told:
            turn.add(self._say(escalation.PERSON_COMING, turn.lang))
        if not self.office.on_duty(now):
            when = self.office.next_start(now)
            turn.add(self._say(escalation.OFF_DUTY, turn.lang, when=when))

    async def _relay(self, s: AsyncSession, rid: int, turn: _Turn) -> None:
        """A case is open: the message is for the worker. Say so once, not after every line."""
        last = await repo.transcript(s, rid, limit=2)
        relayed = self._say(escalation.RELAYED, turn.lang).text
        if not any(e.direction == "out" and e.text == relayed for e in last):
            turn.add(self._say(escalation.RELAYED, turn.lang))

    # --- flows ---------------------------------------------------------------------------

    async def _step(
        self,
        s: AsyncSession,
        rid: int,
        state: State,
        inbound: Inbound,
        decision: Decision,
        turn: _Turn,
        now: datetime,
    ) -> tuple[State, str | None]:
        """No case is open: the flows take the message, unless it is not an answer to the open
        question and shows risk or asks for a person. Returns the new state and, when the
        resident is asked whether they think of harming themselves, the reason for that."""
        typed = inbound.text if not inbound.payload else None
        asks_person = bool(typed) and escalation.asks_for_person(typed or "")
        special = decision.opens_case or decision.ask_check or asks_person
        received = Press(inbound.payload) if inbound.payload else Text(inbound.text or "")
        new_state, events = resume(self.flows, state, received, env=self.env())
        if special and not _answered(state, new_state):
            if decision.opens_case or decision.ask_check:
                await self._on_risk(s, rid, decision, turn, now)
                return state, (decision.reason or "suicide") if decision.ask_check else None
            await self._open(s, rid, "normal", "asked_for_person", typed or "", turn, now)
            return state, None
        # An answer to the open question (typed label of an option, say): the flow goes on.
        # Risk still sends its crisis lines first, and raises the case if the flow opened one.
        flow_escalates = any(isinstance(e, Escalate) for e in events)
        if decision.opens_case and not flow_escalates:
            await self._on_risk(s, rid, decision, turn, now)
        elif decision.crisis:
            for msgid in decision.say:
                turn.add(self._say(msgid, turn.lang), PRIORITY_CRISIS)
        await self._flow_events(s, rid, state, new_state, events, turn, now)
        if decision.opens_case and flow_escalates:
            await cases.open_case(
                s,
                rid,
                reason=decision.reason,
                priority=decision.priority or "high",
                detail=decision.detail,
                language=turn.lang,
                now=now,
            )
        return new_state, None

    async def _flow_events(
        self,
        s: AsyncSession,
        rid: int,
        state: State,
        new_state: State,
        events: list,
        turn: _Turn,
        now: datetime,
    ) -> None:
        for event in events:
            if isinstance(event, Say):
                turn.add(self.catalogs.render(event, turn.lang))
            elif isinstance(event, Escalate):
                await self._open(s, rid, event.priority, event.reason, event.detail, turn, now)
            elif (
                isinstance(event, Saved) and event.name == "geholpen" and event.value in NOT_HELPED
            ):
                await contacts.add_contact(s, rid, "not_helped", event.flow, now=now)
        started = new_state.flow not in (None, MENU) and state.flow in (None, MENU)
        if started:
            await contacts.add_contact(s, rid, "topic", new_state.flow or "", now=now)
        if started or any(isinstance(e, Saved) and e.name == "geholpen" for e in events):
            await self._check_repeats(s, rid, turn, now)

    async def _check_repeats(self, s: AsyncSession, rid: int, turn: _Turn, now: datetime) -> None:
        if await cases.open_case_of(s, rid) is not None:
            return
        history = [
            escalation.Contact(c.kind, c.topic, c.at)
            for c in await contacts.recent_contacts(s, rid, now=now, days=self.repeat_rule.days)
        ]
        decision = escalation.repeated(history, self.repeat_rule, now)
        if decision.opens_case:
            await self._open(s, rid, "normal", decision.reason, decision.detail, turn, now)

    # --- language ------------------------------------------------------------------------

    async def _first_contact(self, state: State, inbound: Inbound, turn: _Turn) -> State:
        _, events = start(self.flows, state, env=self.env())
        greeting = next(e for e in events if isinstance(e, Say))
        turn.add(self.catalogs.render(greeting, turn.lang))
        turn.add(self._picker(turn.lang, inbound.language_hint))
        # Idle, but greeted: the next message shows the menu (or starts a flow by its title).
        return State(vars=state.vars, wait=self.new_id())

    def _picker(self, lang: str, hint: str | None) -> Rendered:
        ask = self._say(LANGUAGE_ASK, lang)
        return Rendered(ask.text, picker_buttons(hint), ask.language)

    def _offer_switch(self, inbound: Inbound, turn: _Turn, data: dict[str, Any]) -> None:
        """Written in Arabic or Ge'ez script while another language is set: offer to switch,
        once per script. Last, so its language buttons are the ones shown."""
        text = inbound.text or ""
        detected = script_language(text) if not text.startswith("/") else None
        if detected and detected != turn.lang and data.get("offered_language") != detected:
            data["offered_language"] = detected
            turn.add(self.catalogs.switch_offer(detected, turn.lang))

    async def _language(
        self, s: AsyncSession, rid: int, state: State, inbound: Inbound, turn: _Turn
    ) -> State:
        chosen = _language_choice(inbound)
        if chosen is None:
            turn.add(self._picker(turn.lang, inbound.language_hint))
            return state
        await repo.set_language(s, rid, chosen)
        turn.lang = chosen
        turn.add(self._say(LANGUAGE_SET, chosen))
        # Show the open question again, now in the chosen language.
        state, events = repeat(self.flows, state, env=self.env())
        turn.replies += [
            (self.catalogs.render(e, chosen), PRIORITY_NORMAL) for e in events if isinstance(e, Say)
        ]
        return state

    # --- privacy -------------------------------------------------------------------------

    async def _privacy(
        self,
        s: AsyncSession,
        resident: Resident,
        asked: privacy.Request,
        state: State,
        turn: _Turn,
        data: dict[str, Any],
        open_case: cases.Case | None,
        now: datetime,
    ) -> bool:
        """`/vergeet` and `/gegevens`; returns whether the resident's data was erased."""
        outcome = await self.privacy.handle(
            s, resident, asked, turn.lang, open_case=open_case is not None, now=now
        )
        turn.replies += [(r, PRIORITY_NORMAL) for r in outcome.replies]
        if outcome.pending:
            data[privacy.PENDING] = True
        if outcome.repeat and open_case is None and not state.idle:
            _, events = repeat(self.flows, state, env=self.env())
            turn.replies += [
                (self.catalogs.render(e, turn.lang), PRIORITY_NORMAL)
                for e in events
                if isinstance(e, Say)
            ]
        return outcome.erased

    # --- output --------------------------------------------------------------------------

    def _say(self, msgid: str, lang: str, **params: object) -> Rendered:
        return self.catalogs.render(Say(msgid, CONTEXT, params=params), lang)


def _needs_more(inbound: Inbound, decision: Decision) -> bool:
    """Whether a first message asks for more than a greeting: risk, a person, a command."""
    if decision.opens_case or decision.ask_check or inbound.payload:
        return True
    text = (inbound.text or "").strip()
    if text.startswith("/") and not text.casefold().startswith("/start"):
        return True  # /mens, /menu, /hulp ... do what they say from the first message on
    return escalation.asks_for_person(text)


def _answered(before: State, after: State) -> bool:
    """Whether the engine took the message as the answer to an open question."""
    if before.idle:
        return False
    return (after.flow, after.node, after.wait) != (before.flow, before.node, before.wait)


def _risk_details(assessment: Assessment) -> dict[str, Any]:
    return {
        "level": assessment.level,
        "categories": list(assessment.categories),
        "matches": [
            {
                "phrase": m.phrase,
                "category": m.category,
                "language": m.language,
                "source": m.source,
                "score": m.score,
            }
            for m in assessment.matches
        ],
    }


def _message_language(assessment: Assessment, inbound: Inbound) -> str:
    """The language to answer in before the resident chose one: that of the risk phrase that
    matched, else of the script the message is written in, else the channel's hint."""
    if assessment.matches:
        return assessment.matches[0].language
    text = inbound.text or ""
    if any("\u0600" <= ch <= "\u06ff" for ch in text):
        return "ar"
    if any("\u1200" <= ch <= "\u137f" for ch in text):
        return "ti"
    return supported(inbound.language_hint)


def _privacy_request(
    inbound: Inbound, data: dict[str, Any], decision: Decision, now: datetime
) -> privacy.Request | None:
    """What the message asks of bot/privacy.py. Risk goes first: "/vergeet ik wil dood" gets
    the crisis lines and a case, not the question. An unanswered question is dropped."""
    pending = bool(data.pop(privacy.PENDING, None))
    if decision.opens_case or decision.ask_check:
        return None
    return privacy.request(inbound.text, inbound.payload, pending=pending, now=now)


def _yes_no(inbound: Inbound, now: datetime) -> bool | None:
    if inbound.payload and inbound.payload.startswith(CHECK_PAYLOAD):
        return inbound.payload == f"{CHECK_PAYLOAD}y"
    try:
        return bool(parse_answer("yes_no", inbound.text or "", now.date()))
    except InvalidAnswer:
        return None


def _language_choice(inbound: Inbound) -> str | None:
    payload = inbound.payload or ""
    if payload.startswith("lang:") and payload[5:] in LANGUAGES:
        return payload[5:]
    return None
