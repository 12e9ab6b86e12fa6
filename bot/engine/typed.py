"""Typed messages the engine reads beyond buttons, labels and numbers: a topic in the
resident's own words at the menu (entering a flow at the node it points at), a global word
such as "terug", and an answer in other words than the button's.

What a text means is decided outside (bot/understanding, through `Env.route` and
`Env.command`); here it only changes the state and makes the events. Pure.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from bot.engine.events import Event, Saved, Say, WaitForInput
from bot.engine.model import Flow, FlowSet, Node


@dataclass(frozen=True)
class Understood:
    """What a typed message asks when no question is open (see bot.understanding.route).
    `intent`: topic, person, callback, greeting, thanks, global or unclear; `command`: back,
    menu, help or stop; `score`: how sure, 0..1."""

    text: str
    intent: str
    flow: str | None = None
    node: str | None = None
    person: bool = False
    callback: bool = False
    command: str | None = None
    score: float = 1.0


def choices_to(flow: Flow, target: str) -> dict[str, int] | None:
    """The answers (question node id -> option index) that lead from the flow's start to
    `target` along the shortest way, or None when `target` cannot be reached."""
    came: dict[str, tuple[str, int | None]] = {flow.start: ("", None)}
    todo = deque([flow.start])
    while todo:
        node_id = todo.popleft()
        if node_id == target:
            break
        node = flow.nodes.get(node_id)
        if node is None:
            continue
        for index, nxt in _edges(node):
            if nxt not in came:
                came[nxt] = (node_id, index)
                todo.append(nxt)
    if target not in came:
        return None
    choices: dict[str, int] = {}
    node_id = target
    while node_id != flow.start:
        before, index = came[node_id]
        if index is not None:
            choices[before] = index
        node_id = before
    return choices


def _edges(node: Node) -> list[tuple[int | None, str]]:
    if node.options:
        return [(i, o.next) for i, o in enumerate(node.options)]
    out: list[tuple[int | None, str]] = [(None, c.next) for c in node.switch]
    if node.next:
        out.append((None, node.next))
    return out


def drop_question(events: list[Event], node: Node) -> None:
    """Remove the question `node` just asked (its `ask` and the wait) from `events`: it is
    answered from the typed message instead."""
    while events and isinstance(events[-1], WaitForInput):
        events.pop()
    if events and isinstance(events[-1], Say) and events[-1].msgid == node.ask:
        events.pop()


def saved(node: Node, index: int) -> tuple[dict[str, object], list[Event]]:
    """The variable and the `Saved` event of answering `node` with option `index`."""
    if not node.save:
        return {}, []
    option = node.options[index]
    value = option.value if option.value is not None else option.label
    return {node.save: value}, [Saved(node.flow, node.id, node.save, value)]


def menu_flows(flows: FlowSet) -> dict[str, Flow]:
    return {f.id: f for f in flows.menu()}


def waiting(node: Node) -> tuple[str, str, str]:
    """The `WaitForInput` fields of question `node`."""
    return node.flow, node.id, "options" if node.options else node.input or "text"
