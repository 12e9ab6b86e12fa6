"""Choosing the detector's thresholds on left-out scores.

Every message of a left-out batch is scored once by every layer (`Scored`); trying a set of
thresholds is then only `decide` again, so the whole grid is cheap. Of the thresholds whose
false escalation of the hard harmless messages (negations, quotes, games) stays <= FE_LIMIT and
whose notice of passive ideation stays >= NOTICE_FLOOR, the chosen ones have the best recall,
then the fewest alarms on everyday traffic (the `ordinary` batches: greetings, "nog een vraag",
questions about allowances), then the best notice. A question about suicide in reply to "ik
begrijp het niet" is a false alarm residents do notice; recall still comes first. `lean` (how
far the model's "check" counts towards a risk beside it, `detector._level`) is one of the
decision thresholds; every value tried is below every "high", so hopelessness alone never
makes a case.

The cascade band (`deep` up to `deep_until`: where the quick head is unsure enough for the deep
head to read) is a cost: the deep head takes about 20 ms of CPU per message it reads (per
embedding: the whole message, and for a message of several sentences its most suspect one).
It is chosen in three steps: the decision thresholds with the quick head alone; then, with
those, the band with the best recall (then the fewest everyday alarms, then the fewest
embeddings) of the bands that keep the targets and need at most DEEP_BUDGET embeddings per
message of a realistic mix (EVERYDAY_SHARE everyday messages, the rest from the risk batches,
both left out); then the decision thresholds again, with that band. Where no thresholds keep
both targets, false escalation is kept first and the notice missed shows in the tables.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import product
from multiprocessing import get_context

from bot.risk import normalize
from bot.risk.assessment import NONE, Assessment
from bot.risk.classifier import Classifier, Scores
from bot.risk.detector import _scored, decide, needs_deep, one_word, sentences, suspect
from bot.risk.embedcache import Embeddings
from bot.risk.evaluation import Labelled, LanguageScore, tally
from bot.risk.features import hit_names
from bot.risk.matcher import RiskModel, assess

GRID = {
    "high": (0.55, 0.6, 0.65, 0.7, 0.75),
    "piece": (0.8, 0.9),
    "check": (0.6, 0.7, 0.8),  # lower asks everyday messages the question
    "veto": (0.5, 0.7, 0.9),
    "sure": (0.9,),  # a deep-read sentence this sure escapes the veto
    "urgent": (0.5,),
    "lean": (0.0, 0.25, 0.5),  # how far hopelessness beside a risk counts towards it
}
EVERYWHERE = {"deep": 0.0, "deep_until": 2.0}  # the deep head reads every message
NEVER = {"deep": 2.0, "deep_until": 2.0}  # the quick head alone
BANDS = {
    "deep": (0.2, 0.3, 0.4, 0.5, 0.6, 1.01),  # 1.01: never (the quick head alone)
    "deep_until": (0.7, 0.8, 0.9, 0.95, 0.99, 2.0),
}
# Embeddings per typed message the cascade may cost on a realistic mix. One embedding took 20 to
# 70 ms of CPU on the shared 2-core machine (bench/risk_bench.py), so issue 13's budget (mean
# <= 5 ms, median <= 1 ms) allows about 0.06. Recall comes first (issue 13: "never trade recall
# for CPU silently"): at 0.06 no band improved on the quick head alone (recall 0.897 against
# 0.920 with the deep head); 0.35 allows the band that keeps the deep head's recall at less than
# a third of its cost. docs/risk.md ("Cost") gives the figures: over the mean budget.
DEEP_BUDGET = 0.35
EVERYDAY_SHARE = 0.8  # of typed messages in the realistic mix; the rest from the risk batches
JOBS = int(os.environ.get("RISK_JOBS", os.cpu_count() or 1))  # processes trying the grid
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
        if needs_deep(self.quick, self.pieces, t):
            return decide(self.message.text, self.found, self.deep, self.deep_pieces, t)
        return decide(self.message.text, self.found, self.quick, self.pieces, t)

    def embeddings(self, t: dict[str, float]) -> int:
        """How many embeddings the deep head computes for this message under `t`."""
        if not needs_deep(self.quick, self.pieces, t) or (
            not self.found.matches and one_word(self.message.text)
        ):
            return 0  # the detector leaves one word without a phrase hit to the lists
        return 2 if self.pieces else 1


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


def embeddings_per_message(messages: list[Scored], t: dict[str, float]) -> float:
    return sum(x.embeddings(t) for x in messages) / len(messages) if messages else 0.0


def deep_cost(scored: list[Scored], everyday: list[Scored], t: dict[str, float]) -> float:
    """Embeddings per message of the realistic mix (EVERYDAY_SHARE everyday) under `t`."""
    return EVERYDAY_SHARE * embeddings_per_message(everyday, t) + (
        1 - EVERYDAY_SHARE
    ) * embeddings_per_message(scored, t)


def tune(scored: list[Scored], everyday: list[Scored]) -> dict[str, float]:
    """The thresholds the module docstring describes: decision, band, decision again."""
    first = _decision(scored, everyday, NEVER)
    band = _band(scored, everyday, first)
    return _decision(scored, everyday, band)


def _key(scored: list[Scored], everyday: list[Scored], t: dict[str, float]) -> tuple:
    """What makes thresholds better (bigger is better): false escalation within FE_LIMIT
    first, then notice at NOTICE_FLOOR (when no thresholds keep both, the best of those that
    keep false escalation down is chosen, and the tables show the notice missed), then recall,
    fewer everyday alarms, notice, fewer harmless messages asked the question."""
    s = overall(tally((x.message, x.judged(t)) for x in scored))
    alarms, _ = everyday_alarms(everyday, t)
    return (
        s.false_escalation_rate <= FE_LIMIT,
        s.notice >= NOTICE_FLOOR,
        round(s.recall, 3),
        -alarms,
        round(s.notice, 3),
        -false_check_rate(s),
    )


def _decision(
    scored: list[Scored], everyday: list[Scored], band: dict[str, float]
) -> dict[str, float]:
    """The best decision thresholds with the cascade band fixed (the grid tried in JOBS
    processes; the choice does not depend on how many)."""
    grid = [
        dict(zip(GRID, values, strict=True)) | {k: band[k] for k in EVERYWHERE}
        for values in product(*GRID.values())
    ]
    global _SHARED
    _SHARED = (scored, everyday)
    try:
        if JOBS > 1:
            with get_context("fork").Pool(JOBS) as pool:
                keys = pool.map(_shared_key, grid, chunksize=max(1, len(grid) // (4 * JOBS)))
        else:
            keys = [_shared_key(t) for t in grid]
    finally:
        _SHARED = None
    best = max(range(len(grid)), key=lambda i: (keys[i], -i))  # the first of equals
    return grid[best]


_SHARED: tuple[list[Scored], list[Scored]] | None = None  # inherited by the forked workers


def _shared_key(t: dict[str, float]) -> tuple:
    assert _SHARED is not None
    return _key(*_SHARED, t)


def _band(scored: list[Scored], everyday: list[Scored], t: dict[str, float]) -> dict[str, float]:
    """The best cascade band within DEEP_BUDGET for decision thresholds `t`."""
    best, best_key = None, None
    for low, high in product(*BANDS.values()):
        band = t | {"deep": low, "deep_until": high}
        cost = deep_cost(scored, everyday, band)
        if low >= high or cost > DEEP_BUDGET:
            continue
        fe, notice, recall, alarms, *rest = _key(scored, everyday, band)
        key = (fe, notice, recall, alarms, -round(cost, 3), *rest)
        if best_key is None or key > best_key:
            best, best_key = band, key
    assert best is not None  # the quick head alone costs nothing
    return best


def false_check_rate(s: LanguageScore) -> float:
    return s.false_checks / s.harmless if s.harmless else 0.0
