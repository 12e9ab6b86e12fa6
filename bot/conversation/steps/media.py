"""Photos, voice notes, stickers and the like: the bot reads text only. The media is noted in
the transcript (and so in an open case, for the worker); the resident is told to write, or to
ask for a person. A caption is read like any message, risk first."""

from __future__ import annotations

from bot.conversation.turn import Context, Turn
from bot.engine.texts import N_

TEXT_ONLY = N_(
    "Ik kan alleen tekst lezen. Schrijf je vraag in een bericht, of typ /mens om met een mens "
    "te praten."
)


def without_words(turn: Turn) -> bool:
    """Media with no caption to read: nothing for the other steps."""
    return turn.inbound.media is not None and not (turn.inbound.text or "").strip()


def answer(ctx: Context, turn: Turn) -> None:
    turn.add(ctx.say(TEXT_ONLY, turn.lang))
