"""Yes and no as residents type them, in Dutch, Arabic, Tigrinya and English, and the doubt
that is neither ("ja, misschien", "لا اعرف"). Read by `answers.parse_answer` for `input: yes_no`.
"""

from __future__ import annotations

import re

from bot.engine.fold import fold


def words(*texts: str) -> frozenset[str]:
    return frozenset(word for text in texts for word in text.split())


# Folded answers. The _LEAD words may also start a longer answer ("ja, ik heb schulden").
_YES_LEAD = words(
    "ja jaa jawel jazeker yes yess yeah yep yup aywa aiwa aywah",
    "نعم ايوه ايوا ايوة اه ايه بلى",  # Arabic: "ايوه" and "اه" are spoken forms
    "እወ አዎ አዎን",  # Tigrinya, Amharic
)
_NO_LEAD = words(
    "nee neen neej neuh no noo nope nah",
    "لا لاا كلا",
    "ኣይፋል አይፋል ኣይ አይ",  # Tigrinya is written with ኣ, Amharic with አ; people mix them
)
_YES = _YES_LEAD | words(
    "j y ok oke okay okido oki klopt zeker natuurlijk tuurlijk absoluut inderdaad precies",
    "correct akkoord graag prima goed waar sure certainly absolutely indeed right true",
    "naam na3am اي واه طبعا اكيد صح صحيح تمام موافق اوكي ሕራይ እሺ",
    "👍 👌 ✅ ✔ ☑ 🆗",
)
_YES_PHRASES = frozenset(
    (
        "ja hoor",
        "ja zeker",
        "ja graag",
        "ja natuurlijk",
        "ja klopt",
        "ja dat klopt",
        "dat klopt",
        "klopt helemaal",
        "zeker weten",
        "is goed",
        "dat is zo",
        "dat is waar",
        "of course",
        "yes please",
        "thats right",
        "denk het wel",
        "ik denk het wel",
    )
)
_NO = _NO_LEAD | words(
    "n niet nooit welnee never false la laa la2 لاء ابدا",
    "ኣይኮነን ኣይኾነን አይኮነን አይኾነን የለን አይደለም የለም",
    "👎 ❌ ✖ ❎ 🚫 🙅",
)
_NO_PHRASES = frozenset(
    (
        "nee hoor",
        "nee joh",
        "nee dank je",
        "nee dank u",
        "nee bedankt",
        "helemaal niet",
        "zeker niet",
        "natuurlijk niet",
        "tuurlijk niet",
        "echt niet",
        "absoluut niet",
        "liever niet",
        "niet echt",
        "nog niet",
        "klopt niet",
        "dat klopt niet",
        "dat is niet zo",
        "niet waar",
        "no thanks",
        "no thank you",
        "not really",
        "not at all",
        "of course not",
        "certainly not",
        "absolutely not",
        "denk het niet",
        "ik denk het niet",
        "لا شكرا",
        "لا ابدا",
    )
)
# Doubt is not an answer: "ja, misschien" and "لا اعرف" (I don't know) are asked again.
_UNSURE = (
    "misschien",
    "soms",
    "weet niet",
    "weet ik niet",
    "weet het niet",
    "weet nog niet",
    "geen idee",
    "niet zeker",
    "twijfel",
    "maybe",
    "perhaps",
    "sometimes",
    "dont know",
    "not sure",
    "dunno",
    "ربما",
    "يمكن",
    "لا اعرف",
    "لا ادري",
    "ما بعرف",
    "مش عارف",
    "مدري",
    "ምናልባት",
    "ኣይፈልጥን",
    "አላውቅም",
)
_REPEATS = re.compile(r"(.)\1{2,}")


def read_yes_no(text: str) -> bool | None:
    """True for yes, False for no, None for neither (or for doubt: "ja, misschien")."""
    typed = [_squeeze(w) for w in fold(text).split()]
    folded = f" {' '.join(typed)} "
    if not typed or any(f" {phrase} " in folded for phrase in _UNSURE):
        return None
    answer = folded.strip()
    if answer in _YES_PHRASES:
        return True
    if answer in _NO_PHRASES:
        return False
    if all(w in _YES for w in typed):  # "klopt ja"
        return True
    if all(w in _NO for w in typed):  # "nee nooit"
        return False
    first, rest = typed[0], set(typed[1:])
    if first in _YES_LEAD and not rest & (_NO_LEAD | {"niet", "not"}):
        return True
    if first in _NO_LEAD and not rest & _YES_LEAD:
        return False
    return None


def _squeeze(word: str) -> str:
    """Drawn-out spellings to a known one: "jaaaa" -> "jaa", "👍👍👍" -> "👍"."""
    if len(set(word)) == 1 and not word[0].isalnum():
        return word[0]
    return _REPEATS.sub(r"\1\1", word)
