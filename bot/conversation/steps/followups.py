"""The answers to follow-ups and to the question after a closed case (their buttons), and
"stop", which cancels every follow-up of the resident (docs/followups.md)."""

from __future__ import annotations

import logging

from bot.conversation.steps import cases
from bot.conversation.turn import Context, Turn
from bot.engine.fold import fold
from bot.followups import messages, texts
from bot.signals import hooks as signal_hooks
from bot.understanding import intents
from storage import contacts
from storage import feedback as feedback_db
from storage import followups as followup_db

logger = logging.getLogger(__name__)

STOP_WORDS = frozenset({"stop", "/stop", *(fold(w) for w in intents.default().phrases("stop"))})
NOT_HELPED_REASON = "follow_up_not_helped"
_THANKS = {"helped": texts.THANKS_HELPED, "a_bit": texts.THANKS_A_BIT}


def pressed(turn: Turn) -> bool:
    """The message is a press of a follow-up's or the feedback question's button."""
    return texts.parse(turn.inbound.payload) is not None


async def answer(ctx: Context, turn: Turn) -> None:
    found = texts.parse(turn.inbound.payload)
    assert found is not None
    kind, ident, code = found
    if kind == texts.FEEDBACK:
        await _feedback(ctx, turn, ident, texts.ANSWER_CODES[code])
    elif code == texts.STOP:
        await followup_db.cancel_all(turn.session, turn.rid)
        turn.add(messages.say(ctx.catalogs, texts.STOPPED, turn.lang))
    else:
        await _follow_up(ctx, turn, ident, texts.ANSWER_CODES[code])
        return
    _ask_again(ctx, turn)


async def _follow_up(ctx: Context, turn: Turn, ident: int, given: str) -> None:
    s, now = turn.session, turn.now
    row = await followup_db.answer(s, ident, turn.rid, given, now=now)
    if row is None:
        turn.add(messages.say(ctx.catalogs, texts.ALREADY, turn.lang))
        _ask_again(ctx, turn)
        return
    logger.info("follow-up %s answered: %s", ident, given)
    if ctx.signals:
        await signal_hooks.answered(turn, row.case_id, given, after_close=False)
    if given != "not_helped":
        turn.add(messages.say(ctx.catalogs, _THANKS[given], turn.lang))
        _ask_again(ctx, turn)
        return
    # Counted like a flow's "not helped" for repeated contact, and a person looks now.
    await contacts.add_contact(s, turn.rid, "not_helped", row.flow or "follow_up", now=now)
    turn.add(messages.say(ctx.catalogs, texts.NOT_HELPED_CASE, turn.lang))
    await cases.open_case(ctx, turn, "normal", NOT_HELPED_REASON, row.text, told=True)


async def _feedback(ctx: Context, turn: Turn, ident: int, given: str) -> None:
    row = await feedback_db.answer(turn.session, ident, turn.rid, given, now=turn.now)
    if row is None:
        msgid = texts.ALREADY
    else:
        if ctx.signals:
            await signal_hooks.answered(turn, row.case_id, given, after_close=True)
        msgid = texts.FEEDBACK_NO_THANKS if given == "not_helped" else texts.FEEDBACK_THANKS
    turn.add(messages.say(ctx.catalogs, msgid, turn.lang))


def _ask_again(ctx: Context, turn: Turn) -> None:
    """A flow question the resident was in the middle of is shown again."""
    if turn.open_case is None and not turn.state.idle:
        turn.state = ctx.ask_again(turn, turn.state)


def stops(turn: Turn) -> bool:
    text = (turn.inbound.text or "").strip()
    return not turn.inbound.payload and bool(text) and fold(text) in STOP_WORDS


async def on_stop(ctx: Context, turn: Turn) -> None:
    """A typed "stop" cancels every follow-up still to come, and says so when there was one;
    the message then goes on its way (the flow ends, WhatsApp stops sending)."""
    if turn.resident is None or not stops(turn):
        return
    if await followup_db.cancel_all(turn.session, turn.rid):
        turn.add(messages.say(ctx.catalogs, texts.STOPPED, turn.lang))
