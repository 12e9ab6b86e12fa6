"""The order in which the steps take a message, in one place. The first step that applies
handles the message; the others do not run.

Risk first is a safety property, not a preference: the risk assessment is made before any
database work (`Conversations.receive`), so a crisis reply exists even when the database is
down; here, a waiting risk question is answered before anything else, and every later step lets
risk in the message outrank what the message asks (privacy does not ask "/vergeet ik wil dood"
its question, a case raises its priority, the flows give way). Keep it first, and keep the
order here, visible, rather than in a registry.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot import escalation
from bot.conversation.steps import (
    cases,
    flows,
    followups,
    language,
    media,
    postcode,
    privacy,
    risk,
)
from bot.conversation.turn import Context, Turn
from bot.i18n import asks_for_language

GREETED = "greeted"
"""Key in the conversation data: the resident was greeted with a flow instead of the picker."""


@dataclass(frozen=True)
class Step:
    name: str
    applies: Callable[[Turn], bool]
    run: Callable[[Context, Turn], Awaitable[None]]


async def _check_answer(ctx: Context, turn: Turn) -> None:
    assert turn.check_answer is not None
    await risk.on_check_answer(ctx, turn, turn.check_answer)


async def _privacy(ctx: Context, turn: Turn) -> None:
    assert turn.asked is not None
    await privacy.answer(ctx, turn, turn.asked)


POSTCODE_ANSWER = "postcode_answer"  # turn data for this turn only: the question it answers


async def _postcode(ctx: Context, turn: Turn) -> None:
    await postcode.answer(ctx, turn, turn.data.pop(POSTCODE_ANSWER))


def _asks_language(turn: Turn) -> bool:
    return bool(language.choice(turn.inbound)) or asks_for_language(turn.inbound.text)


async def _in_case(ctx: Context, turn: Turn) -> None:
    """A case is open: risk raises it (and may ask the risk question), else the message goes
    to the worker."""
    decision = turn.decision
    if decision.opens_case or decision.ask_check:
        await risk.on_risk(ctx, turn, decision)
        if decision.ask_check and not cases.held(turn):
            turn.data[risk.CHECK] = risk.check_reason(decision)
    else:
        await cases.relay(ctx, turn)


def _first_contact(turn: Turn) -> bool:
    """A resident new to us whose first message asks for no more than a greeting: not risk, a
    person or a command (`/mens`, `/menu` ... do what they say from the first message on)."""
    assert turn.resident is not None
    if turn.resident.language is not None or turn.data:
        return False
    inbound, decision = turn.inbound, turn.decision
    if decision.opens_case or decision.ask_check or inbound.payload:
        return False
    text = (inbound.text or "").strip()
    if text.startswith("/") and not text.casefold().startswith("/start"):
        return False
    return not escalation.asks_for_person(text)


async def _greet(ctx: Context, turn: Turn) -> None:
    """Greet a new resident and offer the languages; a first message that already names a
    topic or asks for a person is answered instead (the engine greets in the same reply)."""
    typed = turn.inbound.text or ""
    understood = ctx.env().route(typed) if typed and not typed.startswith("/") else None
    if understood is not None and (understood.flow or understood.person):
        turn.data[GREETED] = True  # greeted: the next message is no first contact
        await _flows(ctx, turn)
        return
    language.first_contact(ctx, turn)


async def _flows(ctx: Context, turn: Turn) -> None:
    check = await flows.step(ctx, turn)
    if check:
        turn.data[risk.CHECK] = check
    language.offer_switch(ctx, turn)


PIPELINE: tuple[Step, ...] = (
    Step(
        "risk: the answer to the risk question", lambda t: t.check_answer is not None, _check_answer
    ),
    Step("privacy: /vergeet and /gegevens", lambda t: t.asked is not None, _privacy),
    Step(
        "follow-ups: a follow-up's answer, feedback on a case", followups.pressed, followups.answer
    ),
    Step("language: a language button, /taal", _asks_language, language.choose),
    Step(
        "postcode: the answer to the postcode question",
        lambda t: POSTCODE_ANSWER in t.data,
        _postcode,
    ),
    Step("cases: a case is open", lambda t: t.open_case is not None, _in_case),
    Step("language: the first contact", _first_contact, _greet),
    Step("flows: a step of the flow engine", lambda t: True, _flows),
)


async def run(ctx: Context, turn: Turn) -> None:
    """Handle `turn` with the first step of `PIPELINE` that applies; a first contact on a
    channel that has one gets its notice of what is stored (after any crisis lines)."""
    await _run(ctx, turn)
    risk.remember_person(turn)
    privacy.first_contact_notice(ctx, turn)
    # The postcode question of a case opened now comes last: after the crisis lines, always.
    postcode.ask_at_the_end(ctx, turn, other_question=risk.CHECK in turn.data)


async def _run(ctx: Context, turn: Turn) -> None:
    if media.without_words(turn):  # a photo alone answers no question and asks nothing
        media.answer(ctx, turn)
        return
    # What the message answers or asks, read before the steps: a waiting risk question or
    # privacy question is dropped when the message does not answer it. Risk in the message
    # outranks an answer to the risk question ("nee, maar ik heb de pillen al").
    waiting_check = turn.data.pop(risk.CHECK, None)
    person = turn.data.pop(risk.PERSON, None)
    turn.asked = privacy.request(turn)
    if waiting_check and not turn.decision.opens_case:
        turn.check_answer = risk.yes_no(turn.inbound, turn.now)
        if turn.check_answer is False and person:
            turn.data[risk.PERSON] = person  # a "no" still brings the person they asked for
    waiting_postcode = postcode.waiting(turn)
    if waiting_postcode is not None and postcode.is_answer(ctx, turn, waiting_postcode):
        turn.data[POSTCODE_ANSWER] = waiting_postcode
    await followups.on_stop(ctx, turn)  # "stop" ends every follow-up, and goes on its way
    for step in PIPELINE:
        if step.applies(turn):
            await step.run(ctx, turn)
            break
    turn.data.pop(POSTCODE_ANSWER, None)
    if turn.inbound.media is not None:  # its caption was read; the media itself was not
        media.answer(ctx, turn)
