"""The committed risk model is the one its data and code make, and the training code works.

Retraining the shipped model takes minutes (embeddings of 3,400 messages), too slow for every
run, so CI checks the fingerprint instead: `make risk-model` writes the sha256 of the training
data and of the code that turns it into the model into the model file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bot.risk import load
from bot.risk.classifier import MODEL_FILE, ClassifierInvalid, load_classifier, save_classifier
from bot.risk.corpus import fingerprint, load_all, load_batch, manifest
from bot.risk.train import CLASSES, fit

ROOT = Path(__file__).resolve().parents[2]


def test_the_committed_model_matches_the_training_data_and_code() -> None:
    model = load_classifier()
    assert model.meta["fingerprint"] == fingerprint(), "run `make risk-model` and commit it"
    held = {b for b, info in manifest().items() if info.get("holdout")}
    assert model.meta["trained_on"] == {b: len(ms) for b, ms in load_all().items() if b not in held}
    assert model.deep is not None


def test_the_check_command_says_so_and_fails_on_other_data(tmp_path: Path) -> None:
    ok = subprocess.run(
        [sys.executable, "-m", "bot.risk.train", "--check"], capture_output=True, text=True
    )
    assert ok.returncode == 0, ok.stderr
    assert "matches its data" in ok.stdout


def test_the_fingerprint_changes_with_one_label(tmp_path: Path) -> None:
    root = tmp_path / "training"
    (root / "batches").mkdir(parents=True)
    (root / "batches.yaml").write_text("batches: {}\n")
    line = '{"id": "x-0001", "lang": "nl", "variant": "standard", "level": "none", '
    (root / "batches" / "x.jsonl").write_text(
        line + '"category": "none", "kind": "a", "text": "hoi"}\n'
    )
    before = fingerprint(root)
    (root / "batches" / "x.jsonl").write_text(
        line.replace('"none"', '"check"') + '"category": "suicide", "kind": "a", "text": "hoi"}\n'
    )
    assert fingerprint(root) != before


def test_a_bad_batch_line_names_file_line_and_the_problem(tmp_path: Path) -> None:
    path = tmp_path / "b.jsonl"
    path.write_text(
        '{"id": "b-1", "lang": "nl", "variant": "x", "level": "high", "category": "none", '
        '"kind": "a", "text": "t"}\n'
        "not json\n"
        '{"id": "b-3", "lang": "fr", "variant": "x", "level": "none", "category": "none", '
        '"kind": "a", "text": "t"}\n'
    )
    with pytest.raises(ValueError) as info:
        load_batch(path)
    assert str(info.value).splitlines() == [
        f"{path}:1: category is none exactly when level is none",
        f"{path}:2: not JSON (Expecting value, column 1)",
        f"{path}:3: lang 'fr' is not one of nl, ar, ti, en",
    ]


def test_training_learns_and_the_file_round_trips(tmp_path: Path) -> None:
    """A small model from the dev batch: it must learn its own data and survive the file."""
    messages = load_all()["dev"]
    model = fit(messages, load(ROOT / "flows" / "risk"))
    assert model.classes == CLASSES and model.deep is None
    from bot.risk import normalize

    risky = [m for m in messages if m.level in ("urgent", "high")]
    found = sum(model.scores(normalize.words(m.text)).escalate >= 0.5 for m in risky)
    assert found / len(risky) > 0.8
    path = tmp_path / "m.npz"
    save_classifier(model, path)
    again = load_classifier(path)
    words = normalize.words(risky[0].text)
    assert np.isclose(again.scores(words).escalate, model.scores(words).escalate, atol=0.01)


def test_an_unreadable_model_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "broken.npz"
    path.write_bytes(b"not a model")
    with pytest.raises(ClassifierInvalid):
        load_classifier(path)
    assert MODEL_FILE.exists()
