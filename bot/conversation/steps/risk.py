"""Risk: the crisis lines, the case it opens, and the question "do you think of harming
yourself?" with its answer. The assessment itself is made before any database work
(`Conversations.receive`); this step says and does what it decided."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot import escalation
from bot.conversation.inbound import Inbound
from bot.conversation.steps import cases
from bot.conversation.turn import Context, Turn
from bot.engine import Say, texts
from bot.engine.answers import InvalidAnswer, parse_answer
from bot.escalation import Decision
from bot.i18n import Rendered
from bot.risk import Assessment
from storage.outbox import PRIORITY_CRISIS, PRIORITY_NORMAL

CHECK_PAYLOAD = "check:"
CHECK = "check"  # the conversation data's key while the question waits for an answer
# The case reason of a person the resident asked for in the message that got the question:
# a "no" to the question still brings them the person they asked for.
PERSON = "check_person"
# The reason the question is asked when the decision names none, and what a "yes" is taken for.
SUICIDE = "suicide"


def crisis_lines(ctx: Context, decision: Decision, lang: str) -> list[Rendered]:
    return [ctx.say(m, lang) for m in decision.say]


def say_risk(ctx: Context, decision: Decision, turn: Turn) -> None:
    priority = PRIORITY_CRISIS if decision.crisis else PRIORITY_NORMAL
    say = decision.say
    if not ctx.office.on_duty(turn.now):
        say = escalation.off_duty(say)  # the off-duty line that follows says when
    for msgid in say:
        turn.add(ctx.say(msgid, turn.lang), priority)
    if turn.script and turn.script != turn.lang:
        # Written in another script than the chosen language: the lines in both, the crisis
        # lines and the help for a night without a bed alike (issue 16).
        for msgid in say:
            turn.add(ctx.say(msgid, turn.script), priority)


async def on_risk(ctx: Context, turn: Turn, decision: Decision) -> None:
    """The crisis lines, the check question when the decision asks it, and the case. While a
    worker holds the case only crisis lines are added: the worker sees the risk and answers."""
    priority = PRIORITY_CRISIS if decision.crisis else PRIORITY_NORMAL
    quiet = cases.held(turn)
    if decision.crisis or not quiet:
        say_risk(ctx, decision, turn)
    if decision.ask_check and not quiet:
        # The buttons go with the last line: in the script's language when it came twice.
        lang = turn.replies[-1][0].language if turn.replies else turn.lang
        check = ctx.say(escalation.CHECK_QUESTION, lang)
        yes, no = (ctx.catalogs.render(Say(t), lang).text for t in (texts.YES, texts.NO))
        buttons = ((yes, f"{CHECK_PAYLOAD}y"), (no, f"{CHECK_PAYLOAD}n"))
        turn.replies[-1] = (Rendered(check.text, buttons, check.language, check.source), priority)
    if decision.opens_case:
        await cases.open_case(
            ctx,
            turn,
            decision.priority or "high",
            decision.reason,
            decision.detail,
            told=True,
        )
    if decision.reason == "no_bed" and not quiet and not ctx.office.on_duty(turn.now):
        night_numbers(ctx, turn)


def night_numbers(ctx: Context, turn: Turn) -> None:
    """No bed tonight, outside office hours: the local night numbers (flows/local.yaml), as the
    opvang flow gives them; nobody of the buurtteam can search tonight."""
    local = ctx.flows.local
    if "opvang_nacht" in local and "gemeente_crisis" in local:
        for lang in dict.fromkeys(filter(None, (turn.lang, turn.script))):
            turn.add(ctx.say(escalation.NIGHT_NO_BED, lang, **local))


def check_reason(decision: Decision) -> str:
    """What the stored check question is about."""
    return decision.reason or SUICIDE


async def on_check_answer(ctx: Context, turn: Turn, yes: bool) -> None:
    if yes:
        decision = escalation.on_risk("urgent", [SUICIDE], ["answered yes to the check question"])
        await on_risk(ctx, turn, decision)
        return
    reason = turn.data.pop(PERSON, None)
    if reason:
        await cases.open_case(ctx, turn, "normal", reason, "")
        return
    turn.add(ctx.say(escalation.CHECK_NO, turn.lang))
    ctx.ask_again(turn, turn.state)


def remember_person(turn: Turn) -> None:
    """The message that got the risk question also asked for a person: kept for the answer."""
    text = turn.inbound.text or ""
    if CHECK in turn.data and not turn.inbound.payload and escalation.asks_for_person(text):
        turn.data[PERSON] = escalation.person_reason(text)


def yes_no(inbound: Inbound, now: datetime) -> bool | None:
    """The answer to the check question: its button, or a typed yes or no; None: neither."""
    if inbound.payload and inbound.payload.startswith(CHECK_PAYLOAD):
        return inbound.payload == f"{CHECK_PAYLOAD}y"
    try:
        return bool(parse_answer("yes_no", inbound.text or "", now.date()))
    except InvalidAnswer:
        return None


def details(assessment: Assessment) -> dict[str, Any]:
    """What the transcript keeps of an assessment: level, categories, what matched."""
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
                "start": m.start,
                "end": m.end,
            }
            for m in assessment.matches
        ],
    }
