"""`/vergeet` and `/gegevens` as a step: what the message asks of bot/conversation/privacy.py,
and its answer in the turn."""

from __future__ import annotations

from bot.conversation import privacy
from bot.conversation.turn import Context, Turn


def request(turn: Turn) -> privacy.Request | None:
    """What the message asks. Risk goes first: "/vergeet ik wil dood" gets the crisis lines and
    a case, not the question. An unanswered question is dropped."""
    pending = bool(turn.data.pop(privacy.PENDING, None))
    decision = turn.decision
    if decision.opens_case or decision.ask_check:
        return None
    return privacy.request(turn.inbound.text, turn.inbound.payload, pending=pending, now=turn.now)


async def answer(ctx: Context, turn: Turn, asked: privacy.Request) -> None:
    """Answer `asked`; after an erasure the turn stores no state."""
    assert turn.resident is not None
    outcome = await ctx.privacy.handle(
        turn.session,
        turn.resident,
        asked,
        turn.lang,
        open_case=turn.open_case is not None,
        now=turn.now,
    )
    for rendered in outcome.replies:
        turn.add(rendered)
    if outcome.pending:
        turn.data[privacy.PENDING] = True
    if outcome.repeat and turn.open_case is None and not turn.state.idle:
        ctx.ask_again(turn, turn.state)
    turn.erased = outcome.erased
