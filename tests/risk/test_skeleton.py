"""The consonant skeleton (bot/risk/skeleton.py): one spelling for Arabic script and Arabizi,
and for Tigrinya in Ge'ez and in Latin letters, so that what the model learnt in one script
counts in the other."""

from __future__ import annotations

import pytest

from bot.risk import normalize
from bot.risk.features import features
from bot.risk.skeleton import skeleton


def bare(text: str) -> list[str]:
    return [skeleton(w) for w in normalize.words(text)]


@pytest.mark.parametrize(
    ("script", "latin", "expected"),
    [
        ("نموت", "nmout", ["nmt"]),  # we die
        ("ما عندي", "ma 3andi", ["m", "3nd"]),  # I have no
        ("خلاص", "khalas", ["5ls"]),  # kh
        ("بغيت", "bghit", ["b8t"]),  # gh
        ("شي", "chi", ["x"]),  # ch (Darija) and sh
        ("حرام", "7aram", ["7rm"]),
        ("ሞት", "mot", ["mt"]),  # death
        ("ብዛዕባ", "bzaEba", ["bzb"]),  # about: ዕ and E are dropped like vowels
        ("ሓግዙኒ", "hagizuni", ["hgzn"]),  # help me: ሐ row is h
        ("ጸጋ", "tsega", ["sg"]),  # ts
    ],
)
def test_both_scripts_have_the_same_skeleton(script: str, latin: str, expected: list[str]) -> None:
    assert bare(script) == bare(latin) == expected


def test_vowels_half_vowels_and_the_glottal_stop_are_dropped() -> None:
    assert skeleton("aeiouwy2") == ""
    assert skeleton("sa2al") == "sl"
    assert skeleton("thdh") == "td"


def test_every_consonant_row_of_geez_maps_by_row_and_vowel_rows_are_dropped() -> None:
    # All eight orders of a row share its consonant.
    assert {skeleton(chr(0x1218 + k)) for k in range(8)} == {"m"}  # መ row
    assert {skeleton(chr(0x1340 + k)) for k in range(8)} == {"s"}  # ፀ row
    assert {skeleton(chr(0x12A0 + k)) for k in range(8)} == {""}  # አ row: vowels


def test_a_change_of_script_inside_a_word_keeps_the_order() -> None:
    assert skeleton("الdeurwaarder") == "l" + "drrdr"
    assert skeleton("deurwaarderين") == "drrdr" + "n"
    assert skeleton("ab" + "ገዛ" + "na") == "b" + "gz" + "n"


def test_other_characters_are_left_out() -> None:
    assert skeleton("👍") == ""
    assert skeleton("π") == ""


def test_arabizi_and_arabic_script_share_model_features() -> None:
    """What the model learns from "ما عندي وين نام" it partly knows in "ma 3andi win nam"."""
    arabic = features(normalize.words("ما عندي وين نام"))
    arabizi = features(normalize.words("ma 3andi win nam"))
    dutch = features(normalize.words("ik heb geen bed"))
    shared = arabic & arabizi
    assert len(shared) >= 10
    assert len(shared) > 3 * len(arabic & dutch)
