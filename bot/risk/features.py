"""What the risk model sees of a message: hashed words, word pairs and character n-grams of the
normalised text (`normalize.words`), the same at training and at run time.

Character n-grams make the model robust to typos, missing accents, clitics and
transliteration ("zelfmoordd", "3andi", "ገዛና"); word pairs keep some word order ("niet meer",
"ma 3andi"). Each word's consonant skeleton (`skeleton`), its 2- and 3-grams and skeleton pairs
let Arabic script and Arabizi, Ge'ez and Latin Tigrinya share what was learnt. The phrase
lists' hits are features too, so the model weighs a hit against its context ("ik denk NIET aan
zelfmoord"). Every feature is hashed into DIM buckets, so no
vocabulary is stored: the model file keeps only the buckets it has weights for.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from itertools import pairwise
from zlib import crc32

from bot.risk.assessment import Match
from bot.risk.skeleton import skeleton

DIM = 1 << 22
CHAR_SIZES = (2, 3, 4, 5)
SKELETON_SIZES = (2, 3)
_MASK = DIM - 1


def _bucket(feature: str) -> int:
    return crc32(feature.encode()) & _MASK


@lru_cache(maxsize=200_000)
def _word_features(word: str) -> tuple[int, ...]:
    """The word itself and its character n-grams, padded with a space at both ends so that
    the start and end of a word are features of their own. Cached: words repeat."""
    padded = f" {word} "
    grams = {_bucket("w:" + word)}
    for size in CHAR_SIZES:
        grams.update(_bucket(padded[i : i + size]) for i in range(len(padded) - size + 1))
    return tuple(grams)


@lru_cache(maxsize=200_000)
def _skeleton_features(word: str) -> tuple[int, ...]:
    """The word's consonant skeleton (`skeleton`: one spelling for Arabic script and Arabizi,
    Ge'ez and Latin Tigrinya) and its character 2- and 3-grams."""
    bare = skeleton(word)
    if len(bare) < 2:
        return ()
    padded = f" {bare} "
    grams = {_bucket("s:" + bare)}
    for size in SKELETON_SIZES:
        grams.update(_bucket("s" + padded[i : i + size]) for i in range(len(padded) - size + 1))
    return tuple(grams)


def features(words: list[str], hits: Iterable[str] = ()) -> set[int]:
    """The feature buckets of one text given as normalised words, and of the phrase list hits
    in it (`hit_names`): the model learns how far a hit counts in its context."""
    out: set[int] = {_bucket("p:" + hit) for hit in hits}
    for word in words:
        out.update(_word_features(word))
        out.update(_skeleton_features(word))
    out.update(_bucket(f"b:{a} {b}") for a, b in pairwise(words))
    bare = [skeleton(w) for w in words]
    out.update(_bucket(f"t:{a} {b}") for a, b in pairwise(bare) if a and b)
    return out


def hit_names(matches: Iterable[Match]) -> set[str]:
    """What the model sees of phrase matches: their category and level."""
    return {f"{m.category}:{m.level}" for m in matches if m.source == "phrase"}
