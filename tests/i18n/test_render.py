"""Rendering: one language per message (text and buttons), Babel's formats per locale, and
bidi isolates around left-to-right runs inside Arabic text."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from bot.engine.events import Button, Say
from bot.i18n import (
    FSI,
    PDI,
    Catalogs,
    Rendered,
    asks_for_language,
    format_day,
    format_moment,
    format_money,
    format_number,
    isolate_ltr,
    picker_buttons,
    picker_order,
    script_language,
)


def iso(text: str) -> str:
    return f"{FSI}{text}{PDI}"


# --- bidi ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("اتصل بـ 0800-0113 أو 112.", f"اتصل بـ {iso('0800-0113')} أو {iso('112')}."),
        ("المبلغ € 1.500 في الشهر", f"المبلغ {iso('€ 1.500')} في الشهر"),
        (
            "انظر toeslagen.nl/proefberekening أو 113.nl.",
            f"انظر {iso('toeslagen.nl/proefberekening')} أو {iso('113.nl')}.",
        ),
        ("سجّل الدخول بـ DigiD، ثم", f"سجّل الدخول بـ {iso('DigiD')}، ثم"),
        # Latin words with spaces between them are one run, else they come out reversed.
        (
            "اتصل بـ Veilig Thuis 0800-2000 (مجانًا)",
            f"اتصل بـ {iso('Veilig Thuis 0800-2000')} (مجانًا)",
        ),
        # Placeholders stay whole; line breaks are never inside a run.
        (
            "مرحبا {naam}: 112\n/menu: البداية",
            f"مرحبا {{naam}}: {iso('112')}\n{iso('/menu')}: البداية",
        ),
        # CLDR's Arabic amount: the right-to-left mark stays outside, the sign inside.
        ("\u200f1,500\xa0€ شهريًا", "\u200f" + iso("1,500\xa0€") + " شهريًا"),
        ("بدون أرقام", "بدون أرقام"),
    ],
)
def test_isolate_ltr(text: str, expected: str) -> None:
    assert isolate_ltr(text) == expected
    assert isolate_ltr(expected) == expected  # applying it twice changes nothing


CATALOG = Catalogs(
    {
        "ar": {
            ("crisis", "Bel 112 of 0800-0113. Je schuld: {bedrag}"): (
                "اتصل بـ 112 أو 0800-0113. دَينك: {bedrag}"
            ),
            ("q", "Heb je DigiD?"): "هل لديك DigiD؟",
            ("q", "Ja"): "نعم",
            ("q", "Nee"): "لا",
        },
        "ti": {
            ("q", "Heb je DigiD?"): "DigiD ኣለካ ድዩ?",
            ("q", "Ja"): "እወ",
            # "Nee" is missing in Tigrinya
            ("crisis", "Bel 112 of 0800-0113. Je schuld: {bedrag}"): (
                "112 ወይ 0800-0113 ደውል። ዕዳኻ፦ {bedrag}"
            ),
        },
        "en": {
            ("q", "Heb je DigiD?"): "Do you have DigiD?",
            ("q", "Ja"): "Yes",
            ("q", "Nee"): "No",
            ("menu", "Menu"): "Menu",  # the same as the Dutch, and still a translation
        },
    }
)
QUESTION = Say("Heb je DigiD?", "q", buttons=(Button("Ja", "q", "w:y"), Button("Nee", "q", "w:n")))


def test_arabic_message_has_isolated_numbers_and_local_number_format() -> None:
    say = Say("Bel 112 of 0800-0113. Je schuld: {bedrag}", "crisis", params={"bedrag": 12500})
    assert CATALOG.render(say, "ar") == Rendered(
        f"اتصل بـ {iso('112')} أو {iso('0800-0113')}. دَينك: {iso('12,500')}", (), "ar"
    )
    assert CATALOG.render(say, "nl").text == "Bel 112 of 0800-0113. Je schuld: 12.500"


def test_arabic_buttons_and_latin_names_are_isolated() -> None:
    assert CATALOG.render(QUESTION, "ar") == Rendered(
        f"هل لديك {iso('DigiD')}؟", (("نعم", "w:y"), ("لا", "w:n")), "ar"
    )


def test_tigrinya_gets_no_isolates() -> None:
    say = Say("Bel 112 of 0800-0113. Je schuld: {bedrag}", "crisis", params={"bedrag": 12500})
    assert CATALOG.render(say, "ti").text == "112 ወይ 0800-0113 ደውል። ዕዳኻ፦ 12,500"


def test_a_message_falls_back_whole_text_and_buttons_together() -> None:
    """The rule: a message is shown in the first language along the chain (ti -> en -> nl)
    that has its text AND every button label. Tigrinya lacks "Nee", so the whole question,
    text and buttons, comes in English; never a Tigrinya text with an English button."""
    assert CATALOG.render(QUESTION, "ti") == Rendered(
        "Do you have DigiD?", (("Yes", "w:y"), ("No", "w:n")), "en"
    )
    assert CATALOG.language_for(QUESTION, "ti") == "en"


def test_fallback_reaches_dutch_as_a_whole() -> None:
    menu = (Button("Menu", "menu", "/menu"),)
    say = Say("Bel 112 of 0800-0113. Je schuld: {bedrag}", "crisis", buttons=menu)
    # Arabic has the text but not the button, English the button but not the text: Dutch.
    assert CATALOG.render(say, "ar") == Rendered(
        "Bel 112 of 0800-0113. Je schuld: {bedrag}", (("Menu", "/menu"),), "nl"
    )


def test_a_translation_equal_to_the_dutch_counts_as_translated() -> None:
    assert CATALOG.lookup("en", "Menu", "menu") == "Menu"
    assert CATALOG.render(Say("Menu", "menu"), "en").language == "en"
    assert CATALOG.lookup("ar", "Menu", "menu") is None


def test_unknown_language_is_dutch() -> None:
    assert CATALOG.render(QUESTION, "fr").language == "nl"
    assert CATALOG.chain("ti") == ("ti", "en", "nl")
    assert CATALOG.chain("nl") == ("nl",)


# --- numbers, amounts, dates ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "whole", "cents", "number"),
    [
        ("nl", "€\xa01.500", "€\xa0932,93", "12.000,5"),
        ("ar", "\u200f1,500\xa0€", "\u200f932.93\xa0€", "12,000.5"),
        ("ti", "€1,500", "€932.93", "12,000.5"),
        ("en", "€1,500", "€932.93", "12,000.5"),
    ],
)
def test_money_and_numbers(lang: str, whole: str, cents: str, number: str) -> None:
    assert format_money(1500, lang) == whole
    assert format_money(Decimal("932.93"), lang) == cents
    assert format_money(932.93, lang) == cents
    assert format_number(12000.5, lang) == number


@pytest.mark.parametrize(
    ("lang", "day", "moment"),
    [
        ("nl", "21 november 2026", "maandag 23 november 09:00"),
        ("ar", "21 نوفمبر 2026", "الاثنين 23 نوفمبر 09:00"),
        ("ti", "ሕዳር 21, 2026", "ሰኑይ 23 ሕዳር 09:00"),
        ("en", "November 21, 2026", "Monday 23 November 09:00"),
    ],
)
def test_dates(lang: str, day: str, moment: str) -> None:
    assert format_day(date(2026, 11, 21), lang) == day
    assert format_moment(datetime(2026, 11, 23, 8, tzinfo=UTC), lang) == moment  # 09:00 here


def test_saved_date_answers_and_moments_are_filled_in_per_language() -> None:
    arabic = "في {dag}، ابتداءً من {wanneer}."
    catalogs = Catalogs({"ar": {("afspraak.dag", "Op {dag}, vanaf {wanneer}."): arabic}})
    say = Say(
        "Op {dag}, vanaf {wanneer}.",
        "afspraak.dag",
        params={"dag": "2026-11-21", "wanneer": datetime(2026, 11, 23, 8, tzinfo=UTC)},
    )
    assert (
        catalogs.render(say, "nl").text == "Op 21 november 2026, vanaf maandag 23 november 09:00."
    )
    assert catalogs.render(say, "ar").text == (
        f"في {iso('21')} نوفمبر {iso('2026')}، ابتداءً من الاثنين {iso('23')} نوفمبر {iso('09:00')}."
    )


# --- choosing a language ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "order"),
    [
        (None, ["nl", "ar", "ti", "en"]),
        ("nl", ["nl", "ar", "ti", "en"]),
        ("ar-SY", ["ar", "nl", "ti", "en"]),
        ("ti", ["ti", "nl", "ar", "en"]),
        ("am", ["ti", "nl", "ar", "en"]),  # Amharic readers read Ge'ez script
        ("en-GB", ["en", "nl", "ar", "ti"]),
        ("de", ["nl", "ar", "ti", "en"]),
    ],
)
def test_picker_order(code: str | None, order: list[str]) -> None:
    assert picker_order(code) == order


def test_picker_buttons_show_native_names() -> None:
    assert picker_buttons("ar") == (
        ("العربية", "lang:ar"),
        ("Nederlands", "lang:nl"),
        ("ትግርኛ", "lang:ti"),
        ("English", "lang:en"),
    )


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("مرحبا، عندي سؤال", "ar"),
        ("ሰላም፣ ሕቶ ኣሎኒ", "ti"),
        ("Hallo, ik heb een vraag", None),
        ("DigiD لا يعمل", "ar"),
        ("ok ي", None),
        ("112", None),
        ("", None),
    ],
)
def test_script_language(text: str, lang: str | None) -> None:
    assert script_language(text) == lang


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("/taal", True),
        ("/language@BuurtBot", True),
        ("Taal?", True),
        ("اللغة", True),
        ("ቋንቋ", True),
        ("ik spreek de taal niet", False),
        ("", False),
    ],
)
def test_asks_for_language(text: str, asks: bool) -> None:
    assert asks_for_language(text) is asks


def test_switch_offer_is_in_the_script_language_with_two_buttons() -> None:
    from bot.i18n import CONTEXT, SWITCH_OFFER

    catalogs = Catalogs({"ar": {(CONTEXT, SWITCH_OFFER): "هل تريد أن نكمل بالعربية؟"}})
    assert catalogs.switch_offer("ar", "nl") == Rendered(
        "هل تريد أن نكمل بالعربية؟", (("العربية", "lang:ar"), ("Nederlands", "lang:nl")), "ar"
    )


def test_a_rendering_in_another_language_keeps_its_dutch_source() -> None:
    """The case page shows it beside the bot's Arabic message (issue 18)."""
    say = Say("Bel 112 of 0800-0113. Je schuld: {bedrag}", "crisis", params={"bedrag": 12500})
    assert CATALOG.render(say, "ar").source == "Bel 112 of 0800-0113. Je schuld: 12.500"
    assert CATALOG.render(say, "nl").source is None  # Dutch needs no second copy
