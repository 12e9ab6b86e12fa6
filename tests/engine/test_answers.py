"""Typed answers as residents write them, per input kind: accepted, and refused with the
explanation they will read."""

import datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.engine import answers
from bot.engine.answers import InvalidAnswer, parse_answer
from bot.engine.model import INPUT_TYPES

TODAY = datetime.date(2026, 5, 20)

NUMBERS = [
    ("1500", 1500),
    ("0", 0),
    ("1.500", 1500),
    ("1.500,50", 1500.5),
    ("1500,50", 1500.5),
    ("1500,00", 1500),
    ("1.500.000", 1500000),
    ("1.500.000,25", 1500000.25),
    ("1,500.50", 1500.5),  # English, unambiguous because both marks are there
    ("12.5", 12.5),
    ("12.50", 12.5),
    ("1234.567", 1234.567),
    ("0.500", 0.5),
    ("12,5", 12.5),
    (",5", 0.5),
    ("€ 1.500,-", 1500),
    ("€1.500,-", 1500),
    ("€ 1500,=", 1500),
    ("1500,- euro", 1500),
    ("1500 euro", 1500),
    ("1500euro", 1500),
    ("ongeveer 2000", 2000),
    ("2.000 euro denk ik", 2000),
    ("Ik heb 350 euro schuld.", 350),
    ("ca. 2000", 2000),
    ("± 2000", 2000),
    ("1 500", 1500),
    ("12 500 000", 12500000),
    ("1 500,50", 1500.5),
    ("٢٠٠٠", 2000),
    ("٢٠٠٠ يورو", 2000),
    ("۱۵۰۰", 1500),
    ("١٬٥٠٠", 1500),  # Arabic thousands separator
    ("١٢٫٥", 12.5),  # Arabic decimal separator
    ("１５００", 1500),  # full-width
    ("2k", 2000),
    ("2,5k", 2500),
    ("2 duizend", 2000),
    ("1,5 miljoen", 1500000),
    ("٢ ألف", 2000),
    ("3 kinderen", 3),  # "k" only as a word of its own
    ("covid-19", 19),  # a hyphen after a word is no minus
    # ... nor after a single letter, or a letter after a space (mutations of the look back)
    ("A-250", 250),
    ("ik betaal-250", 250),
    ("kamer b-250", 250),
    ("Ik heb 1.500.", 1500),  # the full stop ends the sentence, not the number
    ("1000000000", 10**9),
    ("0500", 500),
]


@pytest.mark.parametrize(("text", "expected"), NUMBERS)
def test_number(text: str, expected: int | float) -> None:
    value = parse_answer("number", text, TODAY)
    assert value == expected
    assert type(value) is type(expected)


NOT_NUMBERS = [
    ("", answers.NOT_A_NUMBER),
    ("   ", answers.NOT_A_NUMBER),
    ("veel", answers.NOT_A_NUMBER),
    ("geen idee", answers.NOT_A_NUMBER),
    ("tussen 1000 en 2000", answers.ONE_NUMBER),
    ("1000-2000", answers.ONE_NUMBER),
    ("2 kinderen en 1500 euro", answers.ONE_NUMBER),
    ("21-11-2026", answers.ONE_NUMBER),
    ("1,500", answers.UNCLEAR_NUMBER),
    ("12,000 euro", answers.UNCLEAR_NUMBER),
    ("1.50.0", answers.NOT_A_NUMBER),
    ("1.5.2026", answers.NOT_A_NUMBER),
    ("1,5.000,5", answers.NOT_A_NUMBER),
    ("-500", answers.NEGATIVE_NUMBER),
    ("bedrag: -250", answers.NEGATIVE_NUMBER),  # a minus after a word and a colon
    ("- 500", answers.NEGATIVE_NUMBER),
    ("€ -500", answers.NEGATIVE_NUMBER),
    # A minus before the currency sign is still a minus (mutation: rstrip(" €$") -> rstrip()).
    ("-€250", answers.NEGATIVE_NUMBER),
    ("- € 250", answers.NEGATIVE_NUMBER),
    ("-$250", answers.NEGATIVE_NUMBER),
    ("-$ €250", answers.NEGATIVE_NUMBER),
    # Both marks, the last one twice: refused politely, never a decimal.InvalidOperation
    # (mutation: rfind -> find, which Hypothesis did not find).
    ("1.234,567.89", answers.NOT_A_NUMBER),
    ("1,234.567,89", answers.NOT_A_NUMBER),
    ("12.345,678.9", answers.NOT_A_NUMBER),
    ("−500", answers.NEGATIVE_NUMBER),
    ("1000000001", answers.TOO_BIG),
    ("2 miljard", answers.TOO_BIG),
    ("9" * 5000, answers.TOO_BIG),
]


@pytest.mark.parametrize(("text", "msgid"), NOT_NUMBERS)
def test_number_refused(text: str, msgid: str) -> None:
    with pytest.raises(InvalidAnswer) as caught:
        parse_answer("number", text, TODAY)
    assert caught.value.msgid == msgid


YES = [
    "ja", "Ja", "JA!", "ja.", "jaaaa", "j", "J", "y", "yes", "Yes!", "yeah", "yep", "jawel",
    "jazeker", "ja hoor", "Ja, hoor!", "ja zeker", "ja graag", "klopt", "Dat klopt.", "zeker",
    "zeker weten", "natuurlijk", "inderdaad", "oké", "ok", "prima", "ja, ik heb schulden",
    "klopt ja", "ik denk het wel", "of course", "sure",
    "👍", "👍🏽", "👍👍", "✅", "✔️",
    "نعم", "نَعَم", "ايوه", "أيوه", "أيوا", "إيه", "اه", "آه", "أكيد", "طبعا", "بلى", "aywa",
    "نعم، عندي ديون",
    "እወ", "እወ።", "ሕራይ", "አዎ",
]  # fmt: skip

NO = [
    "nee", "Nee", "NEE!", "neeee", "n", "N", "no", "nope", "neen", "nee hoor", "Nee, hoor.",
    "nee dank je", "nee bedankt", "natuurlijk niet", "zeker niet", "helemaal niet", "niet",
    "nooit", "klopt niet", "nee, ik heb geen schulden", "nee nooit", "ik denk het niet",
    "not really", "no thanks",
    "👎", "👎🏿", "❌",
    "لا", "لأ", "لاء", "كلا", "لا شكرا", "لا، ما عندي", "la",
    "ኣይፋል", "ኣይ", "አይ", "ኣይኮነን", "የለን", "አይደለም",
]  # fmt: skip


@pytest.mark.parametrize("text", YES)
def test_yes(text: str) -> None:
    assert parse_answer("yes_no", text, TODAY) is True


@pytest.mark.parametrize("text", NO)
def test_no(text: str) -> None:
    assert parse_answer("yes_no", text, TODAY) is False


NOT_YES_NO = [
    "", "misschien", "ja, misschien", "weet ik niet", "geen idee", "ja nee", "nee ja",
    "soms", "maybe", "I don't know", "hallo", "1500", "👋", "ربما", "لا اعرف", "لا أعرف",
    "نعم لا", "ምናልባት", "ja ... nee", "اي شي", "ja, natuurlijk niet", "yes, not now",
]  # fmt: skip


@pytest.mark.parametrize("text", NOT_YES_NO)
def test_yes_no_refused(text: str) -> None:
    with pytest.raises(InvalidAnswer) as caught:
        parse_answer("yes_no", text, TODAY)
    assert caught.value.msgid == answers.NOT_YES_NO
    assert caught.value.msgid == "Ik begrijp je antwoord niet. Antwoord met ja of nee."


DATES = [
    ("21-11-2026", "2026-11-21"),
    ("21/11/2026", "2026-11-21"),
    ("21.11.2026", "2026-11-21"),
    ("21 11 2026", "2026-11-21"),
    ("1-2-2027", "2027-02-01"),
    ("01-02-2027", "2027-02-01"),
    ("21-11-26", "2026-11-21"),
    ("3-5-85", "1985-05-03"),  # two digits far in the future mean the last century
    ("3-5-46", "2046-05-03"),
    ("21-11", "2026-11-21"),
    ("21/11", "2026-11-21"),
    ("2026-11-21", "2026-11-21"),
    ("2026/11/21", "2026-11-21"),
    ("21 november 2026", "2026-11-21"),
    ("21 November 2026", "2026-11-21"),
    ("21 nov", "2026-11-21"),
    ("21 nov.", "2026-11-21"),
    ("21-nov-2026", "2026-11-21"),
    ("1 mrt", "2026-03-01"),
    ("1 maart", "2026-03-01"),
    ("3 mei 2027", "2027-05-03"),
    ("3 oktober", "2026-10-03"),
    ("3 okt", "2026-10-03"),
    ("November 21, 2026", "2026-11-21"),
    ("nov 21", "2026-11-21"),
    ("21st of November", "2026-11-21"),
    ("1 march 2027", "2027-03-01"),
    ("op maandag 21 september", "2026-09-21"),
    ("de 21e", None),  # only a day: refused, see below
    ("29-02-2028", "2028-02-29"),
    ("vandaag", "2026-05-20"),
    ("Vandaag!", "2026-05-20"),
    ("morgen", "2026-05-21"),
    ("overmorgen", "2026-05-22"),
    ("gisteren", "2026-05-19"),
    ("today", "2026-05-20"),
    ("tomorrow", "2026-05-21"),
    ("yesterday", "2026-05-19"),
    ("اليوم", "2026-05-20"),
    ("بكرة", "2026-05-21"),
    ("غداً", "2026-05-21"),
    ("أمس", "2026-05-19"),
    ("ሎሚ", "2026-05-20"),
    ("ጽባሕ", "2026-05-21"),
    ("٢١-١١-٢٠٢٦", "2026-11-21"),
    ("٢١ نوفمبر ٢٠٢٦", "2026-11-21"),
    ("21 تشرين الثاني 2026", "2026-11-21"),
    ("5 آب", "2026-08-05"),
]


@pytest.mark.parametrize(("text", "expected"), [d for d in DATES if d[1]])
def test_date(text: str, expected: str) -> None:
    assert parse_answer("date", text, TODAY) == expected


NOT_DATES = [
    ("", answers.NOT_A_DATE),
    ("binnenkort", answers.NOT_A_DATE),
    ("de 21e", answers.NOT_A_DATE),
    ("21", answers.NOT_A_DATE),
    ("november", answers.NOT_A_DATE),
    ("november 2026", answers.NOT_A_DATE),
    ("21 november 2026 om 10 uur", answers.NOT_A_DATE),
    ("21-11-2026 10:00", answers.NOT_A_DATE),
    ("21 nov dec", answers.NOT_A_DATE),
    ("2026 11", answers.NOT_A_DATE),
    ("21-11-202", answers.NOT_A_DATE),
    ("21-11-1850", answers.NOT_A_DATE),
    ("123-11-2026", answers.NOT_A_DATE),
    ("morgen of overmorgen", answers.NOT_A_DATE),
    ("31-02-2026", answers.NO_SUCH_DATE),
    ("29-02-2027", answers.NO_SUCH_DATE),
    ("31 april", answers.NO_SUCH_DATE),
    ("0-1-2026", answers.NO_SUCH_DATE),
    ("21-13-2026", answers.NO_SUCH_DATE),
    ("2026-13-01", answers.NO_SUCH_DATE),
]


@pytest.mark.parametrize(("text", "msgid"), NOT_DATES)
def test_date_refused(text: str, msgid: str) -> None:
    with pytest.raises(InvalidAnswer) as caught:
        parse_answer("date", text, TODAY)
    assert caught.value.msgid == msgid


POSTCODES = [
    ("1234 AB", "1234AB"),
    ("1234AB", "1234AB"),
    ("1234ab", "1234AB"),
    ("1234-AB", "1234AB"),
    ("1234 - ab", "1234AB"),
    (" 3511 LX. ", "3511LX"),
    ("9999 ZZ", "9999ZZ"),
    ("١٢٣٤ AB", "1234AB"),
    ("１２３４ ＡＢ", "1234AB"),
]


@pytest.mark.parametrize(("text", "expected"), POSTCODES)
def test_postcode(text: str, expected: str) -> None:
    assert parse_answer("postcode", text, TODAY) == expected


NOT_POSTCODES = [
    "", "0123 AB", "123 AB", "12345 AB", "1234 A", "1234 ABC", "1234 SA", "1234 sd", "1234SS",
    "AB 1234", "1234 ÄB", "postcode 1234 AB", "1234 AB 1234 AC", "Utrecht",
]  # fmt: skip


@pytest.mark.parametrize("text", NOT_POSTCODES)
def test_postcode_refused(text: str) -> None:
    with pytest.raises(InvalidAnswer) as caught:
        parse_answer("postcode", text, TODAY)
    assert caught.value.msgid == answers.NOT_A_POSTCODE
    assert caught.value.msgid == "Een postcode is 4 cijfers en 2 letters, bijvoorbeeld 1234 AB."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ik woon in Utrecht", "Ik woon in Utrecht"),
        ("  met spaties  \n", "met spaties"),
        ("نعم", "نعم"),
        ("a\x00b", "ab"),
        ("x" * 5000, "x" * answers.MAX_TEXT),
        (" " * 10 + "y" * 5000, "y" * answers.MAX_TEXT),
    ],
)
def test_text(text: str, expected: str) -> None:
    assert parse_answer("text", text, TODAY) == expected


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "\x00"])
def test_text_refuses_empty(text: str) -> None:
    with pytest.raises(InvalidAnswer) as caught:
        parse_answer("text", text, TODAY)
    assert caught.value.msgid == answers.EMPTY


def test_unknown_kind_is_misuse() -> None:
    with pytest.raises(ValueError, match="unknown input kind 'colour'"):
        parse_answer("colour", "rood", TODAY)


SAMPLES = {
    "text": ("hallo", "hallo"),
    "number": ("5", 5),
    "yes_no": ("ja", True),
    "date": ("vandaag", "2026-05-20"),
    "postcode": ("1234 AB", "1234AB"),
}


def test_every_input_type_has_a_parser() -> None:
    assert set(SAMPLES) == set(INPUT_TYPES)
    for kind, (text, expected) in SAMPLES.items():
        assert parse_answer(kind, text, TODAY) == expected


def test_explanations_are_marked_for_translation() -> None:
    msgids = [v for k, v in vars(answers).items() if k.isupper() and isinstance(v, str)]
    assert len(msgids) >= 9
    source = Path(answers.__file__).read_text(encoding="utf-8")
    assert source.count("N_(") >= len(msgids)


@given(st.sampled_from(INPUT_TYPES), st.text(max_size=200))
def test_parse_answer_raises_only_invalid_answer(kind: str, text: str) -> None:
    try:
        value = parse_answer(kind, text, TODAY)
    except InvalidAnswer as exc:
        assert exc.msgid
    else:
        assert isinstance(value, str | int | float | bool)


_NUMBERISH = st.text(alphabet="0123456789.,- €k٠١٢٣٤٥٦٧٨٩٫٬", max_size=30)


@given(_NUMBERISH)
def test_numbers_raise_only_invalid_answer(text: str) -> None:
    try:
        value = parse_answer("number", text, TODAY)
    except InvalidAnswer:
        return
    assert 0 <= value <= answers.MAX_NUMBER


# Edges that mutation testing of answers.py found untested (docs/mutation.md).
@pytest.mark.parametrize(
    ("kind", "text", "expected"),
    [
        ("number", "1،5", 1.5),  # the Arabic comma is a decimal comma
        ("number", "ab -250", 250),  # a hyphen after a word is no minus sign
        ("number", "1,000,000", 1000000),
        ("number", "123.456", 123456),
        ("number", "123.456.789", 123456789),
        ("text", "a" * 4095 + " b", "a" * 4095),  # cut at the limit, then trailing space gone
        ("date", "1-1-1900", "1900-01-01"),
        ("date", "31-12-2100", "2100-12-31"),
        ("date", f"1-1-{(TODAY.year + 20) % 100:02d}", f"{TODAY.year + 20}-01-01"),
        ("date", f"1-1-{(TODAY.year + 21) % 100:02d}", f"{TODAY.year + 21 - 100}-01-01"),
    ],
)
def test_edges(kind: str, text: str, expected: object) -> None:
    assert parse_answer(kind, text, TODAY) == expected


@pytest.mark.parametrize(
    ("kind", "text", "msgid"),
    [
        ("number", "1234.567.890", answers.NOT_A_NUMBER),
        ("number", ",5.5", answers.NOT_A_NUMBER),
        ("date", "1-123-2026", answers.NOT_A_DATE),
        ("date", "1-1-1899", answers.NOT_A_DATE),
        ("date", "1-1-2101", answers.NOT_A_DATE),
    ],
)
def test_edges_refused(kind: str, text: str, msgid: str) -> None:
    with pytest.raises(InvalidAnswer) as caught:
        parse_answer(kind, text, TODAY)
    assert caught.value.msgid == msgid
    assert str(caught.value) == msgid


def test_an_unknown_kind_names_the_kinds_there_are() -> None:
    with pytest.raises(ValueError, match="expected one of text, number, yes_no, date, postcode"):
        parse_answer("colour", "rood", TODAY)
