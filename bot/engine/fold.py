"""Normalisation for matching what a resident typed against a text we expect.

`fold()` makes two spellings of the same word equal: "Één!" and "een", "نَعَمْ" and "نعم",
"ሰላም።" and "ሰላም". It is for comparing, never for showing: the result loses accents,
case and punctuation on purpose. Both sides of a comparison must be folded.
"""

from __future__ import annotations

import unicodedata

_TATWEEL = "\u0640"

# Apostrophes join a word ("zo'n" -> "zon"); every other punctuation mark separates words,
# as the Ge'ez word space "፡" does.
_APOSTROPHES = frozenset("'\u2018\u2019\u02bc\u0060\u00b4\u2032")

# Skin tones are a choice of looks, not of meaning: 👍🏽 is 👍.
_SKIN_TONES = frozenset(chr(c) for c in range(0x1F3FB, 0x1F400))

_DIGITS = str.maketrans(
    {
        **{chr(0x0660 + i): str(i) for i in range(10)},  # Arabic-Indic ٠-٩
        **{chr(0x06F0 + i): str(i) for i in range(10)},  # Extended Arabic-Indic ۰-۹
    }
)


def fold(text: str) -> str:
    """Case-, accent- and punctuation-free form of `text`, with single spaces.

    NFKC and casefold, then combining marks removed (accents, Arabic tashkeel, hamza and
    madda on alef, emoji variation selectors), tatweel, format characters (bidi marks, zero
    width joiners) and skin tones removed, punctuation turned into spaces. Emoji, symbols
    and digits stay.
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    out: list[str] = []
    for ch in unicodedata.normalize("NFKD", text):
        if ch in _APOSTROPHES or ch == _TATWEEL or ch in _SKIN_TONES:
            continue
        category = unicodedata.category(ch)
        if category in ("Mn", "Me", "Cf"):
            continue
        out.append(" " if category[0] == "P" else ch)
    return " ".join(unicodedata.normalize("NFC", "".join(out)).split())


def digits(text: str) -> str:
    """`text` with Arabic-Indic and Extended Arabic-Indic digits replaced by ASCII digits."""
    return text.translate(_DIGITS)
