"""The Telegram channel's own texts (msgctxt `telegram`). Dutch is the source language."""

from bot.engine.texts import N_

CONTEXT = "telegram"

PRIVATE_ONLY = N_(
    "Hallo! Ik praat alleen in een persoonlijk gesprek, niet in een groep. Stuur me een "
    "privébericht als je hulp wilt. Wat in deze groep staat, bewaar ik niet."
)
SOMETHING_WENT_WRONG = N_(
    "Er ging bij mij iets mis, sorry. Stuur je bericht zo nog een keer. Ben je in direct "
    "gevaar? Bel 112."
)
