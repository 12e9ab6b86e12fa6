"""Labelled typed messages (training/typed/*.jsonl, format in BRIEF.md there) and how well the
routing does on them: a message is right when it goes to its flow (or to no flow) and a person
is offered exactly when it asks for one; the node counts apart, where the label gives one."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Labelled:
    id: str
    lang: str
    intent: str
    flow: str | None
    node: str | None
    person: bool
    text: str


def read_batch(path: Path) -> list[Labelled]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            out.append(
                Labelled(
                    d["id"],
                    d["lang"],
                    d["intent"],
                    d.get("flow"),
                    d.get("node"),
                    bool(d.get("person")),
                    d["text"],
                )
            )
    return out


def right(label: Labelled, flow: str | None, person: bool) -> bool:
    return label.flow == flow and label.person == person


def tally(results: Iterable[tuple[Labelled, Any]]) -> dict[str, Any]:
    """Accuracy overall, per language and per intent; node accuracy among the messages whose
    label names a node and whose flow was right. `results`: (label, object with `flow`,
    `node`, `person`)."""
    groups: dict[str, dict[str, list[int]]] = {"overall": {}, "language": {}, "intent": {}}
    nodes = [0, 0]
    misses = []
    for label, got in results:
        ok = right(label, got.flow, got.person)
        for kind, key in (("overall", "all"), ("language", label.lang), ("intent", label.intent)):
            cell = groups[kind].setdefault(key, [0, 0])
            cell[0] += ok
            cell[1] += 1
        if label.node and label.flow == got.flow:
            nodes[0] += got.node == label.node
            nodes[1] += 1
        if not ok:
            misses.append((label, got))
    figures = {
        kind: {k: {"right": r, "of": n, "share": round(r / n, 3)} for k, (r, n) in cells.items()}
        for kind, cells in groups.items()
    }
    return {
        "overall": figures["overall"]["all"],
        "language": figures["language"],
        "intent": figures["intent"],
        "node": {"right": nodes[0], "of": nodes[1], "share": round(nodes[0] / max(nodes[1], 1), 3)},
        "misses": misses,
    }
