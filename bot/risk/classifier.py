"""The trained layer of risk detection: linear models over `features`, read from the file that
`make risk-model` writes (bot/risk/model/risk-model.npz). Pure: numpy only, no I/O after
`load_classifier`.

- The quick head reads character and word n-grams: what the text shows (`none`, `check`, or a
  risk category) and which language it is in (nl, ar, ti, en; Arabizi counts as ar, Tigrinya in
  Latin letters as ti). Microseconds per sentence.
- The deep head reads the same n-grams plus a sentence embedding (`encoder`): it knows meaning
  that no n-gram carries, and costs about 20 ms, so the detector asks it only about messages
  where the quick head or a phrase sees risk. Its logits are the n-grams' plus `scale` times
  the log-probabilities of a small network over the embedding (one hidden layer of ReLUs):
  a weighted product of the two experts.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.risk.features import features

MODEL_FILE = Path(__file__).parent / "model" / "risk-model.npz"
FORMAT = 3
RISK = ("suicide", "violence", "no_bed", "eviction", "cutoff", "acute_debt", "no_food")


class ClassifierInvalid(Exception):
    """The model file is missing, unreadable or of another format."""


@dataclass(frozen=True)
class Scores:
    """One text's probabilities: `risk` over `Classifier.classes`, `language` over
    `Classifier.languages`; `deep` when the deep head gave them."""

    risk: dict[str, float]
    language: dict[str, float]
    deep: bool = False

    @property
    def escalate(self) -> float:
        """The probability that a person must see this text: every risk category together."""
        return sum(self.risk.get(c, 0.0) for c in RISK)

    @property
    def category(self) -> str:
        """The most likely risk category (never "none" or "check")."""
        return max((c for c in self.risk if c in RISK), key=self.risk.get)

    @property
    def lang(self) -> str:
        return max(self.language, key=self.language.get)


@dataclass(frozen=True)
class Deep:
    """The deep head: weights for the n-gram buckets, and the network over the embedding."""

    weights: np.ndarray  # (buckets, classes)
    intercept: np.ndarray  # (classes,)
    hidden: np.ndarray  # (embedding size, units): reads the raw embedding (standardising folded in)
    hidden_bias: np.ndarray  # (units,)
    out: np.ndarray  # (units, classes)
    out_bias: np.ndarray  # (classes,)
    scale: float  # how far the embedding's expert counts beside the n-grams'

    def expert(self, embedding: np.ndarray) -> np.ndarray:
        """The embedding expert's log-probabilities over the classes."""
        units = np.maximum(embedding @ self.hidden + self.hidden_bias, 0.0)
        z = units @ self.out + self.out_bias
        z = z - z.max()
        return z - np.log(np.exp(z).sum())


class Classifier:
    """Weights per feature bucket for both heads, and the thresholds chosen at training."""

    def __init__(
        self,
        ids: np.ndarray,
        weights: np.ndarray,
        intercept: np.ndarray,
        meta: dict,
        deep: Deep | None = None,
    ) -> None:
        self.ids = ids.astype(np.int64)
        self.weights = weights.astype(np.float32)
        self.intercept = intercept.astype(np.float32)
        self.meta = meta
        self.deep = deep
        self.classes: tuple[str, ...] = tuple(meta["classes"])
        self.languages: tuple[str, ...] = tuple(meta["languages"])
        self.thresholds: dict[str, float] = dict(meta["thresholds"])
        if self.weights.shape != (len(self.ids), len(self.classes) + len(self.languages)):
            raise ClassifierInvalid("the weights do not fit the classes")
        if deep is not None and deep.weights.shape != (len(self.ids), len(self.classes)):
            raise ClassifierInvalid("the deep head does not fit the classes")

    def _sum(self, weights: np.ndarray, words: list[str], hits: Iterable[str]) -> np.ndarray:
        """The n-gram part of the logits: bucket weights summed, scaled like training's rows."""
        found = np.fromiter(features(words, hits), dtype=np.int64)
        if not len(found):
            return np.zeros(weights.shape[1], dtype=np.float32)
        rows = np.searchsorted(self.ids, found)
        inside = rows < len(self.ids)
        rows, found_inside = rows[inside], found[inside]
        rows = rows[self.ids[rows] == found_inside]  # buckets the model has weights for
        return weights[rows].sum(axis=0) / np.sqrt(len(found))

    def scores(self, words: list[str], hits: Iterable[str] = ()) -> Scores:
        """The quick head's probabilities for one text given as normalised words, and the
        phrase hits in it (`features.hit_names`)."""
        logits = self.intercept + self._sum(self.weights, words, hits)
        k = len(self.classes)
        return Scores(
            _probabilities(self.classes, logits[:k]), _probabilities(self.languages, logits[k:])
        )

    def rescore(
        self, words: list[str], hits: Iterable[str], embedding: np.ndarray, quick: Scores
    ) -> Scores:
        """The deep head's probabilities for the same text (language from the quick head)."""
        if self.deep is None:
            return quick
        ngrams = self._sum(self.deep.weights, words, hits)
        logits = self.deep.intercept + ngrams + self.deep.scale * self.deep.expert(embedding)
        return Scores(_probabilities(self.classes, logits), quick.language, deep=True)


def _probabilities(names: tuple[str, ...], logits: np.ndarray) -> dict[str, float]:
    e = np.exp(logits - logits.max())
    return dict(zip(names, (e / e.sum()).tolist(), strict=True))


def load_classifier(path: Path = MODEL_FILE) -> Classifier:
    """The model file as `make risk-model` wrote it; raises ClassifierInvalid."""
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            if meta.get("format") != FORMAT:
                raise ClassifierInvalid(f"{path}: format {meta.get('format')}, want {FORMAT}")
            deep = None
            if "deep_weights" in data:
                deep = Deep(
                    *(data[f"deep_{name}"].astype(np.float32) for name in _DEEP_ARRAYS),
                    scale=float(meta["deep_scale"]),
                )
            return Classifier(data["ids"], data["weights"], data["intercept"], meta, deep)
    except (OSError, KeyError, ValueError) as exc:
        raise ClassifierInvalid(f"{path}: cannot read the risk model ({exc})") from exc


_DEEP_ARRAYS = ("weights", "intercept", "hidden", "hidden_bias", "out", "out_bias")


def save_classifier(classifier: Classifier, path: Path = MODEL_FILE) -> None:
    """Write the model file (weights as float16: half the size, no measurable loss)."""
    meta = classifier.meta
    if classifier.deep is not None:
        meta = meta | {"deep_scale": classifier.deep.scale}
    arrays = {
        "meta": np.array(json.dumps(meta, sort_keys=True)),
        "ids": classifier.ids.astype(np.uint32),
        "weights": classifier.weights.astype(np.float16),
        "intercept": classifier.intercept,
    }
    if classifier.deep is not None:
        arrays |= {f"deep_{name}": getattr(classifier.deep, name) for name in _DEEP_ARRAYS}
        arrays |= {"deep_weights": classifier.deep.weights.astype(np.float16)}
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        np.savez_compressed(out, **arrays)
