"""e5 embeddings of training texts, cached on disk so that a retrain reads each text once.

The cache (data/risk-embeddings.npz) is not committed; it is rebuilt when missing.
"""

from __future__ import annotations

import hashlib
from multiprocessing import get_context
from pathlib import Path

import numpy as np

from bot.risk.corpus import ROOT
from bot.risk.encoder import DIMENSIONS, Encoder
from bot.risk.evaluation import Labelled

EMBEDDINGS = ROOT / "data" / "risk-embeddings.npz"


class Embeddings:
    """Embeddings by the sha256 of the text; new ones are computed and kept until `save`."""

    def __init__(self, path: Path = EMBEDDINGS) -> None:
        self.path = path
        self.known: dict[str, np.ndarray] = {}
        if path.exists():
            with np.load(path) as data:
                self.known = dict(zip(data["keys"].tolist(), data["vectors"], strict=True))
        self._encoder: Encoder | None = None
        self._added = False

    def __call__(self, text: str) -> np.ndarray:
        key = _key(text)
        if key not in self.known:
            self._encoder = self._encoder or Encoder()
            self.known[key] = self._encoder.embed(text)
            self._added = True
        return self.known[key]

    def matrix(self, messages: list[Labelled]) -> np.ndarray:
        out = np.array([self(m.text) for m in messages], dtype=np.float32)
        return out.reshape(len(messages), DIMENSIONS)

    def warm(self, texts: list[str], jobs: int = 1) -> None:
        """Compute the embeddings of `texts` not yet known, in `jobs` processes, so that
        forked workers inherit them instead of each computing them again."""
        todo = list(dict.fromkeys(t for t in texts if _key(t) not in self.known))
        if not todo:
            return
        if jobs > 1:
            chunks = [todo[i::jobs] for i in range(jobs)]
            with get_context("fork").Pool(jobs) as pool:
                parts = pool.map(_embed_all, chunks)
        else:
            chunks, parts = [todo], [_embed_all(todo)]
        for chunk, vectors in zip(chunks, parts, strict=True):
            for text, vector in zip(chunk, vectors, strict=True):
                self.known[_key(text)] = vector
        self._added = True
        self.save()

    def save(self) -> None:
        if self._added:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            keys = list(self.known)
            np.savez(
                self.path, keys=np.array(keys), vectors=np.array([self.known[k] for k in keys])
            )


def _key(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _embed_all(texts: list[str]) -> list[np.ndarray]:
    encoder = Encoder()
    return [encoder.embed(t) for t in texts]
