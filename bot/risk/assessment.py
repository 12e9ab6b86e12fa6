"""What `assess()` returns, and the fixed vocabularies of the phrase lists."""

from __future__ import annotations

from dataclasses import dataclass

LANGUAGES = ("nl", "ar", "ti", "en")
CATEGORIES = ("suicide", "violence", "no_bed", "eviction", "cutoff", "acute_debt", "no_food")
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

    `source` is "phrase" for a phrase list hit and "model" for the trained layer; a model match's
    `phrase` is the sentence it flagged (shortened) and `score` its probability. `harmless` is
    set on a phrase hit that the model overruled: its probability that the message is harmless.
    """

    phrase: str
    category: str
    level: str
    language: str
    start: int
    end: int
    source: str = "phrase"
    score: float | None = None
    harmless: float | None = None

    @property
    def explain(self) -> str:
        """Why this was raised, for the social worker: the phrase, or the sentence the model
        flagged with its category and score."""
        if self.source == "model":
            return f"«{self.phrase}» ({self.category} {self.score:.2f})"
        if self.harmless is not None:
            return f"{self.phrase} (harmless {self.harmless:.2f})"
        return self.phrase

    def words(self, text: str) -> str:
        """What the worker is shown of this match: the resident's own words that matched (not
        the list's phrase, whose `+` and `*` are internal), or the sentence the model flagged."""
        if self.source == "model":
            return f"«{self.phrase}»"
        return text[self.start : self.end] or self.phrase


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
