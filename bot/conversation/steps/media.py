"""Photos, PDFs, voice notes, stickers and the like. The bot reads text only: the media is noted
in the transcript (and so in an open case, for the worker), a photo, PDF or voice note is kept
with it (bot/conversation/attachments.py), and the resident is told what happens next: in a case
that a person will look; outside one, kindly, that the bot cannot read it, with a person offered
(the attachment stays for that case). A caption is read like any message, risk first."""

from __future__ import annotations

from bot.conversation import attachments
from bot.conversation.turn import CONTEXT, Context, Turn
from bot.engine import Say
from bot.engine.questions import HUMAN
from bot.engine.texts import N_

TEXT_ONLY = N_(
    "Ik kan alleen tekst lezen. Schrijf je vraag in een bericht, of typ /mens om met een mens "
    "te praten."
)
PHOTO_OFFER = N_("Ik kan foto's niet lezen. Wil je dat een medewerker meekijkt?")
VOICE_OFFER = N_("Ik kan spraakberichten niet beluisteren. Wil je dat een medewerker luistert?")
RECEIVED = N_(
    "Dank je, het is aangekomen. Een medewerker van het buurtteam kijkt ernaar en reageert hier."
)
TOO_LARGE = N_(
    "Dit bestand is te groot: het mag hoogstens {mb} MB zijn. Stuur een kleinere foto, of typ "
    "/mens om met een mens te praten."
)
WRONG_TYPE = N_(
    "Dit soort bestand kan ik niet bewaren. Stuur een foto, een PDF of een spraakbericht, of "
    "typ /mens om met een mens te praten."
)


def without_words(turn: Turn) -> bool:
    """Media with no caption to read: nothing for the other steps."""
    return turn.inbound.media is not None and not (turn.inbound.text or "").strip()


def answer(ctx: Context, turn: Turn) -> None:
    outcome = turn.attachment
    if outcome == attachments.TOO_LARGE:
        turn.add(ctx.say(TOO_LARGE, turn.lang, mb=attachments.MAX_MB))
    elif outcome == attachments.WRONG_TYPE:
        turn.add(ctx.say(WRONG_TYPE, turn.lang))
    elif outcome == attachments.STORED and turn.open_case is not None:
        turn.add(ctx.say(RECEIVED, turn.lang))
    elif outcome == attachments.STORED:
        offer = VOICE_OFFER if turn.inbound.media in ("voice", "audio") else PHOTO_OFFER
        turn.add(ctx.catalogs.render(Say(offer, CONTEXT, buttons=(HUMAN,)), turn.lang))
    else:
        turn.add(ctx.say(TEXT_ONLY, turn.lang))
