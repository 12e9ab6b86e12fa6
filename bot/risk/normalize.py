"""Text normalisation for risk matching. Phrases and messages go through the same function, so a
phrase matches whatever spelling normalises to the same letters.

Per character (computed once per code point and cached):
- NFKD and casefold; combining marks dropped. That is NFKC + casefold + accent stripping: "ë" ->
  "e", fullwidth and presentation forms -> plain letters, Arabic tashkeel (U+064B-U+0652),
  superscript alef (U+0670) and hamza marks go; so أ إ آ -> ا, ؤ -> و, ئ -> ي.
- Arabic: tatweel dropped; ٱ -> ا, ى ی -> ي, ة ە ھ -> ه, ک -> ك. Every decimal digit
  (Arabic-Indic ones too) -> ASCII.
- Ge'ez: the homophone pairs ሠ/ሰ and ፀ/ጸ are merged; the pharyngeals ሐ/ዐ are NOT merged into
  ሀ/አ (they are different sounds in Tigrinya). Ge'ez punctuation (፡ ። ፣ ፤ ፥ ፦ ፧ ፨) separates.
- Apostrophes, format characters (zero-width joiners, bidi controls, soft hyphen) and emoji
  modifiers are dropped; an emoji or other symbol becomes a word of its own; everything else
  that is not a letter or digit (punctuation, spaces, NUL) separates words.

Over the whole text:
- runs of one repeated letter are squeezed to one ("dooood" -> "dod", "zelfmoordd" ->
  "zelfmord"); the phrase "zelfmoord" squeezes to the same "zelfmord".
- a number of two or more digits becomes "#", so "30 pillen" in a list matches "50 pillen".
- sentence ends (. ! ? ؟ ። ፧ before white space) are remembered: a match never reaches
  across one ("de brug is dicht. ik spring even binnen" is not a jump from a bridge).

The matcher works on the *compact* text: the words glued together, plus where each word starts
and ends. Matching on it makes "zelf moord", "zelf-moord" and "zelfmoord" the same, and
"kill my self" the same as "killmyself"; requiring matches to start and end at word boundaries
keeps "sla" out of "opslaan".
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from itertools import accumulate

# Characters that sit inside words: "can't" == "cant", "zo'n" == "zon".
_APOSTROPHES = frozenset("'`\u00b4\u2018\u2019\u201b\u02bc\u2032\u02b9")

_ARABIC = {
    "\u0671": "\u0627",  # ٱ alef wasla
    "\u0672": "\u0627",
    "\u0673": "\u0627",
    "\u0675": "\u0627",
    "\u0649": "\u064a",  # ى alef maqsura
    "\u06cc": "\u064a",  # ی Farsi yeh
    "\u06d2": "\u064a",
    "\u0629": "\u0647",  # ة teh marbuta
    "\u06d5": "\u0647",
    "\u06be": "\u0647",
    "\u06c1": "\u0647",
    "\u06c3": "\u0647",
    "\u06a9": "\u0643",  # ک keheh
    "\u06aa": "\u0643",
}

_LATIN = {"ø": "o", "ł": "l", "đ": "d", "ħ": "h", "ı": "i", "æ": "ae", "œ": "oe", "þ": "th"}


def _ethiopic_homophones() -> dict[str, str]:
    table = {chr(0x1220 + k): chr(0x1230 + k) for k in range(8)}  # ሠ series -> ሰ series
    table.update({chr(0x1340 + k): chr(0x1338 + k) for k in range(7)})  # ፀ series -> ጸ series
    return table


_SINGLE = {**_ARABIC, **_LATIN, **_ethiopic_homophones()}

_CACHE_LIMIT = 100_000


def _map_char(ch: str) -> str:
    """What one code point becomes: "" (dropped), " " (separator), or letters/digits/symbol."""
    if ch in _APOSTROPHES:
        return ""
    out: list[str] = []
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", ch).casefold())
    for c in decomposed:
        c = _SINGLE.get(c, c)
        if len(c) > 1:
            out.append(c)
            continue
        if c in _APOSTROPHES:
            continue
        cat = unicodedata.category(c)
        if cat in ("Mn", "Me", "Cf", "Sk", "Lm"):
            continue  # marks, zero-width and bidi controls, emoji modifiers, tatweel
        if cat == "Nd":
            out.append(str(unicodedata.decimal(c)))
        elif cat[0] == "L" or cat in ("Mc", "Nl", "No"):
            out.append(c)
        elif cat == "So":
            out.append(f" {c} ")
        else:
            out.append(" ")
    return "".join(out)


class _Table(dict):
    """Code point -> replacement, for `str.translate`; filled on first sight of a code point."""

    def __missing__(self, code: int) -> str:
        value = _map_char(chr(code))
        if len(self) < _CACHE_LIMIT:  # bounded: random text must not grow it without end
            self[code] = value
        return value


_TABLE = _Table()
# ASCII text (most Dutch and English) takes CPython's fast one-to-one translate path.
_ASCII = {code: (_map_char(chr(code)) or None) for code in range(128)}
assert all(v is None or len(v) == 1 for v in _ASCII.values())
_ASCII_DROPPED = frozenset(chr(code) for code, v in _ASCII.items() if v is None)  # ' ` ^

_SQUEEZE = re.compile(r"([^\W\d_])\1+")
_DOUBLE = re.compile(r"(.)\1")
_RUN = re.compile(r"([^\W\d_])\1*|.", re.DOTALL)  # one per character of a squeezed word
_TOKEN = re.compile(r"\S+")
NUMBER = "#"

# A sentence ends at . ! ? ؟ ። ፧ before white space. Not at an ellipsis ("ik wil... dood" goes
# on with the same thought), not inside "a.u.b" or "30.5", and not at a bare line break: on a
# phone people press enter in the middle of a thought ("ik wil / dood").
SENTENCE = "\x1e"  # record separator: never in the mapped text otherwise (control -> space)
_ENDS = "!?\u061f\u1362\u1367"
_BREAK = re.compile(rf"[.{_ENDS}](?=\s)")  # one character for one: positions stay
_ELLIPSIS = ".." + SENTENCE
_TABLE[ord(SENTENCE)] = SENTENCE
_ASCII[ord(SENTENCE)] = SENTENCE


OTHER, ARABIC, GEEZ = 0, 1, 2


def script(ch: str) -> int:
    """ARABIC, GEEZ or OTHER (Latin, digits and the rest) for one character."""
    code = ord(ch)
    if 0x0600 <= code <= 0x08FF or 0xFB50 <= code <= 0xFEFF:
        return ARABIC
    if 0x1200 <= code <= 0x139F or 0x2D80 <= code <= 0x2DDF or 0xAB00 <= code <= 0xAB2F:
        return GEEZ
    return OTHER


_WORDS: dict[str, str] = {}  # mapped word -> final word; words repeat across messages


def _word(word: str) -> str:
    """Squeeze repeated letters and turn a number of 2+ digits into NUMBER, in one word.
    Cached: residents use the same few thousand words again and again."""
    if word.isascii() and word.isdigit() and len(word) > 1:
        out = NUMBER
    elif _DOUBLE.search(word):
        out = _SQUEEZE.sub(r"\1", word)
    else:
        out = word
    if len(_WORDS) < _CACHE_LIMIT:
        _WORDS[word] = out
    return out


def _marked(text: str) -> str:
    """`text` with each sentence end replaced by SENTENCE (same length)."""
    text = _BREAK.sub(SENTENCE, text)
    return text.replace(_ELLIPSIS, "...") if _ELLIPSIS in text else text


def _mapped(text: str) -> str:
    """`text` with sentence ends marked and every character mapped."""
    text = _marked(text)
    return text.translate(_ASCII if text.isascii() else _TABLE)


def split(text: str) -> tuple[list[str], list[int]]:
    """The normalised words of `text`, and the indexes of the words that start a new sentence
    (after the first)."""
    mapped = _mapped(text)
    get = _WORDS.get
    if SENTENCE not in mapped:
        return [get(w) or _word(w) for w in mapped.split()], []
    out: list[str] = []
    breaks: list[int] = []
    for sentence in mapped.split(SENTENCE):
        found = sentence.split()
        if found and out:
            breaks.append(len(out))
        out.extend(get(w) or _word(w) for w in found)
    return out, breaks


def words(text: str) -> list[str]:
    """The normalised words of `text`."""
    get = _WORDS.get
    return [get(w) or _word(w) for w in _mapped(text).split()]


def normalize(text: str) -> str:
    """The normalised words of `text`, joined by single spaces (for people and tests)."""
    return " ".join(words(text))


def compact(text: str) -> str:
    """The normalised words glued together: what phrases are matched against."""
    return "".join(words(text))


class Offsets:
    """Maps positions in `compact(text)` back to positions in `text`.

    Built only for messages that matched something: the cost is one pass over the text in C
    (translate per character, cumulative lengths) and a bisection per position asked.
    """

    __slots__ = ("_cum", "_starts", "_tokens", "_word_ends", "_words")

    def __init__(self, text: str) -> None:
        text = _marked(text)
        if text.isascii() and _ASCII_DROPPED.isdisjoint(text):
            mapped = text.translate(_ASCII)  # one character for one: positions stay
            self._cum: list[int] | None = None
        else:
            pieces = list(map(_TABLE.__getitem__, map(ord, text)))
            self._cum = list(accumulate(map(len, pieces)))  # end of each char's output
            mapped = "".join(pieces)
        found = [(m.start(), m.group()) for m in _TOKEN.finditer(mapped)]
        self._starts = [start for start, _ in found]
        self._tokens = [token for _, token in found]
        self._words = [_WORDS.get(t) or _word(t) for t in self._tokens]
        self._word_ends = list(accumulate(map(len, self._words)))

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The span of `text` that compact[start:end] came from."""
        first, _ = self._mapped_span(start)
        _, last = self._mapped_span(end - 1)
        if self._cum is None:
            return first, last
        return bisect_right(self._cum, first), bisect_right(self._cum, last - 1) + 1

    def _mapped_span(self, pos: int) -> tuple[int, int]:
        k = bisect_right(self._word_ends, pos)
        offset = pos - (self._word_ends[k - 1] if k else 0)
        token, word = self._tokens[k], self._words[k]
        if token == word:
            a, b = offset, offset + 1
        elif word == NUMBER:
            a, b = 0, len(token)
        else:  # squeezed: walk the runs of the token
            a = b = 0
            for i, m in enumerate(_RUN.finditer(token)):
                if i == offset:
                    a, b = m.start(), m.end()
                    break
        return self._starts[k] + a, self._starts[k] + b
