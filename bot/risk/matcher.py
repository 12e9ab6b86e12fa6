"""Multi-language phrase matching over normalised text.

Every phrase of every language is one Aho-Corasick automaton over the *compact* text (see
`normalize`), so the cost per message depends on the length of the message and on the number
of hits, not on the number of phrases. A hit counts only when it starts and ends at a word
boundary, or (Arabic and Ge'ez) behind a known clitic such as و- ب- ال- or ን-, or when the
phrase is open there (`*`). Guards (`not:`) cancel the hits they overlap. A combination
(`all:`) needs one non-overlapping hit of every part, in any order, with at most `within` words
between them when given.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from itertools import accumulate, pairwise, product

import ahocorasick

from bot.risk import normalize
from bot.risk.assessment import NOTHING, RANK, Assessment, Match


@dataclass(frozen=True)
class Pattern:
    """One phrase as the automaton sees it."""

    text: str  # compact normalised form
    open_start: bool = False  # written with a leading `*`: may start inside a word
    open_end: bool = False  # written with a trailing `*`: may end inside a word


@dataclass(frozen=True)
class Rule:
    """One entry of a phrase list: a phrase (one part) or a combination (several parts).
    Each part is a tuple of alternatives: (phrase as written, index into the patterns)."""

    language: str
    category: str
    level: str
    parts: tuple[tuple[tuple[str, int], ...], ...]
    within: int | None  # combinations: at most this many words between the parts; None: any
    guards: tuple[int, ...]  # pattern indexes of `not:` phrases
    origin: str  # "file:line:col" of the entry, for people reading logs


def _variants(*groups: tuple[str, ...]) -> frozenset[str]:
    out = {normalize.compact("".join(parts)) for parts in product(*groups)}
    out.discard("")
    return frozenset(out)


# Arabic proclitics: conjunction, preposition or future particle, article (و ف / ب ل ك س ع / ال).
ARABIC_PREFIXES = _variants(("", "و", "ف"), ("", "ب", "ل", "ك", "س", "ع"), ("", "ال"))
# Arabic enclitics: object/possessive pronouns, colloquial negation -ش, plural -وا.
ARABIC_SUFFIXES = _variants(
    ("ي", "ني", "ك", "كي", "كم", "كن", "ه", "ها", "هم", "هن", "نا", "ش", "وا"),
)
# Tigrinya: ን- (to), ብ- (by), ክ- (that/to), ካብ (from), ኣብ (in), ከም (like); -ን (and),
# -ውን (also), -ዶ (question), -ስ (topic). Draft: needs native review.
GEEZ_PREFIXES = _variants(("ን", "ብ", "ክ", "ካብ", "ኣብ", "ከም"))
# Possessives after a vowel-final word: -ይ (my), -ና (our), -ኻ -ኺ -ኹም (your), -ኡ -ኣ -ኦም (his,
# her, their); after a consonant they fuse with it (መድሃኒት -> መድሃኒተይ): use `*` for those.
GEEZ_SUFFIXES = _variants(
    ("ን", "ውን", "ዶ", "ስ", "ይ", "ና", "ኻ", "ኺ", "ኹም", "ኹን", "ኡ", "ኣ", "ኦም"),
)
PREFIXES = ARABIC_PREFIXES | GEEZ_PREFIXES
SUFFIXES = ARABIC_SUFFIXES | GEEZ_SUFFIXES
# A phrase shorter than this is never found inside a longer word, clitic or not ("سم" in
# "بسم"). A Ge'ez letter is a whole syllable, so two of them (ገዛ in ገዛና) are enough.
CLITIC_MIN_LENGTH = 3
GEEZ_CLITIC_MIN_LENGTH = 2


class _Text:
    """One message in compact form, with its word boundaries (built only when needed)."""

    __slots__ = ("bounds", "breaks", "compact", "ends")

    def __init__(self, words: list[str], breaks: list[int]) -> None:
        self.compact = "".join(words)
        self.ends = list(accumulate(map(len, words)))
        self.bounds = {0, *self.ends}
        self.breaks = [self.ends[i - 1] for i in breaks]  # where sentences start

    def crosses(self, start: int, end: int) -> bool:
        """Does compact[start:end] reach over the end of a sentence?"""
        return bisect_right(self.breaks, start) < bisect_left(self.breaks, end)

    def word(self, pos: int) -> int:
        """Index of the word holding compact position `pos`."""
        return bisect_right(self.ends, pos)

    def _script_change(self, pos: int) -> bool:
        # A change of script inside a word ("الdeurwaarder") is a word boundary too.
        return normalize.script(self.compact[pos - 1]) != normalize.script(self.compact[pos])

    def _clitic_ok(self, pos: int, length: int) -> bool:
        if length >= CLITIC_MIN_LENGTH:
            return True
        geez = normalize.script(self.compact[pos]) == normalize.GEEZ
        return geez and length >= GEEZ_CLITIC_MIN_LENGTH

    def start_ok(self, pos: int, length: int) -> bool:
        """May a phrase of `length` start at `pos`: a boundary, or behind a clitic."""
        if pos in self.bounds or self._script_change(pos):
            return True
        if not self._clitic_ok(pos, length):
            return False
        i = self.word(pos)
        word_start = self.ends[i - 1] if i else 0
        return self.compact[word_start:pos] in PREFIXES

    def end_ok(self, pos: int, length: int) -> bool:
        """May a phrase of `length` end at `pos`: a boundary, or before a clitic."""
        if pos in self.bounds or self._script_change(pos):
            return True
        if not self._clitic_ok(pos - 1, length):
            return False
        return self.compact[pos : self.ends[self.word(pos - 1)]] in SUFFIXES


Span = tuple[int, int]


class RiskModel:
    """Every phrase list, compiled. Built once by `load()`; immutable, so one model can serve
    all threads (the automaton is only read after it is built)."""

    __slots__ = (
        "_automaton",
        "_guard_sets",
        "_part_sets",
        "_patterns",
        "_relevant",
        "_rules",
        "_rules_by_pattern",
    )

    def __init__(self, patterns: tuple[Pattern, ...], rules: tuple[Rule, ...]) -> None:
        by_text: dict[str, list[int]] = {}
        for index, pattern in enumerate(patterns):
            by_text.setdefault(pattern.text, []).append(index)
        automaton = ahocorasick.Automaton(ahocorasick.STORE_ANY, ahocorasick.KEY_STRING)
        for text, indexes in by_text.items():
            automaton.add_word(text, tuple(indexes))
        if by_text:
            automaton.make_automaton()
        # A rule is looked at only when its least common part (the one whose shortest phrase
        # is longest: "vermoorden" rather than "me") has a raw hit.
        by_pattern: dict[int, list[int]] = {}
        for r, rule in enumerate(rules):
            trigger = max(rule.parts, key=lambda part: min(len(patterns[i].text) for _, i in part))
            for _, index in trigger:
                if r not in by_pattern.setdefault(index, []):
                    by_pattern[index].append(r)
        set_ = object.__setattr__
        set_(self, "_automaton", automaton if by_text else None)
        set_(self, "_patterns", patterns)
        set_(self, "_rules", rules)
        set_(self, "_rules_by_pattern", {k: tuple(v) for k, v in by_pattern.items()})
        part_sets = tuple(
            tuple(frozenset(index for _, index in part) for part in rule.parts) for rule in rules
        )
        set_(self, "_part_sets", part_sets)
        guard_sets = tuple(frozenset(rule.guards) for rule in rules)
        set_(self, "_guard_sets", guard_sets)
        set_(
            self,
            "_relevant",
            tuple(g.union(*p) for g, p in zip(guard_sets, part_sets, strict=True)),
        )

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("RiskModel is immutable")

    @property
    def rules(self) -> tuple[Rule, ...]:
        return self._rules

    @property
    def phrase_count(self) -> int:
        """Phrases in the model: every alternative of every part counts once."""
        return sum(len(part) for rule in self._rules for part in rule.parts)

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(sorted({rule.language for rule in self._rules}))

    def _found(
        self, words: list[str], breaks: list[int]
    ) -> tuple[dict[int, list[Span]], list[int], _Text | None]:
        """Hits of the patterns that can matter, and the rules worth evaluating.

        Raw hits are cheap; checking word boundaries is not. Generic parts of combinations
        ("me", "nu", "كل") hit in most messages, so a rule is considered only when its least
        generic part has a raw hit, and boundaries are checked only for patterns of rules
        whose every part has at least a raw hit.
        """
        raw = list(self._automaton.iter("".join(words)))
        if not raw:
            return {}, [], None
        hit = set().union(*[indexes for _, indexes in raw])
        by_pattern, part_sets = self._rules_by_pattern, self._part_sets
        candidates = {r for index in hit if index in by_pattern for r in by_pattern[index]}
        rules = sorted(
            r for r in candidates if all(not part.isdisjoint(hit) for part in part_sets[r])
        )
        if not rules:
            return {}, [], None
        text = _Text(words, breaks)
        needed: set[int] = set()
        for r in rules:
            needed.update(self._relevant[r].intersection(hit))
        ends: dict[int, list[int]] = {}
        for last, indexes in raw:
            for index in indexes:
                if index in needed:
                    ends.setdefault(index, []).append(last)
        found: dict[int, list[Span]] = {}
        bounds, start_ok, end_ok, crosses = text.bounds, text.start_ok, text.end_ok, text.crosses
        for index, lasts in ends.items():
            pattern = self._patterns[index]
            length = len(pattern.text)
            open_start, open_end = pattern.open_start, pattern.open_end
            spans = []
            for last in lasts:
                start, end = last + 1 - length, last + 1
                if (
                    (open_start or start in bounds or start_ok(start, length))
                    and (open_end or end in bounds or end_ok(end, length))
                    and not (breaks and crosses(start, end))
                ):
                    spans.append((start, end))
            if spans:
                found[index] = spans
        return found, rules, text


def assess(model: RiskModel, text: str) -> Assessment:
    """The risk in one message, against every language's lists at once."""
    words, breaks = normalize.split(text)
    if not words or model._automaton is None:
        return NOTHING
    found, rules, message = model._found(words, breaks)
    if not found or message is None:
        return NOTHING
    hits: list[tuple[int, int, Rule, str]] = []
    for r in rules:
        rule = model._rules[r]
        found_here = _apply(rule, model._guard_sets[r], found, message)
        hits.extend((s, e, rule, phrase) for (s, e), phrase in found_here)
    if not hits:
        return NOTHING
    offsets = normalize.Offsets(text)
    matches: dict[tuple[int, int, int], Match] = {}
    for s, e, rule, phrase in hits:
        start, end = offsets.span(s, e)
        key = (id(rule), start, end)
        if key not in matches:
            matches[key] = Match(phrase, rule.category, rule.level, rule.language, start, end)
    ordered = sorted(matches.values(), key=lambda m: (m.start, -RANK[m.level], m.end))
    best: dict[str, tuple[int, int]] = {}
    for m in ordered:
        rank = (-RANK[m.level], m.start)
        if m.category not in best or rank < best[m.category]:
            best[m.category] = rank
    level = max((m.level for m in ordered), key=RANK.__getitem__)
    categories = tuple(sorted(best, key=best.__getitem__))
    return Assessment(level, categories, tuple(ordered))


Hit = tuple[int, int, int, int, str]  # compact start, end, first and last word, phrase
_NEAREST = 3  # occurrences of each other part tried on each side of an anchor


def _apply(
    rule: Rule, guard_set: frozenset[int], found: dict[int, list[Span]], message: _Text
) -> list[tuple[Span, str]]:
    """Where `rule` matches: (compact span, phrase as written) pairs."""
    guards = [span for index in guard_set.intersection(found) for span in found[index]]
    parts: list[list[Hit]] = []
    for part in rule.parts:
        hits = sorted(
            (s, e, message.word(s), message.word(e - 1), phrase)
            for phrase, index in part
            for s, e in found.get(index, ())
            if not guards or not _guarded(s, e, guards)
        )
        if not hits:
            return []
        parts.append(hits)
    if len(parts) == 1:
        return [((s, e), phrase) for s, e, _, _, phrase in parts[0]]
    best = _best_combination(rule, parts, message)
    return [best] if best else []


def _best_combination(
    rule: Rule, parts: list[list[Hit]], message: _Text
) -> tuple[Span, str] | None:
    """The combination of one hit per part with the fewest words between them.

    Every hit of the part with the fewest hits is tried as an anchor, against the nearest
    hits of each other part on either side of it; a farther hit can only have more words
    between, or lie across a sentence end. No cap on the number of hits, so a long message
    full of a generic part ("me", "كل") still finds the one that counts.
    """
    anchor = min(range(len(parts)), key=lambda i: len(parts[i]))
    starts = [[hit[0] for hit in hits] for hits in parts]
    best: tuple[int, Span, str] | None = None
    for pivot in parts[anchor]:
        options = []
        for i, hits in enumerate(parts):
            if i == anchor:
                options.append([pivot])
                continue
            at = bisect_left(starts[i], pivot[0])
            options.append(hits[max(0, at - _NEAREST) : at + _NEAREST])
        for combo in product(*options):
            ordered = sorted(combo)
            between = 0
            for a, b in pairwise(ordered):
                if a[1] > b[0]:  # parts must be different words of the message
                    break
                between += max(0, b[2] - a[3] - 1)
            else:
                if rule.within is not None and between > rule.within:
                    continue
                if message.breaks and message.crosses(ordered[0][0], ordered[-1][1]):
                    continue  # every part in the same sentence
                if best is None or between < best[0]:
                    phrase = " + ".join(hit[4] for hit in combo)
                    best = (between, (ordered[0][0], ordered[-1][1]), phrase)
                    if between == 0:
                        return best[1], best[2]
    return (best[1], best[2]) if best else None


def _guarded(start: int, end: int, guards: list[Span]) -> bool:
    """True when a guard overlaps compact[start:end]."""
    return any(g_start < end and start < g_end for g_start, g_end in guards)
