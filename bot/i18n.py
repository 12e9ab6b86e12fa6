"""Catalogs and rendering: engine events become text in the resident's language.

Dutch is the source language (the msgids). Catalogs are read from `locales/<lang>/LC_MESSAGES/
messages.po` at start-up, so an edited PO file needs no separate compile step to take effect;
fuzzy and empty entries count as missing. A message missing in the resident's language falls
back along a chain (ti -> en -> nl) as a whole, text and buttons together, so one message is
never half one language.

Arabic is written right to left: phone numbers, amounts, URLs and Latin names inside an Arabic
message are wrapped in bidi isolates (FSI ... PDI) so that `0800-0113` never comes out reversed.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal

from bot.engine.events import Msg, Say
from bot.engine.fold import fold
from bot.engine.texts import N_
from bot.understanding import intents

logger = logging.getLogger(__name__)

SOURCE = "nl"
ZONE = "Europe/Amsterdam"  # times shown to residents and workers
LANGUAGES = ("nl", "ar", "ti", "en")
NATIVE_NAMES = {"nl": "Nederlands", "ar": "العربية", "ti": "ትግርኛ", "en": "English"}
RTL = frozenset({"ar"})
FALLBACK = {"ti": ("en", "nl"), "ar": ("en", "nl"), "en": ("nl",), "nl": ()}

CONTEXT = "i18n"
"""msgctxt of the texts in this module (the switch offer and the web chat page)."""

LANG_PAYLOAD = "lang:"
"""Button payload prefix of the language picker: `lang:ar` chooses Arabic."""

Messages = Mapping[tuple[str | None, str], str]
"""One language's translations: (msgctxt, msgid) -> msgstr."""

_PARAM = re.compile(r"\{([a-z_][a-z0-9_]*(?:\.[a-z0-9_]+)?)\}")  # lokaal.name too
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
FSI, PDI = "\u2068", "\u2069"


@dataclass(frozen=True)
class Rendered:
    """One message ready for a channel: text and buttons as (label, payload)."""

    text: str
    buttons: tuple[tuple[str, str], ...] = ()
    language: str = SOURCE
    # The Dutch source of `text` when it is in another language, so a worker who does not
    # read Arabic or Tigrinya knows what the bot said (the case page shows it). Not part of
    # equality: two renderings that send the same are the same message.
    source: str | None = field(default=None, compare=False)


class Catalogs:
    """Translations per language, loaded once."""

    def __init__(self, messages: Mapping[str, Messages]) -> None:
        self._messages = {lang: dict(found) for lang, found in messages.items()}

    @classmethod
    def load(cls, locales_dir: Path | str) -> Catalogs:
        found: dict[str, Messages] = {}
        for lang in LANGUAGES:
            po = Path(locales_dir) / lang / "LC_MESSAGES" / "messages.po"
            if lang != SOURCE and po.exists():
                found[lang] = read_messages(po)
        return cls(found)

    @classmethod
    def empty(cls) -> Catalogs:
        return cls({})

    def lookup(self, lang: str, msgid: str, context: str | None) -> str | None:
        """The translation of `msgid` in `lang`, or None when that language lacks it.
        A translation may equal its msgid ("Menu" in English): it still counts."""
        if lang == SOURCE:
            return msgid
        return self._messages.get(lang, {}).get((context or None, msgid))

    def chain(self, lang: str) -> Sequence[str]:
        lang = lang if lang in LANGUAGES else SOURCE
        return tuple(dict.fromkeys((lang, *FALLBACK.get(lang, ()), SOURCE)))

    def translate(self, lang: str, msgid: str, context: str | None) -> tuple[str, str]:
        """(text, language it is in): the first language along the chain that has it."""
        for candidate in self.chain(lang):
            text = self.lookup(candidate, msgid, context)
            if text:
                return text, candidate
        return msgid, SOURCE

    def aliases(self, msgid: str, context: str) -> list[str]:
        """Every translation of a text, so a label typed in any language is understood."""
        found = (self.lookup(lang, msgid, context) for lang in LANGUAGES)
        return [text for text in found if text]

    def render(self, say: Say, lang: str) -> Rendered:
        """`say` in the first language along `lang`'s chain that has its text and every
        button label, so that text and buttons are always one language."""
        used = self.language_for(say, lang)
        text = self.lookup(used, say.msgid, say.context) or say.msgid
        params = {
            k: (self.lookup(used, v.msgid, v.context) or v.msgid) if isinstance(v, Msg) else v
            for k, v in say.params.items()
        }
        text = _fill(text, params, used)
        buttons = tuple(
            (self.lookup(used, b.msgid, b.context) or b.msgid, b.payload) for b in say.buttons
        )
        if used in RTL:
            text = isolate_ltr(text)
            buttons = tuple((isolate_ltr(label), payload) for label, payload in buttons)
        source = None
        if used != SOURCE:
            dutch = {k: v.msgid if isinstance(v, Msg) else v for k, v in say.params.items()}
            source = _fill(say.msgid, dutch, SOURCE)
        return Rendered(text, buttons, used, source)

    def language_for(self, say: Say, lang: str) -> str:
        """The language `say` is shown in for a resident who reads `lang`."""
        for candidate in self.chain(lang):
            texts = [(say.msgid, say.context), *((b.msgid, b.context) for b in say.buttons)]
            if all(self.lookup(candidate, msgid, context) for msgid, context in texts):
                if candidate != lang:
                    logger.debug(
                        "%r (%s) in %s for %s", say.msgid[:40], say.context, candidate, lang
                    )
                return candidate
        return SOURCE

    def switch_offer(self, detected: str, current: str) -> Rendered:
        """The offer to go on in `detected` (the script the resident writes in), in that
        language, with a button for it and one to keep `current`."""
        offer = self.render(Say(SWITCH_OFFER, CONTEXT), detected)
        codes = dict.fromkeys((detected, current))
        buttons = tuple((NATIVE_NAMES[code], f"{LANG_PAYLOAD}{code}") for code in codes)
        return Rendered(offer.text, buttons, offer.language)


def read_messages(path: Path | str) -> dict[tuple[str | None, str], str]:
    """The usable translations of one PO file: not fuzzy, not empty, not obsolete."""
    with Path(path).open("rb") as f:
        catalog = read_po(f)
    found: dict[tuple[str | None, str], str] = {}
    for message in catalog:
        if not message.id or message.fuzzy or isinstance(message.id, tuple):
            continue  # the header, unfinished work, and plurals (the flows have none)
        if isinstance(message.string, str) and message.string:
            found[(message.context or None, message.id)] = message.string
    return found


# --- numbers, amounts and dates ----------------------------------------------------------------


def format_number(value: float | Decimal, lang: str) -> str:
    """`12000.5` -> `12.000,5` (nl), `12,000.5` (en, ar, ti)."""
    return format_decimal(value, locale=_locale(lang))


def format_money(amount: float | Decimal, lang: str) -> str:
    """An amount in euro as the resident's language writes it: `€ 1.500` and `€ 932,93` in
    Dutch, `€1,500` in English. Whole amounts without cents. In Arabic CLDR puts the sign
    after the number (`1,500 €`); `render` isolates it as one left-to-right unit."""
    locale = _locale(lang)
    if Decimal(str(amount)) == Decimal(str(amount)).to_integral_value():
        pattern = locale.currency_formats["standard"].pattern.replace(".00", "")
        return format_currency(amount, "EUR", format=pattern, locale=locale, currency_digits=False)
    return format_currency(amount, "EUR", locale=locale)


def format_day(value: date, lang: str) -> str:
    """`2026-11-21` -> `21 november 2026` (nl), `21 نوفمبر 2026` (ar), `ሕዳር 21, 2026` (ti)."""
    return format_date(value, "long", locale=_locale(lang))


def format_moment(value: datetime, lang: str) -> str:
    """A moment in Amsterdam time: `maandag 23 november 09:00`."""
    return format_datetime(value, "EEEE d MMMM HH:mm", tzinfo=ZoneInfo(ZONE), locale=_locale(lang))


def _locale(lang: str) -> Locale:
    return Locale.parse(lang if lang in LANGUAGES else SOURCE)


def _fill(text: str, params: Mapping[str, object], lang: str) -> str:
    """Put saved answers into `{name}` places; unknown names stay as they are. Numbers and
    dates (also a saved date answer, `2026-11-21`) are written the way `lang` writes them."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in params:
            return match.group(0)
        v = params[name]
        if isinstance(v, bool) or v is None:
            return match.group(0)
        if isinstance(v, datetime):
            return format_moment(v, lang)
        if isinstance(v, date):
            return format_day(v, lang)
        if isinstance(v, int | float | Decimal):
            return format_number(v, lang)
        if isinstance(v, str) and _ISO_DATE.match(v):
            try:
                return format_day(date.fromisoformat(v), lang)
            except ValueError:
                return v
        return str(v)

    return _PARAM.sub(value, text)


# --- right to left -------------------------------------------------------------------------------

_LATIN = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f"
# A word of Latin letters or digits, with the signs of phone numbers, amounts, URLs and
# commands inside it; it never ends in a full stop, comma or colon of the sentence.
_WORD = rf"(?:[{_LATIN}0-9@#/+$€][{_LATIN}0-9@#/+$€%&=?~_.,:\-]*[{_LATIN}0-9/€%]|[{_LATIN}0-9€])"
# Words joined by spaces form one run ("Veilig Thuis 0800-2000", "€ 1.500"): two isolates
# with a space between would be shown in reverse order in a right-to-left line.
_LTR = re.compile(
    rf"(?P<keep>{FSI}[^{PDI}]*{PDI}|\{{[a-z_][a-z0-9_]*\}})"
    rf"|(?P<run>{_WORD}(?:[ \u00a0\u202f]{_WORD})*)"
)


def isolate_ltr(text: str) -> str:
    """Wrap Latin words, numbers, phone numbers, amounts and URLs in bidi isolates (FSI ...
    PDI) so that an Arabic message shows `0800-0113` the right way round. `{placeholders}`,
    runs already isolated and line breaks stay as they are, so it is safe to apply twice."""

    def wrap(match: re.Match[str]) -> str:
        return match.group(0) if match.group("keep") else f"{FSI}{match.group('run')}{PDI}"

    return _LTR.sub(wrap, text)


# --- choosing a language ---------------------------------------------------------------------

# Commands (`/taal`, `/language`) and the word for "language" typed on its own: content in
# flows/intents/*.yaml (`choose_language:`).
LANGUAGE_WORDS = frozenset(fold(w) for w in intents.default().phrases("choose_language"))
"""Folded (`bot.engine.fold`) messages that ask for the language picker; match with
`asks_for_language`."""

# Translators: shown in Arabic or Tigrinya when a resident writes in
# that script while another language is set. Below it are two buttons
# with the names of the two languages. Name your language, e.g.
# "in Arabic".
SWITCH_OFFER = N_("Wil je verder praten in deze taal? Druk dan op de knop met de naam van je taal.")

# Texts of the web chat page (bot/channels/webchat/static/chat.html and chat.js).
WEB_TEXTS = {
    # Translators: web chat page, always visible above the conversation.
    "notice": N_(
        "Je praat met een computerprogramma, niet met een mens. Een mens spreken? Typ /mens."
    ),
    # Translators: web chat page, grey text in the empty message box.
    "placeholder": N_("Typ je bericht"),
    # Translators: web chat page, name of the message box for screen readers.
    "message": N_("Bericht"),
    # Translators: web chat page, name of the send button for screen readers.
    "send": N_("Verstuur"),
    # Translators: web chat page, shown when a message could not be sent.
    "error": N_("Versturen lukt nu niet. Probeer het zo opnieuw."),
    # Translators: web chat page, while the page tries again by itself to send a message.
    "retrying": N_("Versturen lukt nu even niet. Ik probeer het vanzelf opnieuw."),
    # Translators: web chat page, above the conversation while a social worker answers;
    # {name} is the worker's first name. Replaces the notice that this is a computer program.
    "person": N_("Je praat nu met {name} van het buurtteam. {name} is een mens."),
    # Translators: web chat page, beside each message of a social worker, after the name:
    # "Sanne · buurtteam". "buurtteam" is the neighbourhood's social team.
    "team": N_("buurtteam"),
    # Translators: web chat page, a line above a message the resident has not seen yet, and
    # the button that scrolls down to it.
    "new": N_("Nieuw bericht"),
    # Translators: web chat page, the browser tab's title and notification when a social worker
    # answered while the resident was elsewhere; {name} is the worker's first name.
    "answered": N_("{name} van het buurtteam heeft geantwoord"),
    # Translators: web chat page, when a resident sends very many messages in a short time.
    "too_fast": N_(
        "Je stuurt veel berichten snel achter elkaar. Wacht even en stuur het dan opnieuw."
    ),
}


def supported(lang: str | None, default: str = SOURCE) -> str:
    """Our language for a code such as Telegram's `language_code` (`ar-SY` -> `ar`)."""
    if not lang:
        return default
    base = lang.replace("_", "-").split("-", 1)[0].casefold()
    return base if base in LANGUAGES else default


# Languages whose readers most likely read one of ours better than Dutch: Amharic, Tigre and
# Blin are written in Ge'ez script too (Eritrea, Ethiopia).
_NEAREST = {"am": "ti", "tig": "ti", "byn": "ti"}


def picker_order(language_code: str | None) -> list[str]:
    """The languages of the picker, the one Telegram's `language_code` suggests first, then
    the others in the usual order (nl, ar, ti, en)."""
    base = (language_code or "").replace("_", "-").split("-", 1)[0].casefold()
    first = _NEAREST.get(base) or supported(base, default="")
    return [first] + [c for c in LANGUAGES if c != first] if first else list(LANGUAGES)


def picker_buttons(language_code: str | None) -> tuple[tuple[str, str], ...]:
    """Buttons (native name, `lang:xx`) of the language picker, ordered by `picker_order`."""
    return tuple((NATIVE_NAMES[c], f"{LANG_PAYLOAD}{c}") for c in picker_order(language_code))


def asks_for_language(text: str | None) -> bool:
    """Whether a message asks for the picker: `/taal`, `/language` (also `/taal@Buurtbot`),
    or the word for "language" in one of our languages, typed on its own."""
    if not text:
        return False
    return fold(text.split("@", 1)[0]) in LANGUAGE_WORDS


_SCRIPTS = (
    ("ar", ((0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF), (0xFB50, 0xFEFF))),
    ("ti", ((0x1200, 0x139F), (0x2D80, 0x2DDF), (0xAB00, 0xAB2F))),
)


def script_language(text: str | None) -> str | None:
    """`ar` for a message written mostly in Arabic script, `ti` for Ge'ez script, else None.
    At least two letters of that script, and more than of any other script."""
    counts = {"ar": 0, "ti": 0, "other": 0}
    for ch in text or "":
        if not ch.isalpha():
            continue
        code = ord(ch)
        script = next(
            (lang for lang, ranges in _SCRIPTS if any(lo <= code <= hi for lo, hi in ranges)),
            "other",
        )
        counts[script] += 1
    best = max(counts, key=lambda k: counts[k])
    if best == "other" or counts[best] < 2:
        return None
    others = [n for k, n in counts.items() if k != best]
    return best if counts[best] > max(others) else None


def written_in(text: str | None) -> str | None:
    """`ar` when any character of `text` is in the Arabic block, else `ti` for any in the
    Ethiopic block, else None. Looser than `script_language` (one character decides, punctuation
    and digits too): the first reply to a resident who chose no language yet has always been
    guessed this way, and `script_language` would answer some mixed messages in another
    language."""
    text = text or ""
    if any("\u0600" <= ch <= "\u06ff" for ch in text):
        return "ar"
    if any("\u1200" <= ch <= "\u137f" for ch in text):
        return "ti"
    return None


def web_texts(catalogs: Catalogs, lang: str) -> dict[str, str]:
    """The web chat page's own texts in `lang` (see `WEB_TEXTS`)."""
    return {key: catalogs.translate(lang, msgid, CONTEXT)[0] for key, msgid in WEB_TEXTS.items()}
