"""The flows take the message, unless it is not an answer to the open question and shows risk
or asks for a person; topics and "not helped" answers are counted for repeated contact."""

from __future__ import annotations

from datetime import timedelta

from bot import escalation
from bot.conversation.steps import cases, risk
from bot.conversation.turn import Context, Turn
from bot.engine import (
    MENU,
    Escalate,
    Event,
    FlowEnded,
    FollowUpDue,
    Press,
    Saved,
    Say,
    State,
    Text,
    resume,
)
from bot.engine.fold import fold
from bot.signals import hooks as signal_hooks
from bot.understanding import intents
from storage import cases as case_rows
from storage import contacts
from storage import followups as followup_db
from storage.outbox import PRIORITY_CRISIS

# The flows' closing question "did this help you?" saves its answer under this name; the
# answers in flows/intents/ under `not_helped:` count as not helped (storage/contacts.py, for
# repeated contact).
HELPED = "geholpen"
NOT_HELPED = tuple(fold(w) for w in intents.default().phrases("not_helped"))


async def step(ctx: Context, turn: Turn) -> str | None:
    """No case is open: the flows take the message, unless it is not an answer to the open
    question and shows risk or asks for a person. Sets the new state and returns, when the
    resident is asked whether they think of harming themselves, the reason for that."""
    inbound, decision, state = turn.inbound, turn.decision, turn.state
    typed = inbound.text if not inbound.payload else None
    asks_person = bool(typed) and escalation.asks_for_person(typed or "")
    special = decision.opens_case or decision.ask_check or asks_person
    # At the menu a typed message moves the flow only as the router's guess at its topic; risk
    # runs first and wins over a guess (issue 17), so the router is not even asked then.
    if special and state.flow in (None, MENU):
        return await _special(ctx, turn, typed)
    received = Press(inbound.payload) if inbound.payload else Text(inbound.text or "")
    new_state, events = resume(ctx.flows, state, received, env=ctx.env())
    if special and not answered(state, new_state):
        return await _special(ctx, turn, typed)
    # An answer to the open question (typed label of an option, say): the flow goes on.
    # Risk still sends its crisis lines first, and raises the case if the flow opened one.
    flow_escalates = any(isinstance(e, Escalate) for e in events)
    if decision.opens_case and not flow_escalates:
        await risk.on_risk(ctx, turn, decision)
    elif decision.crisis:
        for msgid in decision.say:
            turn.add(ctx.say(msgid, turn.lang), PRIORITY_CRISIS)
    await _events(ctx, turn, state, new_state, events)
    if decision.opens_case and flow_escalates:
        await case_rows.open_case(
            turn.session,
            turn.rid,
            reason=decision.reason,
            priority=decision.priority or "high",
            detail=decision.detail,
            language=turn.lang,
            now=turn.now,
        )
    turn.state = new_state
    return None


async def _special(ctx: Context, turn: Turn, typed: str | None) -> str | None:
    """Risk, or a request for a person, instead of the flows: risk's lines and case (and the
    reason when the resident is asked about harming themselves), or a case for a person."""
    decision = turn.decision
    if decision.opens_case or decision.ask_check:
        await risk.on_risk(ctx, turn, decision)
        return risk.check_reason(decision) if decision.ask_check else None
    reason = escalation.person_reason(typed or "")
    await cases.open_case(ctx, turn, "normal", reason, typed or "")
    return None


async def _events(
    ctx: Context, turn: Turn, state: State, new_state: State, events: list[Event]
) -> None:
    s, rid, now = turn.session, turn.rid, turn.now
    for event in events:
        if isinstance(event, Say):
            turn.add(ctx.catalogs.render(event, turn.lang))
        elif isinstance(event, Escalate):
            await cases.open_case(ctx, turn, event.priority, event.reason, event.detail)
        elif isinstance(event, Saved) and event.name == HELPED and _not_helped(event.value):
            await contacts.add_contact(s, rid, "not_helped", event.flow, now=now)
        elif isinstance(event, FollowUpDue):
            await _schedule(turn, event)
        elif isinstance(event, FlowEnded) and ctx.signals:  # left a flow: bot/signals
            await signal_hooks.flow_ended(turn, event, state)
    started = new_state.flow not in (None, MENU) and state.flow in (None, MENU)
    if started:
        await contacts.add_contact(s, rid, "topic", new_state.flow or "", now=now)
    if started or any(isinstance(e, Saved) and e.name == HELPED for e in events):
        await cases.check_repeats(ctx, turn)


async def _schedule(turn: Turn, due: FollowUpDue) -> None:
    """Store a flow's follow-up; one still waiting for the same node is not doubled."""
    s, now = turn.session, turn.now
    if any(f.context == due.context for f in await followup_db.waiting_of(s, turn.rid)):
        return
    await followup_db.schedule(
        s,
        turn.rid,
        due_at=now + timedelta(days=due.days),
        text=due.msgid,
        context=due.context,
        language=turn.lang,
        source="flow",
        flow=due.flow,
        now=now,
    )


def _not_helped(value: object) -> bool:
    return isinstance(value, str) and fold(value) in NOT_HELPED


def answered(before: State, after: State) -> bool:
    """Whether the engine took the message as the answer to an open question."""
    if before.idle:
        return False
    return (after.flow, after.node, after.wait) != (before.flow, before.node, before.wait)
