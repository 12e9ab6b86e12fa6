"""The router's decision from its heads' probabilities (bot/understanding/route.py), with heads
made by hand so that each probability is known: the shipped flows, catalogs and intent lists,
and a message ("qwxz") that none of their words or phrases match."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from bot.engine import load
from bot.i18n import Catalogs
from bot.understanding import route
from bot.understanding.intents import default
from bot.understanding.model import Heads
from bot.understanding.route import Router

ROOT = Path(__file__).resolve().parents[2]
FLOWS = load(ROOT / "flows")
ALIASES = Catalogs.load(ROOT / "locales").aliases
NOTHING = "qwxz"  # no flow's word, no intent phrase


def logits(probabilities: dict[str, float]) -> list[float]:
    return [math.log(p) for p in probabilities.values()]


def heads(
    flow: dict[str, float],
    intent: dict[str, float],
    person: float | None = None,
    node: dict[str, float] | None = None,
) -> Heads:
    """Heads without word weights: every message gets exactly these probabilities."""
    parts = {"flow": flow, "intent": intent, "node": node or {"none": 1.0}}
    if person is not None:
        parts["person"] = {"no": 1 - person, "yes": person}
    intercept = np.array([x for p in parts.values() for x in logits(p)], dtype=np.float32)
    names = {head: tuple(p) for head, p in parts.items()}
    return Heads(
        np.zeros(0, np.int64), np.zeros((0, len(intercept)), np.float32), intercept, names, {}
    )


def router(h: Heads) -> Router:
    return Router(FLOWS, ALIASES, default(), h)


NO_FLOW = {"geld": 0.1, "none": 0.8, "opvang": 0.05, "toeslagen": 0.05}
UNCLEAR = {"callback": 0.1, "person": 0.2, "topic": 0.1, "unclear": 0.6}


def test_nothing_in_the_lists_leaves_the_heads_probabilities_as_they_are() -> None:
    made = router(heads(NO_FLOW, UNCLEAR))
    assert made.hits(NOTHING) == set()
    got = made.heads.scores([NOTHING], made.hits(NOTHING))
    assert got["flow"] == pytest.approx(NO_FLOW)
    assert got["intent"] == pytest.approx(UNCLEAR)


@pytest.mark.parametrize(("p", "person"), [(0.45, True), (0.41, True), (0.39, False), (0.1, False)])
def test_the_person_head_decides_at_its_threshold(p: float, person: bool) -> None:
    understood = router(heads(NO_FLOW, UNCLEAR, person=p)).route(NOTHING)
    assert route.PERSON_THRESHOLD == 0.4
    assert understood.person is person
    if person:  # the intent head says person rather than call back
        assert (understood.intent, understood.callback, understood.flow) == ("person", False, None)
        assert understood.score == pytest.approx(p, abs=1e-3)
    else:
        assert (understood.intent, understood.flow) == ("unclear", None)
        assert understood.score == pytest.approx(0.6, abs=1e-3)


def test_a_call_back_when_the_intent_head_says_so() -> None:
    intent = {"callback": 0.5, "person": 0.2, "topic": 0.1, "unclear": 0.2}
    understood = router(heads(NO_FLOW, intent, person=0.8)).route(NOTHING)
    assert (understood.intent, understood.person, understood.callback) == ("callback", True, True)


def test_a_phrase_of_the_lists_is_a_person_request_whatever_the_heads_say() -> None:
    understood = router(heads(NO_FLOW, UNCLEAR, person=0.01)).route("ik wil een mens spreken")
    assert (understood.intent, understood.person, understood.score) == ("person", True, 1.0)
    understood = router(heads(NO_FLOW, UNCLEAR, person=0.01)).route("kunt u mij terugbellen")
    assert (understood.intent, understood.callback, understood.score) == ("callback", True, 1.0)


def test_without_a_person_head_person_and_call_back_of_the_intent_head_add_up() -> None:
    # a model file from before the person head: 0.25 + 0.2 is past the threshold
    intent = {"callback": 0.25, "person": 0.2, "topic": 0.05, "unclear": 0.5}
    understood = router(heads(NO_FLOW, intent)).route(NOTHING)
    assert (understood.intent, understood.person, understood.callback) == ("callback", True, True)
    intent = {"callback": 0.15, "person": 0.2, "topic": 0.05, "unclear": 0.6}
    assert not router(heads(NO_FLOW, intent)).route(NOTHING).person


@pytest.mark.parametrize(("p", "flow"), [(0.42, "geld"), (0.38, None)])
def test_a_flow_starts_at_the_flow_threshold(p: float, flow: str | None) -> None:
    rest = (1 - 2 * p + 0.05) / 2  # geld is the best flow, "none" next
    flows = {"geld": p, "none": p - 0.05, "opvang": rest, "toeslagen": rest}
    understood = router(heads(flows, UNCLEAR, person=0.1)).route(NOTHING)
    assert route.FLOW_THRESHOLD == 0.4
    assert understood.flow == flow
    assert understood.intent == ("topic" if flow else "unclear")


def test_a_person_asked_for_about_a_topic_keeps_the_topic() -> None:
    flows = {"geld": 0.9, "none": 0.06, "opvang": 0.02, "toeslagen": 0.02}
    understood = router(heads(flows, UNCLEAR, person=0.7)).route(NOTHING)
    assert (understood.intent, understood.flow, understood.person) == ("topic", "geld", True)


def test_the_node_head_picks_a_node_of_the_flow_only_when_sure() -> None:
    flows = {"geld": 0.9, "none": 0.06, "opvang": 0.02, "toeslagen": 0.02}
    sure = {"geld.beslag": 0.6, "none": 0.3, "opvang.vannacht": 0.1}
    assert router(heads(flows, UNCLEAR, 0.1, sure)).route(NOTHING).node == "beslag"
    unsure = {"geld.beslag": 0.45, "none": 0.1, "opvang.vannacht": 0.45}
    assert router(heads(flows, UNCLEAR, 0.1, unsure)).route(NOTHING).node is None
    other = {"geld.beslag": 0.2, "none": 0.1, "opvang.vannacht": 0.7}
    assert router(heads(flows, UNCLEAR, 0.1, other)).route(NOTHING).node is None


def test_a_person_asked_for_about_a_named_topic_gets_that_topic() -> None:
    # The flow head does not see a topic, but the flows' words name one: "schulden" is geld's.
    understood = router(heads(NO_FLOW, UNCLEAR, person=0.9)).route("schulden")
    assert (understood.intent, understood.flow, understood.person) == ("topic", "geld", True)
    assert understood.node is None
    # "beslag" names a node of geld: the topic is the node's flow
    understood = router(heads(NO_FLOW, UNCLEAR, person=0.9)).route("beslag")
    assert (understood.flow, understood.person) == ("geld", True)
    # without a person asked for, the words alone do not overrule the flow head
    understood = router(heads(NO_FLOW, UNCLEAR, person=0.1)).route("schulden")
    assert (understood.flow, understood.person) == (None, False)


def test_of_two_named_topics_a_person_request_gets_the_one_the_flow_head_rates_higher() -> None:
    # "geldzorgen" is a word of the flow geld only, "afsluiting" of a node of geld only
    for geld, toeslagen, want in ((0.1, 0.05, "geld"), (0.05, 0.1, "toeslagen")):
        flows = {"geld": geld, "none": 0.85, "opvang": 0.0001, "toeslagen": toeslagen}
        for text in ("geldzorgen en huurtoeslag", "afsluiting en huurtoeslag"):
            understood = router(heads(flows, UNCLEAR, person=0.9)).route(text)
            assert (understood.flow, understood.person, understood.text) == (want, True, text)
            assert understood.score == pytest.approx(0.85, abs=1e-3)  # the flow head's best


@pytest.mark.parametrize(("text", "kind"), [("hallo qwxz", "greeting"), ("bedankt qwxz", "thanks")])
def test_a_greeting_or_thanks_with_nothing_else_understood_is_answered_as_such(
    text: str, kind: str
) -> None:
    understood = router(heads(NO_FLOW, UNCLEAR, person=0.1)).route(text)
    assert (understood.intent, understood.flow, understood.text) == (kind, None, text)
    # ... also when the intent head's best is a topic that the flow head does not see
    topicish = {"callback": 0.05, "person": 0.05, "topic": 0.6, "unclear": 0.3}
    assert router(heads(NO_FLOW, topicish, person=0.1)).route(text).intent == kind
    # ... but not when a flow is sure: then it is a topic
    sure = {"geld": 0.9, "none": 0.06, "opvang": 0.02, "toeslagen": 0.02}
    understood = router(heads(sure, topicish, person=0.1)).route(text)
    assert (understood.intent, understood.flow) == ("topic", "geld")
    assert understood.score == pytest.approx(0.9, abs=1e-3)


def test_a_topic_the_heads_see_without_a_flow_is_unclear_with_the_heads_score() -> None:
    topicish = {"callback": 0.05, "person": 0.05, "topic": 0.6, "unclear": 0.3}
    understood = router(heads(NO_FLOW, topicish, person=0.1)).route(NOTHING)
    assert (understood.intent, understood.flow, understood.text) == ("unclear", None, NOTHING)
    assert understood.score == pytest.approx(0.6, abs=1e-3)
