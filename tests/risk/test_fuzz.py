"""Arbitrary text never crashes the risk check, and offsets always point into the text."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.risk import assess, load
from bot.risk.normalize import Offsets, compact, words

MODEL = load(Path(__file__).resolve().parents[2] / "flows" / "risk")

NASTY = [
    "\x00",
    "\u200b",
    "\u200c",
    "\u200d",
    "\u200e",
    "\u200f",
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
    "\u061c",
    "\ufeff",
    "\ufe0f",
    "\u0640",
    "\u064b",
    "\u0670",
    "\u00ad",
    "\ud800",  # lone surrogate
    "\U0001f48a",
    "\U0001f3fd",
    "\u1361",
    "\u1362",
    ". ",
    "...",
    "'",
    "\n",
    "\r",
    "\x1e",
]
PIECES = ["ik wil dood", "alle pillen", "بدي اموت", "ال", "ክሞት እየ", "30", "٣٠", "zelf", "moord"]
text = st.lists(
    st.one_of(st.text(max_size=20), st.sampled_from(NASTY), st.sampled_from(PIECES)), max_size=30
).map("".join)


@settings(max_examples=400, deadline=None)
@given(text)
def test_assess_never_crashes_and_offsets_stay_in_the_text(message: str) -> None:
    result = assess(MODEL, message)
    assert result.level in ("urgent", "high", "check", "none")
    for m in result.matches:
        assert 0 <= m.start < m.end <= len(message)


@settings(max_examples=300, deadline=None)
@given(text)
def test_every_word_maps_back_to_where_it_came_from(message: str) -> None:
    offsets = Offsets(message)
    position = 0
    for word in words(message):
        start, end = offsets.span(position, position + len(word))
        assert 0 <= start < end <= len(message)
        assert word in compact(message[start:end])
        position += len(word)
