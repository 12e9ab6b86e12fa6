"""Resident-facing texts of the WhatsApp channel (Dutch msgids, translated in locales/)."""

from __future__ import annotations

from bot.engine.texts import N_

CONTEXT = "whatsapp"

TEMPLATE = N_("Er is een antwoord van het buurtteam voor je. Stuur een bericht om het te lezen.")
"""The text of the approved template `WHATSAPP_TEMPLATE` (docs/whatsapp.md): it is approved
at Meta per language and sent by name; this msgid gives translators and the docs its text."""

STOPPED = N_(
    "Je krijgt geen berichten meer van Buurtbot. Wil je weer praten? Stuur dan gewoon een "
    "bericht. Alles wissen wat ik bewaar? Typ /vergeet."
)
