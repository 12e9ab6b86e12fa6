"""How routing is scored against labelled typed messages (bot/understanding/score.py): what
counts as right, the groups it is counted in, and the node apart. The figures in
docs/understanding.md come from these functions."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

from bot.understanding.score import Labelled, read_batch, right, tally


def label(
    text: str,
    *,
    lang: str = "nl",
    intent: str = "topic",
    flow: str | None = "geld",
    node: str | None = None,
    person: bool = False,
) -> Labelled:
    return Labelled(f"x-{text}", lang, intent, flow, node, person, text)


def got(flow: str | None, person: bool = False, node: str | None = None) -> SimpleNamespace:
    return SimpleNamespace(flow=flow, person=person, node=node)


def test_a_batch_is_read_line_by_line_with_missing_fields_as_none(tmp_path: Path) -> None:
    path = tmp_path / "b.jsonl"
    rows = [
        {
            "id": "b-1",
            "lang": "ar",
            "intent": "topic",
            "flow": "geld",
            "node": "beslag",
            "person": False,
            "kind": "one_word",
            "text": "بسلاخ",
        },
        {"id": "b-2", "lang": "en", "intent": "callback", "person": True, "text": "call me"},
    ]
    path.write_text(
        json.dumps(rows[0], ensure_ascii=False) + "\n\n" + json.dumps(rows[1]) + "\n",
        encoding="utf-8",
    )
    assert read_batch(path) == [
        Labelled("b-1", "ar", "topic", "geld", "beslag", False, "بسلاخ"),
        Labelled("b-2", "en", "callback", None, None, True, "call me"),
    ]


def test_right_needs_the_flow_and_the_person_both() -> None:
    asked = label("schulden, bel me", intent="callback", person=True)
    assert right(asked, "geld", True)
    assert not right(asked, "geld", False)
    assert not right(asked, None, True)
    assert right(label("hallo", intent="greeting", flow=None), None, False)
    assert not right(label("hallo", intent="greeting", flow=None), "geld", False)


def test_tally_counts_overall_per_language_and_per_intent() -> None:
    results = [
        (label("schulden"), got("geld")),
        (label("huurtoeslag", lang="en", flow="toeslagen"), got("geld")),
        (label("bel me", lang="en", intent="callback", flow=None, person=True), got(None, True)),
        (label("slaapplek", lang="ti", flow="opvang"), got("opvang", True)),
    ]
    figures = tally(results)
    assert figures["overall"] == {"right": 2, "of": 4, "share": 0.5}
    assert figures["language"] == {
        "nl": {"right": 1, "of": 1, "share": 1.0},
        "en": {"right": 1, "of": 2, "share": 0.5},
        "ti": {"right": 0, "of": 1, "share": 0.0},
    }
    assert figures["intent"] == {
        "topic": {"right": 1, "of": 3, "share": 0.333},
        "callback": {"right": 1, "of": 1, "share": 1.0},
    }
    assert [m[0].text for m in figures["misses"]] == ["huurtoeslag", "slaapplek"]


def test_the_node_counts_only_where_labelled_and_the_flow_was_right() -> None:
    results = [
        (label("deurwaarder", node="deurwaarder"), got("geld", node="deurwaarder")),
        (label("beslag", node="beslag"), got("geld", node="dringend")),
        (label("beslag op loon", node="beslag"), got("geld", True, node="beslag")),
        (label("afsluiting", node="afsluiting"), got("toeslagen", node="afsluiting")),
        (label("schulden"), got("geld", node="dringend_check")),
    ]
    figures = tally(results)
    # right or not does not matter for the node (the third has a wrong `person`); a wrong
    # flow leaves the message out, and so does a label without a node
    assert figures["node"] == {"right": 2, "of": 3, "share": 0.667}
    assert figures["overall"]["right"] == 3


def test_one_node_labelled_and_right_is_a_share_of_one() -> None:
    results = [(label("beslag", node="beslag"), got("geld", node="beslag"))]
    assert tally(results)["node"] == {"right": 1, "of": 1, "share": 1.0}


def test_no_node_labelled_gives_a_share_of_zero_not_an_error() -> None:
    assert tally([(label("schulden"), got("geld"))])["node"] == {
        "right": 0,
        "of": 0,
        "share": 0.0,
    }
