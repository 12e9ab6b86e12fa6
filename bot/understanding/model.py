"""The trained part of understanding: linear heads over the same features as the risk model
(`bot.risk.features`: hashed words, word pairs and character n-grams of the normalised text,
scaled by the number of features), plus the hits of the flows' words and the intent lists
(unscaled: a word of a flow counts as much in a long story as on its own). Pure: numpy only.

Heads: `flow` (toeslagen, geld, opvang, none), `intent` (topic, person, callback, greeting,
thanks, global, unclear) and `node` ("<flow>.<node>" where a message points at one, else
none). `python -m bot.understanding.train` writes the file from training/typed/.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from zlib import crc32

import numpy as np

from bot.risk import normalize
from bot.risk.features import features

MODEL_FILE = Path(__file__).parent / "model" / "route-model.npz"
FORMAT = 1


class ModelInvalid(Exception):
    """The model file is missing, unreadable or of another format."""


@dataclass(frozen=True)
class Heads:
    """Weights per feature bucket for every head, side by side; `heads` names each head's
    classes in column order."""

    ids: np.ndarray  # sorted bucket ids
    weights: np.ndarray  # (buckets, all classes)
    intercept: np.ndarray  # (all classes,)
    heads: dict[str, tuple[str, ...]]
    meta: dict

    def scores(self, words: list[str], hits: Iterable[str] = ()) -> dict[str, dict[str, float]]:
        """Per head, the probability of each class for one text given as normalised words and
        the names of the hits in it."""
        grams = features(words)
        logits = self.intercept + self._sum(grams) / np.sqrt(max(len(grams), 1))
        logits += self._sum(features([], hits))  # a hit weighs the same in a long story
        out: dict[str, dict[str, float]] = {}
        start = 0
        for head, classes in self.heads.items():
            part = logits[start : start + len(classes)]
            e = np.exp(part - part.max())
            out[head] = dict(zip(classes, (e / e.sum()).tolist(), strict=True))
            start += len(classes)
        return out

    def _sum(self, buckets: set[int]) -> np.ndarray:
        found = np.fromiter(buckets, dtype=np.int64)
        rows = np.searchsorted(self.ids, found)
        inside = rows < len(self.ids)
        rows, kept = rows[inside], found[inside]
        rows = rows[self.ids[rows] == kept]  # buckets the model has weights for
        return self.weights[rows].sum(axis=0)


PROBE = "Ik heb 3 brieven van de deurwaarder ዕዳ ኣለኒ عندي ديون 3andi dyoun"


def feature_print() -> str:
    """A fingerprint of `bot.risk.features` as it is now: the features of a probe text in four
    scripts. The model stores the one it was trained with; when risk's features change (new
    kinds of feature, other n-grams), the weights no longer fit and the model must be trained
    again (`make route-model`): tests/understanding compares the two."""
    buckets = sorted(features(normalize.words(PROBE), ["probe"]))
    return f"{len(buckets)}:{crc32(json.dumps(buckets).encode()):08x}"


def load_heads(path: Path = MODEL_FILE) -> Heads:
    """The model file as the training wrote it; raises ModelInvalid."""
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            if meta.get("format") != FORMAT:
                raise ModelInvalid(f"{path}: format {meta.get('format')}, want {FORMAT}")
            heads = {name: tuple(classes) for name, classes in meta["heads"]}
            return Heads(
                data["ids"].astype(np.int64),
                data["weights"].astype(np.float32),
                data["intercept"].astype(np.float32),
                heads,
                meta,
            )
    except (OSError, KeyError, ValueError) as exc:
        raise ModelInvalid(f"{path}: cannot read the routing model ({exc})") from exc


def save_heads(model: Heads, path: Path = MODEL_FILE) -> None:
    meta = {**model.meta, "format": FORMAT, "heads": [[k, list(v)] for k, v in model.heads.items()]}
    meta["features"] = feature_print()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        np.savez_compressed(
            out,
            meta=np.array(json.dumps(meta, sort_keys=True)),
            ids=model.ids.astype(np.uint32),
            weights=model.weights.astype(np.float16),
            intercept=model.intercept.astype(np.float32),
        )
