"""What residents read about follow-ups and the question after a closed case (msgctxt
`followup`), and the payloads of their buttons."""

from __future__ import annotations

from bot.engine.texts import N_

CONTEXT = "followup"

FOLLOW_UP = "fu"
"""Payload of a follow-up's buttons: `fu:<id>:<answer>`, answer y, b, n or s (stop)."""
FEEDBACK = "fb"
"""Payload of the question after a closed case: `fb:<id>:<answer>`, answer y, b or n."""
ANSWER_CODES = {"y": "helped", "b": "a_bit", "n": "not_helped"}
STOP = "s"

# Translators: the question a social worker schedules when they leave the text empty.
DEFAULT_QUESTION = N_("Hoe gaat het nu? Is het gelukt met waar het buurtteam je mee hielp?")
# Translators: buttons under a follow-up question; at most 20 characters each (WhatsApp).
HELPED = N_("Ja, gelukt")
# Translators: button under a follow-up question; at most 20 characters.
A_BIT = N_("Een beetje")
# Translators: button under a follow-up question; at most 20 characters.
NOT_HELPED = N_("Nee, niet gelukt")
# Translators: button under a follow-up question: no more of these questions; at most 20.
STOP_ASKING = N_("Stop met vragen")

THANKS_HELPED = N_("Fijn dat het gelukt is! Dank je wel voor je antwoord.")
THANKS_A_BIT = N_(
    "Dank je voor je antwoord. Wil je toch nog iemand spreken? Typ /mens, dan kijkt een "
    "medewerker van het buurtteam met je mee."
)
NOT_HELPED_CASE = N_(
    "Jammer dat het niet gelukt is. Ik vraag een medewerker van het buurtteam om met je mee "
    "te kijken."
)
STOPPED = N_("Goed. Ik stuur je geen vragen meer om te horen hoe het ging.")
ALREADY = N_("Dank je. Deze vraag is al beantwoord of gestopt.")

FEEDBACK_ASK = N_(
    "Heb je hier iets aan gehad? Je antwoord helpt het buurtteam. Antwoorden hoeft niet."
)
# Translators: buttons under the question above; at most 20 characters each.
FEEDBACK_YES = N_("Ja")
# Translators: button under the question "Heb je hier iets aan gehad?"; at most 20 characters.
FEEDBACK_A_BIT = N_("Een beetje")
# Translators: button under the question "Heb je hier iets aan gehad?"; at most 20 characters.
FEEDBACK_NO = N_("Nee")
FEEDBACK_THANKS = N_("Dank je voor je antwoord. Het buurtteam leert ervan.")
FEEDBACK_NO_THANKS = N_(
    "Dank je dat je het zegt. Wil je toch nog hulp? Typ /mens. Binnen 14 dagen komt je vraag "
    "dan weer bij dezelfde medewerker, als die aan het werk is."
)

# Translators: {name} is the first name of the social worker, e.g. Sanne.
REOPENED = N_(
    "Je gesprek met {name} van het buurtteam is weer geopend. {name} leest je bericht en "
    "antwoordt hier."
)
LINKED = N_(
    "Je vorige gesprek met het buurtteam is gesloten. Ik open een nieuw gesprek. De medewerker "
    "ziet je vorige gesprek erbij, dus je hoeft niet alles opnieuw te vertellen."
)


def parse(payload: str | None) -> tuple[str, int, str] | None:
    """(`fu` or `fb`, id, answer code) from a button's payload, or None when it is not one."""
    kind, _, rest = (payload or "").partition(":")
    number, _, code = rest.partition(":")
    if kind not in (FOLLOW_UP, FEEDBACK) or not number.isdigit() or len(number) > 18:
        return None
    if code not in ANSWER_CODES and not (kind == FOLLOW_UP and code == STOP):
        return None
    return kind, int(number), code
