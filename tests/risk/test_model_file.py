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
from bot.risk.classifier import (
    FORMAT,
    MODEL_FILE,
    ClassifierInvalid,
    load_classifier,
    save_classifier,
)
from bot.risk.corpus import fingerprint, load_all, load_batch, manifest
from bot.risk.encoder import DIMENSIONS
from bot.risk.train import CLASSES, DEEP_SCALE, HIDDEN, fit

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


class _Vectors:
    """Stand-in embeddings (e5 takes about 20 ms a text): seeded noise, and for a message that
    must escalate one direction added, so that the embedding carries what the label says."""

    def __init__(self) -> None:
        self.direction = np.random.default_rng(0).normal(size=DIMENSIONS)

    def vector(self, text: str, risky: bool) -> np.ndarray:
        seed = int.from_bytes(text.encode()[:8].ljust(8, b"\0"), "little")
        noise = np.random.default_rng(seed).normal(size=DIMENSIONS)
        return (noise + 3 * self.direction * risky).astype(np.float32)

    def matrix(self, messages) -> np.ndarray:
        return np.array([self.vector(m.text, m.level in ("urgent", "high")) for m in messages])


def test_the_deep_head_learns_from_the_embedding_and_survives_the_file(tmp_path: Path) -> None:
    from bot.risk import normalize

    messages = load_all()["dev"]
    vectors = _Vectors()
    model = fit(messages, load(ROOT / "flows" / "risk"), vectors)
    assert model.deep is not None and model.deep.hidden.shape == (DIMENSIONS, HIDDEN)
    plain = vectors.vector("hoe werkt huurtoeslag", risky=False)
    risky = vectors.vector("hoe werkt huurtoeslag", risky=True)
    none = CLASSES.index("none")
    # the expert reads the embedding: the same text with the risk direction is less harmless
    assert model.deep.expert(risky)[none] < model.deep.expert(plain)[none] - 1.0
    words = normalize.words("hoe werkt huurtoeslag")
    quick = model.scores(words)
    assert model.rescore(words, (), risky, quick).escalate > quick.escalate
    path = tmp_path / "m.npz"
    save_classifier(model, path)
    again = load_classifier(path)
    assert again.deep is not None and again.deep.scale == model.deep.scale == DEEP_SCALE
    for vector in (plain, risky):
        assert np.isclose(
            again.rescore(words, (), vector, again.scores(words)).escalate,
            model.rescore(words, (), vector, quick).escalate,
            atol=0.01,
        )


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_the_folded_expert_gives_what_the_network_it_was_trained_as_gives() -> None:
    """The file keeps the network with its standardising folded in; reading a raw embedding it
    must give the trained network's own probabilities, and a class the data lacked never wins."""
    from sklearn.neural_network import MLPClassifier

    from bot.risk.classifier import Deep
    from bot.risk.train import ALPHA, EPOCHS, _fit_embedding_expert

    rng = np.random.default_rng(1)
    present = ["none", "check", "suicide", "no_bed"]
    labels = [present[i % len(present)] for i in range(240)]
    e = rng.normal(size=(240, DIMENSIONS)) * 0.05 + 0.1
    for i, name in enumerate(labels):
        e[i, present.index(name)] += 0.2
    weights = [1.0] * len(labels)
    hidden, hidden_bias, out, out_bias = _fit_embedding_expert(e, labels, weights)
    k = len(CLASSES)
    deep = Deep(np.zeros((0, k)), np.zeros(k), hidden, hidden_bias, out, out_bias, scale=1.0)
    mean, scale = e.mean(axis=0), e.std(axis=0) + 1e-6
    net = MLPClassifier(hidden_layer_sizes=(HIDDEN,), alpha=ALPHA, max_iter=EPOCHS, random_state=0)
    net.fit((e - mean) / scale, labels)  # equal weights: balanced, as the classes are
    for row in e[:20]:
        expected = net.predict_proba(((row - mean) / scale)[None])[0]
        got = np.exp(deep.expert(row))
        for i, name in enumerate(net.classes_):
            assert np.isclose(got[CLASSES.index(name)], expected[i], atol=1e-4)
        assert got[CLASSES.index("violence")] < 1e-9


def _meta() -> dict:
    from bot.risk.assessment import LANGUAGES

    return {
        "format": FORMAT,
        "classes": list(CLASSES),
        "languages": list(LANGUAGES),
        "thresholds": {},
    }


def test_a_text_without_features_gets_the_intercepts_scores() -> None:
    """No n-gram at all (the detector leaves one word to the lists, so only a direct caller
    gets here): the scores are the intercepts' alone, not an error."""
    from bot.risk.classifier import Classifier

    k = len(CLASSES)
    intercept = np.arange(k + 4, dtype=np.float64)
    model = Classifier(np.zeros(0, dtype=np.int64), np.zeros((0, k + 4)), intercept, _meta())
    scores = model.scores([])
    expected = np.exp(intercept[:k] - intercept[:k].max())
    assert np.isclose(scores.risk["no_food"], expected[-1] / expected.sum())
    assert np.isclose(scores.language[model.languages[-1]], np.exp(3) / np.exp(range(4)).sum())


def test_a_model_that_does_not_fit_its_classes_says_which_part(tmp_path: Path) -> None:
    from bot.risk.classifier import Classifier, Deep

    k = len(CLASSES)
    ids = np.zeros(0, dtype=np.int64)
    with pytest.raises(ClassifierInvalid) as info:
        Classifier(ids, np.zeros((0, k)), np.zeros(k), _meta())
    assert str(info.value) == "the weights do not fit the classes"
    deep = Deep(np.zeros((0, 3)), np.zeros(3), *(np.zeros(1),) * 4, scale=0.2)
    with pytest.raises(ClassifierInvalid) as info:
        Classifier(ids, np.zeros((0, k + 4)), np.zeros(k + 4), _meta(), deep)
    assert str(info.value) == "the deep head does not fit the classes"
    old = tmp_path / "old.npz"
    save_classifier(
        Classifier(ids, np.zeros((0, k + 4)), np.zeros(k + 4), _meta() | {"format": 2}), old
    )
    with pytest.raises(ClassifierInvalid) as info:
        load_classifier(old)
    assert str(info.value) == f"{old}: format 2, want 3"


def test_the_model_file_may_go_into_a_new_directory(tmp_path: Path) -> None:
    from bot.risk.classifier import Classifier

    k = len(CLASSES) + 4
    path = tmp_path / "new" / "model" / "risk-model.npz"
    save_classifier(
        Classifier(np.zeros(0, dtype=np.int64), np.zeros((0, k)), np.ones(k), _meta()), path
    )
    assert load_classifier(path).intercept.tolist() == [1.0] * k
