"""Reading a typed answer (`input:` of an `ask` node) the way a resident writes it.

Residents type on a phone, in Dutch, Arabic, Tigrinya or English: "€ 1.500,-", "ongeveer
2000", "٢٠٠٠", "ja hoor", "ايوه", "እወ", "21 nov", "morgen", "1234ab". `parse_answer` turns
that into a value a switch can test, or raises `InvalidAnswer` with a short, kind Dutch
explanation (a msgid; translation happens elsewhere) that the runtime shows before asking
again. When an answer could mean two things, it is refused rather than guessed.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Callable
from decimal import Decimal

from bot.engine.fold import digits, fold
from bot.engine.texts import N_
from bot.engine.yes_no import read_yes_no
from bot.engine.yes_no import words as _words

MAX_TEXT = 4096
MAX_NUMBER = 10**9


EMPTY = N_("Ik zie geen antwoord. Typ je antwoord in een bericht.")
NOT_A_NUMBER = N_("Dat is geen getal. Typ alleen cijfers, bijvoorbeeld 250.")
ONE_NUMBER = N_("Ik zie meer dan één getal. Typ één getal, bijvoorbeeld 1500.")
UNCLEAR_NUMBER = N_(
    "Ik weet niet zeker welk getal je bedoelt. Typ het zonder punt of komma, bijvoorbeeld 12000."
)
NEGATIVE_NUMBER = N_("Typ een getal zonder min-teken, bijvoorbeeld 250.")
TOO_BIG = N_("Dat getal is te groot. Kijk het nog eens na, bijvoorbeeld 1500.")
NOT_YES_NO = N_("Ik begrijp je antwoord niet. Antwoord met ja of nee.")
NOT_A_DATE = N_("Dat is geen datum. Typ de dag, de maand en het jaar, bijvoorbeeld 21-11-2026.")
NO_SUCH_DATE = N_("Die datum bestaat niet. Kijk de dag en de maand nog eens na.")
NOT_A_POSTCODE = N_("Een postcode is 4 cijfers en 2 letters, bijvoorbeeld 1234 AB.")


class InvalidAnswer(Exception):
    """The answer does not fit the question. `msgid` explains why, for the resident."""

    def __init__(self, msgid: str) -> None:
        super().__init__(msgid)
        self.msgid = msgid


def parse_answer(kind: str, text: str, today: datetime.date) -> str | int | float | bool:
    """The value of `text` as an answer of type `kind` (one of `model.INPUT_TYPES`).

    `today` resolves "morgen" and dates without a year. Raises `InvalidAnswer` when the
    resident should try again, `ValueError` for a `kind` that does not exist.
    """
    parser = _PARSERS.get(kind)
    if parser is None:
        raise ValueError(f"unknown input kind {kind!r}; expected one of {', '.join(_PARSERS)}")
    # NUL cannot be stored in a PostgreSQL text column.
    text = text.replace("\x00", "").strip()[:MAX_TEXT].rstrip()
    return parser(text, today)


def _text(text: str, today: datetime.date) -> str:
    if not text:
        raise InvalidAnswer(EMPTY)
    return text


# --- number --------------------------------------------------------------------------------

# "1.500,-" and "1500,=" are whole euros.
_WHOLE_EUROS = re.compile(r"(?<=[0-9])[.,] ?[-‐‑–—=]+(?![0-9])")
# "1 500" and "12 500 000": groups of three digits after a space.
_SPACED_THOUSANDS = re.compile(r"(?<![0-9.,])[0-9]{1,3}(?: [0-9]{3})+(?![0-9])")
# A separator may start a number (",5") only after a space, a currency sign or the start.
_NUMBER_RUN = re.compile(r"(?:(?<![^\s€$(])[.,])?[0-9][0-9.,]*")
_MINUS = ("-", "−", "–")
_SCALES = {
    "k": 1000,
    "duizend": 1000,
    "thousand": 1000,
    "الف": 1000,
    "ألف": 1000,
    "miljoen": 10**6,
    "mln": 10**6,
    "million": 10**6,
    "مليون": 10**6,
    "miljard": 10**9,
    "billion": 10**9,
    "مليار": 10**9,
}
_SCALE = re.compile(r" ?(" + "|".join(_SCALES) + r")(?!\w)", re.IGNORECASE)


def _number(text: str, today: datetime.date) -> int | float:
    text = digits(unicodedata.normalize("NFKC", text))
    text = text.replace("٫", ",").replace("٬", ".").replace("،", ",")
    text = _WHOLE_EUROS.sub("", text)
    text = _SPACED_THOUSANDS.sub(lambda m: m.group().replace(" ", ""), text)
    runs = list(_NUMBER_RUN.finditer(text))
    if not runs:
        raise InvalidAnswer(NOT_A_NUMBER)
    if len(runs) > 1:
        raise InvalidAnswer(ONE_NUMBER)
    run = runs[0]
    before = text[: run.start()].rstrip(" €$")
    if before.endswith(_MINUS) and not before[:-1].rstrip()[-1:].isalnum():
        raise InvalidAnswer(NEGATIVE_NUMBER)
    value = _decimal(run.group().rstrip(".,"))
    if scale := _SCALE.match(text, run.end()):
        value *= _SCALES[scale.group(1).lower()]
    if value > MAX_NUMBER:
        raise InvalidAnswer(TOO_BIG)
    return int(value) if value == value.to_integral_value() else float(value)


def _decimal(run: str) -> Decimal:
    """Dutch first: '.' groups thousands and ',' is the decimal mark, but "12.5" (a single
    '.' not followed by exactly three digits) and "1,500.50" are read as written."""
    if run[0] in ".,":
        if not run[1:].isdigit():
            raise InvalidAnswer(NOT_A_NUMBER)
        return Decimal("0." + run[1:])
    dots, commas = run.count("."), run.count(",")
    if dots and commas:
        mark = "," if run.rfind(",") > run.rfind(".") else "."
        whole, fraction = run.rsplit(mark, 1)
        if mark in whole:
            raise InvalidAnswer(NOT_A_NUMBER)
        return Decimal(_ungroup(whole, "." if mark == "," else ",") + "." + fraction)
    if dots + commas == 0:
        return Decimal(run)
    mark = "." if dots else ","
    if dots + commas > 1:
        return Decimal(_ungroup(run, mark))
    whole, fraction = run.split(mark)
    if len(fraction) == 3 and len(whole) <= 3 and not whole.startswith("0"):
        if mark == ".":
            return Decimal(whole + fraction)
        raise InvalidAnswer(UNCLEAR_NUMBER)  # "1,500": 1.5 in Dutch, 1500 in English
    return Decimal(whole + "." + fraction)


def _ungroup(text: str, mark: str) -> str:
    first, *groups = text.split(mark)
    if not 1 <= len(first) <= 3 or any(len(g) != 3 for g in groups):
        raise InvalidAnswer(NOT_A_NUMBER)
    return first + "".join(groups)


def _yes_no(text: str, today: datetime.date) -> bool:
    answer = read_yes_no(text)
    if answer is None:
        raise InvalidAnswer(NOT_YES_NO)
    return answer


# --- date ----------------------------------------------------------------------------------

_MONTH_NAMES = (
    "januari jan january يناير كانون_الثاني جانفي",
    "februari feb february فبراير شباط فيفري",
    "maart mrt maa march mar مارس اذار",
    "april apr ابريل نيسان افريل",
    "mei may مايو ايار ماي",
    "juni jun june يونيو حزيران جوان",
    "juli jul july يوليو تموز جويلية يوليوز",
    "augustus aug august اغسطس اب اوت غشت",
    "september sep sept سبتمبر ايلول شتنبر",
    "oktober okt october oct اكتوبر تشرين_الاول",
    "november nov نوفمبر تشرين_الثاني نونبر",
    "december dec ديسمبر كانون_الاول دجنبر",
)
_MONTHS = {name: i for i, names in enumerate(_MONTH_NAMES, 1) for name in names.split()}
# Month names of two words, joined so that each is one word.
_TWO_WORD_MONTHS = {name.replace("_", " "): name for name in _MONTHS if "_" in name}
_RELATIVE = {
    "vandaag": 0,
    "today": 0,
    "morgen": 1,
    "tomorrow": 1,
    "overmorgen": 2,
    "gisteren": -1,
    "yesterday": -1,
    "eergisteren": -2,
    "اليوم": 0,
    "بكرة": 1,
    "بكره": 1,
    "بكرا": 1,
    "غدا": 1,
    "امس": -1,
    "البارحة": -1,
    "مبارح": -1,
    "امبارح": -1,
    "ሎሚ": 0,
    "ጽባሕ": 1,
    "ትማሊ": -1,
    "ዛሬ": 0,
    "ነገ": 1,
    "ትናንት": -1,
}
# Words around a date that say nothing about it: "op maandag 21 november", "on the 21st of".
_FILLER = _words(
    "op de den het is nog rond ongeveer on the of about around في يوم",
    "maandag dinsdag woensdag donderdag vrijdag zaterdag zondag",
    "monday tuesday wednesday thursday friday saturday sunday",
    "الاثنين الثلاثاء الاربعاء الخميس الجمعة السبت الاحد",
)
_ORDINAL = re.compile(r"([0-9]{1,2})(?:e|ste|de|st|nd|rd|th)")


def _date(text: str, today: datetime.date) -> str:
    folded = f" {digits(fold(text))} "
    for words, joined in _TWO_WORD_MONTHS.items():
        folded = folded.replace(f" {words} ", f" {joined} ")
    words = [w for w in folded.split() if w not in _FILLER]
    words = [m.group(1) if (m := _ORDINAL.fullmatch(w)) else w for w in words]
    if len(words) == 1 and words[0] in _RELATIVE:
        return (today + datetime.timedelta(days=_RELATIVE[words[0]])).isoformat()
    numbers = [w for w in words if w.isascii() and w.isdigit()]
    months = [_MONTHS[w] for w in words if w in _MONTHS]
    if len(numbers) + len(months) != len(words) or len(months) > 1:
        raise InvalidAnswer(NOT_A_DATE)
    shape = "".join("m" if w in _MONTHS else "n" for w in words)
    if shape == "nnn" and len(numbers[0]) == 4:
        year, month, day = numbers
    elif shape in ("nnn", "nn"):
        day, month, year = (*numbers, "")[:3]
    elif shape in ("nmn", "nm", "mnn", "mn"):
        day, year = (*numbers, "")[:2]
        month = str(months[0])
    else:
        raise InvalidAnswer(NOT_A_DATE)
    if len(day) > 2 or len(month) > 2 or len(year) not in (0, 2, 4):
        raise InvalidAnswer(NOT_A_DATE)
    return _make_date(int(year) if year else None, int(month), int(day), today)


def _make_date(year: int | None, month: int, day: int, today: datetime.date) -> str:
    if year is None:
        year = today.year
    elif year < 100:  # "21-11-26" is 2026, "3-5-85" is 1985
        year += 2000 if 2000 + year <= today.year + 20 else 1900
    if not 1900 <= year <= 2100:
        raise InvalidAnswer(NOT_A_DATE)
    try:
        return datetime.date(year, month, day).isoformat()
    except ValueError:
        raise InvalidAnswer(NO_SUCH_DATE) from None


# --- postcode ------------------------------------------------------------------------------

_POSTCODE = re.compile(r"([1-9][0-9]{3})[\s-]*([A-Z]{2})")
_UNUSED_LETTERS = ("SA", "SD", "SS")


def _postcode(text: str, today: datetime.date) -> str:
    text = digits(unicodedata.normalize("NFKC", text)).upper().strip(" .,;:!?")
    match = _POSTCODE.fullmatch(text)
    if not match or match.group(2) in _UNUSED_LETTERS:
        raise InvalidAnswer(NOT_A_POSTCODE)
    return match.group(1) + match.group(2)


_PARSERS: dict[str, Callable[[str, datetime.date], str | int | float | bool]] = {
    "text": _text,
    "number": _number,
    "yes_no": _yes_no,
    "date": _date,
    "postcode": _postcode,
}
