"""What `assess()` returns, and the fixed vocabularies of the phrase lists."""

from __future__ import annotations

from dataclasses import dataclass

LANGUAGES = ("nl", "ar", "ti", "en")
CATEGORIES = ("suicide", "violence", "no_bed", "eviction", "cutoff", "acute_debt")
# Phrase levels, most serious first. "none" is only ever the level of an assessment.
LEVELS = ("urgent", "high", "check")
NONE = "none"
RANK = {"urgent": 3, "high": 2, "check": 1, NONE: 0}


@dataclass(frozen=True)
class Match:
    """One phrase found in a message.

    `phrase` is the phrase as written in the list (for a combination, its parts joined by
    " + "); `start`/`end` are offsets into the ORIGINAL message text (Python string indices),
    spanning from the first to the last matched word; a clitic such as Arabic و- or ال- in front
    of the phrase is not included.
    """

    phrase: str
    category: str
    level: str
    language: str
    start: int
    end: int


@dataclass(frozen=True)
class Assessment:
    """The risk found in one message: `level` is the highest level among `matches`, "none"
    when there are none; `categories` are ordered by their most serious match, then position."""

    level: str
    categories: tuple[str, ...]
    matches: tuple[Match, ...]

    @property
    def escalates(self) -> bool:
        """True for "urgent" and "high": a person must see this message."""
        return RANK[self.level] >= RANK["high"]


NOTHING = Assessment(NONE, (), ())
