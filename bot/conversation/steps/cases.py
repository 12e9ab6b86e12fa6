"""Cases: opening one (or raising its priority) and telling the resident honestly when a person
answers; while one is open, messages are for the worker; repeated contact opens one."""

from __future__ import annotations

import logging

from bot import escalation
from bot.conversation.steps import postcode
from bot.conversation.turn import Context, Turn
from bot.followups import messages, texts
from storage import cases, contacts
from storage import transcripts as transcript_db
from storage.residents import Resident
from storage.users import User, shown_name

logger = logging.getLogger(__name__)


def held(turn: Turn) -> bool:
    """A worker holds the resident's case: they talk with a person now, and the bot adds no
    lines of its own to that conversation, crisis lines excepted."""
    return turn.open_case is not None and turn.open_case.status == "claimed"


async def open_case(
    ctx: Context,
    turn: Turn,
    priority: str,
    reason: str,
    detail: str,
    *,
    told: bool = False,
) -> None:
    """Open (or raise) a case and tell the resident honestly when a person will answer."""
    s, now = turn.session, turn.now
    who = await s.get(Resident, turn.rid)  # loaded already: no query
    pseudonym = who.pseudonym if who is not None else "?"
    logger.info("case %s/%s for %s", priority, reason, pseudonym, extra={"who": pseudonym})
    before = await cases.open_case_of(s, turn.rid)
    case = await cases.open_case(
        s,
        turn.rid,
        reason=reason,
        priority=priority,
        detail=detail,
        language=turn.lang,
        now=now,
        on_duty=ctx.office.on_duty(now),
    )
    if before is None:  # a new case: its team, and maybe the postcode question (at the end)
        await postcode.case_opened(ctx, turn, case)
    if held(turn):
        return  # raised; the worker who holds it sees it, and is the one who answers
    if case.reopened_at == now and case.status == "claimed":  # back with the same worker
        worker = await s.get(User, case.worker_id) if case.worker_id is not None else None
        name = shown_name(worker) if worker is not None else ""
        turn.add(messages.say(ctx.catalogs, texts.REOPENED, turn.lang, name=name))
        return
    if case.previous_case_id is not None and case.created_at == now:
        turn.add(messages.say(ctx.catalogs, texts.LINKED, turn.lang))
    if not told:
        turn.add(ctx.say(escalation.PERSON_COMING, turn.lang))
    if not ctx.office.on_duty(now):
        when = ctx.office.next_start(now)
        turn.add(ctx.say(escalation.OFF_DUTY, turn.lang, when=when))
        if turn.script and turn.script != turn.lang and turn.decision.opens_case:
            # The night's numbers in the language the resident wrote their risk in, too.
            turn.add(ctx.say(escalation.OFF_DUTY, turn.script, when=when))


async def relay(ctx: Context, turn: Turn) -> None:
    """A case is open: the message is for the worker. Say so once, not after every line,
    and not at all once a worker holds the case (they answer themselves)."""
    if held(turn):
        return
    last = await transcript_db.transcript(turn.session, turn.rid, limit=2)
    relayed = ctx.say(escalation.RELAYED, turn.lang).text
    if not any(e.direction == "out" and e.text == relayed for e in last):
        turn.add(ctx.say(escalation.RELAYED, turn.lang))


async def check_repeats(ctx: Context, turn: Turn) -> None:
    """Open a case when the resident keeps coming back (`escalation.repeated`)."""
    s, rid, now = turn.session, turn.rid, turn.now
    if await cases.open_case_of(s, rid) is not None:
        return
    history = [
        escalation.Contact(c.kind, c.topic, c.at)
        for c in await contacts.recent_contacts(s, rid, now=now, days=ctx.repeat_rule.days)
    ]
    decision = escalation.repeated(history, ctx.repeat_rule, now)
    if decision.opens_case:
        await open_case(ctx, turn, "normal", decision.reason, decision.detail)
