"""The events that ask a question: the main menu's and a node's, with their buttons."""

from __future__ import annotations

from bot.engine import local, texts
from bot.engine.events import ENGINE_CONTEXT, Button, Event, Say, WaitForInput
from bot.engine.model import FlowSet, Node
from bot.engine.state import MENU, State

HUMAN = Button(texts.HUMAN_BUTTON, ENGINE_CONTEXT, "/mens")
MENU_BTN = Button(texts.MENU_BUTTON, ENGINE_CONTEXT, "/menu")


def menu_question(flows: FlowSet, wait: str) -> list[Event]:
    buttons = [
        Button(title, context, f"{wait}:{i}")
        for i, (title, context) in enumerate(menu_labels(flows), start=1)
    ]
    return [Say(texts.MENU_ASK, buttons=(*buttons, HUMAN)), WaitForInput(MENU, "menu", "options")]


def menu_labels(flows: FlowSet) -> list[tuple[str, str]]:
    return [(f.title or f.id, f.title_context) for f in flows.menu()]


def question(node: Node, wait: str, state: State, flows: FlowSet) -> list[Event]:
    assert node.ask is not None
    if node.options:
        buttons = tuple(
            Button(o.label, node.context, f"{wait}:{i}") for i, o in enumerate(node.options, 1)
        )
        if not _to_person(flows, node):  # one way to a person, not two
            buttons = (*buttons, HUMAN)
        kind = "options"
    else:
        kind = node.input or "text"
        buttons = ()
        if kind == "yes_no":
            buttons = (
                Button(texts.YES, ENGINE_CONTEXT, f"{wait}:y"),
                Button(texts.NO, ENGINE_CONTEXT, f"{wait}:n"),
            )
    say = Say(node.ask, node.context, params=params(flows, state), buttons=buttons)
    return [say, WaitForInput(node.flow, node.id, kind)]


def params(flows: FlowSet, state: State) -> dict[str, object]:
    """The values a text may show: saved answers and the local contacts (`{lokaal.name}`)."""
    return {**state.vars, **local.params(flows.local)}


def _to_person(flows: FlowSet, node: Node) -> bool:
    """One of the question's own options is the way to a person: it goes straight to a node
    that asks for one (a `normal` escalation; an urgent topic is not a request for a person)."""
    targets = (flows.node(node.flow, o.next) for o in node.options if o.next)
    return any(
        t is not None and t.ask is None and t.escalate and t.escalate.priority == "normal"
        for t in targets
    )
