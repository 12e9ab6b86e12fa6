"""The targets on the labelled messages, per language: a change to the lists or the matcher
that loses recall or raises false alarms fails here, listing the messages."""

from __future__ import annotations

from pathlib import Path

from bot.risk import load
from bot.risk.evaluation import (
    FALSE_ESCALATION_TARGET,
    RECALL_TARGET,
    describe,
    evaluate,
    load_labelled,
)

ROOT = Path(__file__).resolve().parents[2]
LABELLED = Path(__file__).parent / "labelled.yaml"


def test_the_labelled_set_is_big_and_balanced_enough() -> None:
    messages = load_labelled(LABELLED)
    assert len(messages) >= 300
    for language in ("nl", "ar", "ti", "en"):
        mine = [m for m in messages if m.language == language]
        assert len(mine) >= 60, language
        harmless = sum(m.level == "none" for m in mine)
        assert 0.3 <= harmless / len(mine) <= 0.6, language


def test_recall_and_false_escalation_per_language() -> None:
    scores = evaluate(load(ROOT / "flows" / "risk"), load_labelled(LABELLED))
    failures = []
    for s in scores.values():
        if s.recall < RECALL_TARGET:
            failures.append(f"{s.language}: recall {s.recall:.3f} < {RECALL_TARGET}; missed:")
            failures += [f"  {describe(m, r)}" for m, r in s.misses]
        if s.false_escalation_rate > FALSE_ESCALATION_TARGET:
            failures.append(
                f"{s.language}: false escalation {s.false_escalation_rate:.3f} > "
                f"{FALSE_ESCALATION_TARGET}; escalated:"
            )
            failures += [f"  {describe(m, r)}" for m, r in s.false_alarms]
    assert not failures, "\n".join(failures)
