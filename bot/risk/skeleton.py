"""The consonant skeleton of a normalised word, the same for Arabic script and Arabizi, and for
Tigrinya in Ge'ez and in Latin letters: "نموت" and "nmout" are both "nmt", "ما عندي" and
"ma 3andi" both "m 3nd", "ብዛዕባ" and "bzaEba" both "bzb".

Residents write Arabic and Tigrinya in either script; the training data has fewer messages in
Latin letters, and these were the model's weakest (docs/risk.md, "Per way of writing"). The
skeleton lets what was learnt in one script count in the other. It is lossy on purpose: short
vowels are not written in Arabic script, and Arabizi and Latin Tigrinya spell vowels freely, so
every vowel (and the half-vowels w, y, and the glottal stop) is dropped; Arabic letters map to
the digits and digraphs Arabizi uses for them (ع 3, ح 7, خ kh, ش sh/ch).

Pure and cached per word; used by `features` only.
"""

from __future__ import annotations

from functools import lru_cache

# Arabic letters (after normalize: hamza seats, alef forms and teh marbuta already folded).
_ARABIC = {
    "ب": "b",
    "ت": "t",
    "ث": "t",
    "ج": "j",
    "ح": "7",
    "خ": "5",
    "د": "d",
    "ذ": "d",
    "ر": "r",
    "ز": "z",
    "س": "s",
    "ش": "x",
    "ص": "s",
    "ض": "d",
    "ط": "t",
    "ظ": "d",
    "ع": "3",
    "غ": "8",
    "ف": "f",
    "ق": "q",
    "ك": "k",
    "ل": "l",
    "م": "m",
    "ن": "n",
    "ه": "h",
    "پ": "p",
    "چ": "x",
    "ڤ": "v",
    "گ": "g",
}
# Ge'ez consonant rows (8 syllables each from U+1200), by the row's first syllable. Rows not
# listed (አ, ዐ, ወ, የ and their kin) are vowels or half-vowels and dropped.
_GEEZ_ROWS = {
    "ሀ": "h",
    "ለ": "l",
    "ሐ": "h",
    "መ": "m",
    "ሠ": "s",
    "ረ": "r",
    "ሰ": "s",
    "ሸ": "x",
    "ቀ": "q",
    "ቈ": "q",
    "ቐ": "q",
    "ቘ": "q",
    "በ": "b",
    "ቨ": "v",
    "ተ": "t",
    "ቸ": "x",
    "ኀ": "h",
    "ኈ": "h",
    "ነ": "n",
    "ኘ": "n",
    "ከ": "k",
    "ኰ": "k",
    "ኸ": "h",
    "ዀ": "h",
    "ዘ": "z",
    "ዠ": "z",
    "ደ": "d",
    "ዸ": "d",
    "ጀ": "j",
    "ገ": "g",
    "ጐ": "g",
    "ጘ": "g",
    "ጠ": "t",
    "ጨ": "x",
    "ጰ": "p",
    "ጸ": "s",
    "ፀ": "s",
    "ፈ": "f",
    "ፐ": "p",
}
_GEEZ = {chr(ord(row) + k): letter for row, letter in _GEEZ_ROWS.items() for k in range(8)}
# Latin digraphs that stand for one Arabic or Tigrinya consonant, before vowels are dropped.
_DIGRAPHS = (
    ("sh", "x"),
    ("ch", "x"),
    ("kh", "5"),
    ("gh", "8"),
    ("th", "t"),
    ("dh", "d"),
    ("ts", "s"),
)
_DROPPED = frozenset("aeiouwy2")


@lru_cache(maxsize=200_000)
def skeleton(word: str) -> str:
    """The skeleton of one normalised word ("" when nothing is left)."""
    out: list[str] = []
    latin: list[str] = []
    for ch in word:
        if ch.isascii() and ch.isalnum():
            latin.append(ch)
            continue
        if latin:  # a change of script inside a word
            out.append(_latin("".join(latin)))
            latin = []
        out.append(_ARABIC.get(ch) or _GEEZ.get(ch, ""))
    if latin:
        out.append(_latin("".join(latin)))
    return "".join(out)


def _latin(part: str) -> str:
    for digraph, letter in _DIGRAPHS:
        part = part.replace(digraph, letter)
    return "".join(c for c in part if c not in _DROPPED)
