"""The dashboard's texts that live in Python (msgctxt `dashboard`), marked with `N_` for
extraction. Dutch is the source; the templates' texts are marked with `_()` in the templates.

`CLOSED` is the one text a resident reads; everything else is for social workers.
"""

from __future__ import annotations

from bot.engine.texts import N_

CONTEXT = "dashboard"

# Translators: sent to the resident when the social worker closes the conversation. After
# this message the resident talks to the bot again. Keep "/mens" as it is (a command).
CLOSED = N_(
    "De medewerker van het buurtteam heeft dit gesprek afgesloten. Je praat nu weer met "
    "Buurtbot, een computerprogramma. Wil je later weer een mens spreken? Typ /mens."
)

PRIORITIES = {
    # Translators: dashboard, priority of a case.
    "urgent": N_("Urgent"),
    # Translators: dashboard, priority of a case.
    "high": N_("Hoog"),
    # Translators: dashboard, priority of a case.
    "normal": N_("Normaal"),
}

STATUSES = {
    # Translators: dashboard, status of a case: nobody has taken it yet.
    "waiting": N_("Wacht"),
    # Translators: dashboard, status of a case: a social worker has taken it.
    "claimed": N_("Opgepakt"),
    # Translators: dashboard, status of a case.
    "closed": N_("Gesloten"),
}

# Why a case was opened (`Case.reason`); reasons that flows name themselves are shown as
# written in the flow.
REASONS = {
    "asked_for_person": N_("Vraagt om een mens"),
    "suicide": N_("Zelfdoding of zelfbeschadiging"),
    "violence": N_("Geweld thuis"),
    "no_bed": N_("Geen slaapplek vannacht"),
    "eviction": N_("Uitzetting"),
    "cutoff": N_("Afsluiting van energie of water"),
    "acute_debt": N_("Deurwaarder of beslag"),
    "no_food": N_("Geen eten voor de kinderen"),
    "bailiff": N_("Deurwaarder"),
    "seizure": N_("Beslag"),
    "repeated_contact": N_("Komt steeds terug met dezelfde vraag"),
    "not_helped_repeatedly": N_("Zegt vaker dat de bot niet hielp"),
    "follow_up_not_helped": N_("Vervolgvraag: niet gelukt"),
}

OUTCOMES = {
    # Translators: dashboard, outcome chosen when closing a case.
    "helped": N_("Geholpen"),
    # Translators: dashboard, outcome chosen when closing a case.
    "referred": N_("Doorverwezen"),
    # Translators: dashboard, outcome chosen when closing a case.
    "no_reply": N_("Geen reactie van de bewoner"),
    # Translators: dashboard, outcome chosen when closing a case.
    "not_needed": N_("Geen hulp nodig"),
    # Translators: dashboard, outcome chosen when closing a case.
    "other": N_("Anders (zie notitie)"),
}

# Translators: dashboard, a yes/no answer of the resident in the summary of a case.
YES = N_("Ja")
# Translators: dashboard, a yes/no answer of the resident in the summary of a case.
NO = N_("Nee")

ROLES = {
    "worker": N_("Medewerker"),
    "admin": N_("Beheerder"),
}

# Errors shown to a worker (see middlewares.py); `%(name)s` is filled in.
ALREADY_CLAIMED = N_("Deze casus is al opgepakt door %(name)s.")
NOT_HOLDER = N_("Dit kan alleen wie de casus heeft opgepakt (%(name)s).")
NOBODY_HOLDS = N_("Pak de casus eerst op.")
CASE_CLOSED = N_("Deze casus is al gesloten.")
NOT_FOUND = N_("Deze pagina of casus bestaat niet (meer).")
FORBIDDEN = N_("Hiervoor heb je geen rechten.")
CSRF_FAILED = N_(
    "Dit formulier is verlopen of kwam niet van deze pagina. Laad de pagina opnieuw en "
    "probeer het nog eens."
)
BAD_REQUEST = N_("Dit verzoek klopt niet.")
SERVER_ERROR = N_("Er ging iets mis. Probeer het opnieuw; blijft het misgaan, meld het dan.")
LOGIN_FAILED = N_("Inloggen lukt niet. Controleer je naam en wachtwoord.")
LOGIN_LOCKED = N_("Te veel mislukte pogingen. Probeer het over %(minutes)s minuten opnieuw.")
SESSION_ENDED = N_("Je sessie is verlopen. Log opnieuw in.")
LOGGED_OUT = N_("Je bent uitgelogd.")
EMPTY_REPLY = N_("Het bericht is leeg.")
REPLY_TOO_LONG = N_("Het bericht is te lang (hoogstens %(max)s tekens).")
EMPTY_NOTE = N_("De notitie is leeg.")
UNKNOWN_OUTCOME = N_("Kies een uitkomst.")
UNKNOWN_COLLEAGUE = N_("Kies een collega die casussen kan oppakken.")
NOTHING_WAITING = N_("Er wacht nu niemand.")
UNKNOWN_TEAM = N_("Kies een team dat er is.")
# Translators: dashboard, admin's teams page; %(reason)s is the check's own message (English).
TEAM_NOT_SAVED = N_("Het team is niet opgeslagen: %(reason)s")
USER_ADDED = N_("Gebruiker %(name)s is toegevoegd.")
USER_DISABLED = N_("Gebruiker %(name)s kan niet meer inloggen.")
PASSWORDS_DIFFER = N_("De twee wachtwoorden zijn niet gelijk.")
PASSWORD_SHORT = N_("Een wachtwoord heeft minstens %(min)s tekens.")
BAD_NAME = N_(
    "Een naam heeft 2 tot 64 tekens: kleine letters, cijfers, punt, streepje of liggend streepje."
)
NAME_TAKEN = N_("Die naam bestaat al.")
NOT_YOURSELF = N_("Je kunt jezelf niet uitschakelen.")

LANGUAGE_NAMES = {
    # Translators: dashboard, the language a resident writes in.
    "nl": N_("Nederlands"),
    # Translators: dashboard, the language a resident writes in.
    "ar": N_("Arabisch"),
    # Translators: dashboard, the language a resident writes in.
    "ti": N_("Tigrinya"),
    # Translators: dashboard, the language a resident writes in.
    "en": N_("Engels"),
}

# Translators: dashboard, how long a case has waited: less than a minute.
WAITED_NOW = N_("net binnen")
# Translators: dashboard, how long a case has waited: minutes. Keep %(m)s.
WAITED_MINUTES = N_("%(m)s min")
# Translators: dashboard, how long a case has waited: hours and minutes ("u" is "uur").
WAITED_HOURS = N_("%(h)s u %(m)s min")
# Translators: dashboard, how long a case has waited: days and hours ("d" is "dagen").
WAITED_DAYS = N_("%(d)s d %(h)s u")

# Two-step login (bot/dashboard/two_step.py) and the first password.
CODE_WRONG = N_("Die code klopt niet. Typ de zes cijfers die je app nu laat zien.")
CODE_EXPIRED = N_("Dat duurde te lang. Log opnieuw in met je naam en wachtwoord.")
PASSWORD_FIRST = N_(
    "Dit wachtwoord is bij de installatie gemaakt. Kies eerst een eigen wachtwoord."
)

# The flow simulator's panel (bot/dashboard/simulated.py): what a test conversation would
# have led to. Translators: dashboard; %(reason)s is a reason such as "Geen slaapplek vannacht".
WOULD_OPEN = {
    "urgent": N_("Dit zou een urgente casus openen: %(reason)s"),
    "high": N_("Dit zou een hoge casus openen: %(reason)s"),
    "normal": N_("Dit zou een normale casus openen: %(reason)s"),
}
# Translators: dashboard, simulator: a risk level below a case ("check": ask the resident).
RISK_CHECK = N_("Navragen")
# Translators: dashboard, simulator: the author's last edit of the flows has errors.
CONTENT_KEPT = N_(
    "Je laatste wijziging van de flows is niet in gebruik: %(count)s fout(en). Dit gesprek "
    "loopt met de flows van daarvoor. De fouten staan hieronder en op de pagina Flows."
)
# Translators: dashboard, simulator: edits of the flows are taken over by themselves.
CONTENT_LIVE = N_("Je wijzigingen in de flows zijn binnen een paar seconden hier te proberen.")
