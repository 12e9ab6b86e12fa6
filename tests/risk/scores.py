"""What the detector tests share: thresholds chosen to be easy to reason about, and model
scores written by hand."""

from __future__ import annotations

from bot.risk.classifier import Scores
from bot.risk.train import CLASSES

T = {
    "high": 0.5,
    "piece": 0.8,
    "check": 0.4,
    "veto": 0.9,
    "urgent": 0.6,
    "deep": 0.3,
    "deep_until": 0.9,
    "sure": 0.95,
}
LANG = {"nl": 0.97, "ar": 0.01, "ti": 0.01, "en": 0.01}


def scores(language: dict[str, float] | None = None, **risk: float) -> Scores:
    """Scores with the given probabilities; what is left goes to "none"."""
    unknown = set(risk) - set(CLASSES)
    assert not unknown, f"no such class: {unknown}"
    probs = {c: risk.get(c, 0.0) for c in CLASSES if c != "none"}
    return Scores({"none": 1.0 - sum(probs.values()), **probs}, language or LANG)
