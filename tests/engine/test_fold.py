"""fold() and digits(): what a resident typed against a label, in every script we meet."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.engine.fold import digits, fold

FOLD = [
    # Latin: case, accents, punctuation, spaces
    ("Één", "een"),
    ("ÉÉN!", "een"),
    ("  Ik   heb\tachterstanden. ", "ik heb achterstanden"),
    ("Café", "cafe"),
    ("Straße", "strasse"),
    ("naïef", "naief"),
    ("zo'n", "zon"),
    ("zo’n", "zon"),
    ("e-mail", "e mail"),
    ("Ja, graag!", "ja graag"),
    ("(ja)", "ja"),
    ("ＪＡ", "ja"),  # full-width
    ("ĳs", "ijs"),  # the Dutch ij ligature
    ("a\u00a0b", "a b"),  # no-break space
    ("a\u200bb", "ab"),  # zero width space
    # Arabic: tashkeel, hamza/madda on alef, tatweel, punctuation, bidi marks, ligatures
    ("نَعَمْ", "نعم"),
    ("أيوا", "ايوا"),
    ("إيه", "ايه"),
    ("آه", "اه"),
    ("لأ", "لا"),
    ("نـعـم", "نعم"),
    ("نعم، شكراً", "نعم شكرا"),
    ("هل عندك ديون؟", "هل عندك ديون"),
    ("نعم؛ لا", "نعم لا"),
    ("\u200fنعم\u200f", "نعم"),
    ("\u2067نعم\u2069", "نعم"),
    ("ﻻ", "لا"),  # presentation form
    # Ge'ez: word space and punctuation
    ("እወ።", "እወ"),
    ("ሰላም፡ኣለኹ", "ሰላም ኣለኹ"),
    ("ሓደ፣ክልተ፤ሰለስተ፥ኣርባዕተ፦ሓሙሽተ፧", "ሓደ ክልተ ሰለስተ ኣርባዕተ ሓሙሽተ"),
    ("ኣይፋል!", "ኣይፋል"),
    # Emoji stay; their variation selector and skin tone go
    ("👍", "👍"),
    ("👍🏽", "👍"),
    ("✔️", "✔"),
    ("ja 👍!", "ja 👍"),
    # Symbols and digits stay
    ("€ 1.500,-", "€ 1 500"),
    ("٢٠٠٠", "٢٠٠٠"),
    ("", ""),
    ("?!...", ""),
]


@pytest.mark.parametrize(("text", "expected"), FOLD)
def test_fold(text: str, expected: str) -> None:
    assert fold(text) == expected


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Één", "een"),
        ("Ik heb achterstanden", "ik heb achterstanden!"),
        ("أَيْوَه", "ايوه"),
        ("نعم", "نَعَمْ"),
        ("እወ።", "እወ"),
    ],
)
def test_spellings_fold_together(a: str, b: str) -> None:
    assert fold(a) == fold(b)


DIGITS = [
    ("٢٠٠٠", "2000"),
    ("۱۲۳۴", "1234"),
    ("٠١٢٣٤٥٦٧٨٩", "0123456789"),
    ("۰۱۲۳۴۵۶۷۸۹", "0123456789"),
    ("١٥٠٠ يورو", "1500 يورو"),
    ("1234 AB", "1234 AB"),
    ("፩", "፩"),  # Ethiopic numerals are not positional: left alone
]


@pytest.mark.parametrize(("text", "expected"), DIGITS)
def test_digits(text: str, expected: str) -> None:
    assert digits(text) == expected


@given(st.text())
def test_fold_is_idempotent_and_tidy(text: str) -> None:
    folded = fold(text)
    assert fold(folded) == folded
    assert folded == folded.strip()
    assert "  " not in folded
