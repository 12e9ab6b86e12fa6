"""One way to a person under a question, not two: when a question's own option asks for a
person (it goes straight to a `normal` escalation), the global "Met een mens praten" button
is left off; an urgent topic that escalates is no request for a person and keeps it."""

from __future__ import annotations

from pathlib import Path

from bot.engine import Say, Text, load, resume, start, texts
from tests.engine.test_runtime import FLOWS, env, walk

ROOT = Path(__file__).resolve().parents[2]


def _labels(events) -> list[str]:
    return [b.msgid for b in [e for e in events if isinstance(e, Say)][-1].buttons]


def test_a_question_with_its_own_person_option_has_one_person_button():
    flows = load(ROOT / "flows")
    e = env()
    state, events = start(flows, None, env=e)
    state, events = resume(flows, state, Text("Een slaapplek"), env=e)
    labels = _labels(events)
    assert "Ik wil met iemand praten" in labels
    assert texts.HUMAN_BUTTON not in labels


def test_a_question_whose_escalation_is_an_urgent_topic_keeps_the_person_button():
    _, events = walk("1")
    assert _labels(events)[-1] == texts.HUMAN_BUTTON
    assert FLOWS.node("geld", "bailiff").escalate.priority == "high"
