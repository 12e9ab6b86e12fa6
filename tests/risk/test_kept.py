"""bot/risk/kept.py: the last answers for texts, by digest."""

from __future__ import annotations

from bot.risk.kept import Kept, digest


def test_the_least_recently_used_answer_goes_first() -> None:
    kept: Kept[str] = Kept(2)
    kept.put(digest("ja"), "yes")
    kept.put(digest("nee"), "no")
    assert kept.get(digest("ja")) == "yes"  # now the most recent
    kept.put(digest("hallo"), "greeting")
    assert kept.get(digest("nee")) is None
    assert kept.get(digest("ja")) == "yes" and kept.get(digest("hallo")) == "greeting"
    assert len(kept) == 2


def test_keys_are_digests_and_size_zero_keeps_nothing() -> None:
    kept: Kept[int] = Kept(4)
    kept.put(digest("ik heb hulp nodig"), 1)
    assert [len(key) for key in kept] == [16]
    assert digest("ik heb hulp nodig") != digest("ik heb hulp nodig ")
    nothing: Kept[int] = Kept(0)
    nothing.put(digest("ja"), 1)
    assert len(nothing) == 0 and nothing.get(digest("ja")) is None
