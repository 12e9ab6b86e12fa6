"""The flows' own words (`words:` of flows, nodes and answers, in every language of the
catalogs) as an index that finds them in a typed message despite typos, missing letters and
compounds: "toeslaagen", "huurtoesla", "zorgtoeslagaanvraag". Pure.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from bot.engine import FlowSet
from bot.engine.words import split
from bot.risk import normalize

Aliases = Callable[[str, str], Sequence[str]]
MIN_FUZZY = 5  # shorter words must be spelt right: "huis" is not "huid"
# A known word found at the start or end of a longer one (compounds, clitics) has at least this
# many letters; a Ge'ez letter is a syllable, an Arabic word is short.
MIN_INSIDE = {normalize.OTHER: 6, normalize.ARABIC: 4, normalize.GEEZ: 3}


def _min_inside(word: str) -> int:
    return MIN_INSIDE.get(normalize.script(word[0]), 6)


def deletions(word: str) -> set[str]:
    """`word` with one letter left out, every way."""
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


@dataclass
class Lexicon:
    """Normalised word or phrase -> the names it stands for ("flow:geld", "node:geld.beslag",
    "answer:2"). Single words are found with one typo; phrases as written (normalised)."""

    exact: dict[str, set[str]] = field(default_factory=dict)
    fuzzy: dict[str, set[str]] = field(default_factory=dict)  # a deletion -> words
    phrases: dict[str, set[str]] = field(default_factory=dict)  # compact phrase -> names
    prefixes: dict[str, set[str]] = field(default_factory=dict)  # a word begun -> names

    def add(self, written: str, name: str) -> None:
        words = normalize.words(written)
        if not words:
            return
        if len(words) > 1:
            self.phrases.setdefault("".join(words), set()).add(name)
            return
        word = words[0]
        self.exact.setdefault(word, set()).add(name)
        if len(word) >= MIN_FUZZY:
            for d in deletions(word):
                self.fuzzy.setdefault(d, set()).add(word)
        for k in range(_min_inside(word) + 1, len(word)):
            self.prefixes.setdefault(word[:k], set()).add(name)

    def find(self, text: str) -> set[str]:
        """The names whose words occur in `text`."""
        return set(self.count(text))

    def count(self, text: str) -> Counter[str]:
        """How many of `text`'s words (and phrases) stand for each name."""
        words = normalize.words(text)
        found: Counter[str] = Counter()
        for word in words:
            found.update(self._word(word))
        if self.phrases:
            glued = "".join(words)
            for phrase, names in self.phrases.items():
                if phrase in glued:
                    found.update(names)
        return found

    def _word(self, word: str) -> set[str]:
        names = self.exact.get(word)
        if names:
            return set(names)
        if len(word) < MIN_FUZZY:
            return set()
        found: set[str] = set()
        for near in self.fuzzy.get(word, ()):  # one letter too few
            found |= self.exact[near]
        for d in deletions(word):  # one letter too many, or one wrong
            found |= self.exact.get(d, set())
            for near in self.fuzzy.get(d, ()):
                found |= self.exact[near]
        if not found:
            found = self._inside(word)
        return found

    def _inside(self, word: str) -> set[str]:
        """A known word at the start or end of a compound ("zorgtoeslagaanvraag"), or the
        start of a known word typed unfinished ("huurtoesla")."""
        found: set[str] = set(self.prefixes.get(word, ()))
        n = len(word)
        for k in range(_min_inside(word), n):
            found |= self.exact.get(word[:k], set()) | self.exact.get(word[n - k :], set())
        return found


def flow_lexicon(flows: FlowSet, aliases: Aliases) -> Lexicon:
    """Where the words of the menu's flows and of their nodes lead. (An answer's words count
    only as an answer to its question: "nu" answers "Wanneer?", it is no topic.)"""
    lexicon = Lexicon()
    for flow in flows.menu():
        _add(lexicon, flow.words, flow.title_context, aliases, f"flow:{flow.id}")
        for node in flow.nodes.values():
            _add(lexicon, node.words, node.context, aliases, f"node:{flow.id}.{node.id}")
    return lexicon


def answer_lexicon(answers: Iterable[list[tuple[str, str]]], aliases: Aliases) -> Lexicon:
    """The words of one question's answers: per answer, in order, its (words, msgctxt) texts
    (a label counts with its longer words only); the names are "answer:<index>"."""
    lexicon = Lexicon()
    for i, texts in enumerate(answers):
        for text, context in texts:
            if "," in text or len(normalize.words(text)) == 1:
                _add(lexicon, text, context, aliases, f"answer:{i}")
            else:  # a label: its words that say something ("vrijwilliger", not "een")
                for written in (text, *aliases(text, context)):
                    for word in normalize.words(written):
                        if len(word) >= _min_inside(word):
                            lexicon.add(word, f"answer:{i}")
    return lexicon


def _add(lexicon: Lexicon, words: str | None, context: str, aliases: Aliases, name: str) -> None:
    if not words:
        return
    for text in (words, *aliases(words, context)):
        for word in split(text):
            lexicon.add(word, name)
