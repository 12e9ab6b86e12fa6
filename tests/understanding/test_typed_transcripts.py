"""The shipped transcript tests answer every question of the menu's flows by TYPING, in all four
languages (issue 17): run through the real test runner, every typed answer that moves a flow
on is noted with the question it answered, and every question must be among them."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.authoring import flowtest
from bot.engine import Text, load
from bot.i18n import LANGUAGES

ROOT = Path(__file__).resolve().parents[2]


def test_every_question_of_the_three_flows_is_answered_by_typing_in_four_languages(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    flows = load(ROOT / "flows")
    answered: set[tuple[str, str, str]] = set()
    real = flowtest.resume
    runs: list = []

    def noting(flowset, state, received, *, env):
        new_state, events = real(flowset, state, received, env=env)
        moved = (new_state.flow, new_state.node) != (state.flow, state.node)
        if isinstance(received, Text) and moved and state.flow in flowset.flows:
            answered.add((state.flow, state.node, runs[-1].lang))
        return new_state, events

    class Noted(flowtest._Run):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            runs.append(self)

    monkeypatch.setattr(flowtest, "resume", noting)
    monkeypatch.setattr(flowtest, "_Run", Noted)
    outcomes, problems = flowtest.run_directory(ROOT / "flows", ROOT / "locales")
    assert not problems
    assert all(o.passed for o in outcomes), [str(o.failure) for o in outcomes if not o.passed]
    questions = [
        (flow.id, node.id)
        for flow in flows.menu()
        for node in flow.nodes.values()
        if node.options or node.input
    ]
    assert len(questions) >= 30  # the three flows' questions, not an empty list
    missing = [
        (f, n, lang) for f, n in questions for lang in LANGUAGES if (f, n, lang) not in answered
    ]
    assert not missing, f"no typed answer in a transcript test at: {missing}"
