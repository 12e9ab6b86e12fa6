"""Choosing the detector's thresholds on left-out scores.

Every message of a left-out batch is scored once by every layer (`Scored`); trying a set of
thresholds is then only `decide` again, so the whole grid is cheap. Of the thresholds whose
false escalation of the hard harmless messages (negations, quotes, games) stays <= FE_LIMIT and
whose notice of passive ideation stays >= NOTICE_FLOOR, the chosen ones have the best recall,
then the fewest alarms on everyday traffic (the `ordinary` batches: greetings, "nog een vraag",
questions about allowances), then the best notice. A question about suicide in reply to "ik
begrijp het niet" is a false alarm residents do notice; recall still comes first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import product

from bot.risk import normalize
from bot.risk.assessment import NONE, Assessment
from bot.risk.classifier import Classifier, Scores
from bot.risk.detector import _scored, decide, needs_deep, sentences, suspect
from bot.risk.embedcache import Embeddings
from bot.risk.evaluation import Labelled, LanguageScore, tally
from bot.risk.features import hit_names
from bot.risk.matcher import RiskModel, assess

GRID = {
    "high": (0.45, 0.5, 0.55, 0.6, 0.65, 0.7),
    "piece": (0.7, 0.8, 0.9),
    "check": (0.5, 0.6, 0.7, 0.8),  # lower asks everyday messages the question
    "veto": (0.5, 0.7, 0.9),
    "sure": (0.9, 0.95, 0.98),  # a deep-read sentence this sure escapes the veto
    "urgent": (0.5,),
    "deep": (0.3,),  # the cascade: a cost, not a quality knob (bench/risk_bench.py)
}
FE_LIMIT = 0.05  # issue 13's target for false escalation
NOTICE_FLOOR = 0.90  # issue 13's target for passive ideation that gets at least the question


@dataclass
class Scored:
    """One left-out message with what every layer said of it, to try thresholds on."""

    message: Labelled
    found: Assessment
    quick: Scores
    deep: Scores
    pieces: list[tuple[int, int, Scores]]
    deep_pieces: list[tuple[int, int, Scores]]  # the suspect sentence read by the deep head

    def judged(self, t: dict[str, float]) -> Assessment:
        if needs_deep(self.found, self.quick, self.pieces, t):
            return decide(self.message.text, self.found, self.deep, self.deep_pieces, t)
        return decide(self.message.text, self.found, self.quick, self.pieces, t)


def score_batch(
    classifier: Classifier, phrases: RiskModel, messages: list[Labelled], embeddings: Embeddings
) -> list[Scored]:
    out = []
    for m in messages:
        words = normalize.words(m.text)
        found = assess(phrases, m.text)
        hits = hit_names(found.matches)
        quick = classifier.scores(words, hits)
        deep = classifier.rescore(words, hits, embeddings(m.text), quick)
        pieces = _scored(classifier, m.text, sentences(m.text), found)
        deep_pieces = list(pieces)
        if pieces:
            i = suspect(pieces)
            start, end, q = pieces[i]
            piece = m.text[start:end]
            hits = hit_names(x for x in found.matches if start <= x.start < end)
            embedded = embeddings(piece)
            deep_pieces[i] = (
                start,
                end,
                classifier.rescore(normalize.words(piece), hits, embedded, q),
            )
        out.append(Scored(m, found, quick, deep, pieces, deep_pieces))
    return out


def overall(scores: dict[str, LanguageScore]) -> LanguageScore:
    total = LanguageScore("all")
    for s in scores.values():
        for f in (
            "escalate",
            "escalate_found",
            "category_found",
            "urgent",
            "urgent_found",
            "harmless",
            "false_escalations",
            "false_checks",
            "check",
            "check_found",
        ):
            setattr(total, f, getattr(total, f) + getattr(s, f))
    return total


def everyday_alarms(scored: Iterable[Scored], t: dict[str, float]) -> tuple[int, int]:
    """How many everyday messages got any level, of how many."""
    results = [x.judged(t).level for x in scored]
    return sum(level != NONE for level in results), len(results)


def tune(scored: list[Scored], everyday: list[Scored]) -> dict[str, float]:
    """The thresholds the module docstring describes."""
    best, best_key = None, None
    for values in product(*GRID.values()):
        t = dict(zip(GRID, values, strict=True))
        s = overall(tally((x.message, x.judged(t)) for x in scored))
        if s.false_escalation_rate > FE_LIMIT or s.notice < NOTICE_FLOOR:
            continue
        alarms, _ = everyday_alarms(everyday, t)
        key = (round(s.recall, 3), -alarms, round(s.notice, 3), -false_check_rate(s))
        if best_key is None or key > best_key:
            best, best_key = t, key
    if best is None:
        raise SystemExit(
            f"no thresholds keep false escalation under {FE_LIMIT} with notice {NOTICE_FLOOR}"
        )
    return best


def false_check_rate(s: LanguageScore) -> float:
    return s.false_checks / s.harmless if s.harmless else 0.0
