"""The engine's own texts (msgctxt `engine`). Dutch is the source; `N_` marks them for
extraction without importing any translation machinery into the engine."""


def N_(text: str) -> str:
    return text


GREETING = N_(
    "Hallo! Ik ben Buurtbot, een computerprogramma en geen mens. "
    "Ik help je op weg met toeslagen, geldzorgen en een slaapplek. "
    "Wil je liever een mens spreken? Dat kan altijd: typ /mens."
)
MENU_ASK = N_("Waar kan ik je mee helpen?")
HUMAN_BUTTON = N_("Met een mens praten")
MENU_BUTTON = N_("Menu")
YES = N_("Ja")
NO = N_("Nee")
HELP = N_(
    "Je praat met Buurtbot, een computerprogramma. Druk op een knop, of typ het nummer of de "
    "tekst van een knop.\n"
    "/menu: terug naar het begin\n"
    "/mens: met een mens praten\n"
    "/taal: een andere taal kiezen\n"
    "/stop: stoppen\n"
    "/gegevens: zien wat ik over je bewaar\n"
    "/vergeet: je gegevens wissen"
)
NOT_UNDERSTOOD = N_("Dat begreep ik niet. Druk op een van de knoppen, of typ het nummer.")
STALE_BUTTON = N_("Die knop hoort bij een eerdere vraag. Dit is de vraag van nu:")
OFFER_HUMAN = N_(
    "Het lukt niet goed zo, en dat ligt niet aan jou. "
    "Wil je liever met een mens praten? Druk op de knop of typ /mens."
)
UNKNOWN_COMMAND = N_("Die opdracht ken ik niet. Typ /hulp voor wat ik begrijp.")
STOPPED = N_("Goed, ik stop. Typ /start als je later weer iets wilt vragen.")
END_HINT = N_("Wil je nog iets anders vragen? Druk op Menu.")
SOMETHING_WRONG = N_(
    "Er ging bij mij iets mis, sorry. Ik breng je terug naar het begin. "
    "Wil je liever een mens spreken? Typ /mens."
)
# Translators: one short line when a typed message started a topic; {topic} is the topic's
# button text in the main menu. "terug" is the word that undoes it: use your language's word.
UNDERSTOOD = N_("Je vraag gaat over: {topic}. Klopt dat niet? Typ terug.")
# Translators: a typed answer fits more than one button; the buttons that fit are below.
WHICH_ONE = N_("Welke bedoel je?")
# Translators: the resident said thanks or goodbye at the main menu.
THANKS_BACK = N_("Graag gedaan! Wil je nog iets anders vragen?")
