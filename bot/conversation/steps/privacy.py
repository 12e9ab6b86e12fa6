"""`/vergeet` and `/gegevens` as a step: what the message asks of bot/conversation/privacy.py,
and its answer in the turn."""

from __future__ import annotations

from bot.conversation import privacy
from bot.conversation.turn import Context, Turn
from bot.engine.texts import N_
from storage.outbox import PRIORITY_CRISIS, PRIORITY_NORMAL


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


CHANNEL_NOTICE = {
    "whatsapp": N_(
        "Je schrijft via WhatsApp. Ik bewaar je telefoonnummer en je berichten; wat precies, "
        "en hoe lang, zie je met /gegevens. Meta (WhatsApp) ziet je nummer en wanneer je "
        "schrijft, en brengt je berichten voor ons over. Typ stop als je geen berichten meer "
        "wilt."
    ),
}
"""What a channel's first contact is told about what is stored and who else sees it, before
anything else but crisis lines (docs/whatsapp.md says what Meta sees)."""


def first_contact_notice(ctx: Context, turn: Turn) -> None:
    """On a resident's very first message on a channel with a notice: the notice, after any
    crisis lines and before the rest of the replies."""
    notice = CHANNEL_NOTICE.get(turn.inbound.channel)
    resident = turn.resident
    if notice is None or resident is None or resident.created_at != turn.now or turn.again:
        return
    at = next((i for i, (_, p) in enumerate(turn.replies) if p != PRIORITY_CRISIS), None)
    rendered = ctx.say(notice, turn.lang)
    turn.replies.insert(len(turn.replies) if at is None else at, (rendered, PRIORITY_NORMAL))
