"""The loaded, checked form of the flows: what the loader builds and the runtime walks.

Everything here is immutable. Positions (`Pos`) point back into the YAML so that run-time
errors can name the place an author must fix.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

INPUT_TYPES = ("text", "number", "yes_no", "date", "postcode")
PRIORITIES = ("urgent", "high", "normal")


@dataclass(frozen=True)
class Pos:
    """A place in a flow file: 1-based line and column."""

    path: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Option:
    """One answer of a question with buttons."""

    label: str
    next: str
    value: str | int | float | bool | None = None
    pos: Pos | None = field(default=None, compare=False)
    words: str | None = None  # what residents type for this answer (`engine.words`)


@dataclass(frozen=True)
class Case:
    """One branch of a `switch`: `expr` is None for the `else` branch."""

    expr: Any  # bot.engine.expr.Expr, or None for else
    source: str | None
    next: str
    pos: Pos | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Escalation:
    priority: str
    reason: str


@dataclass(frozen=True)
class FollowUpSpec:
    """A node's `follow_up:` (bot/engine/follow_ups.py): after how many days, and the question
    (a msgid with the node's context)."""

    days: int
    ask: str


@dataclass(frozen=True)
class Node:
    """One node of a flow. Which fields are set decides what the node does:

    - `say`: a message, then on to `next` / `goto` / `end` / `escalate`.
    - `ask` with `options`: a question with buttons; waits.
    - `ask` with `input`: a typed question; waits, checks, stores in `save`, goes to `next`.
    - `switch`: picks the first case whose expression holds.
    """

    id: str
    flow: str
    say: str | None = None
    ask: str | None = None
    options: tuple[Option, ...] = ()
    input: str | None = None
    save: str | None = None
    next: str | None = None
    switch: tuple[Case, ...] = ()
    escalate: Escalation | None = None
    goto: str | None = None
    end: bool = False
    pos: Pos | None = field(default=None, compare=False)
    words: str | None = None  # a typed message with these words starts the flow here
    follow_up: FollowUpSpec | None = None  # ask later whether it worked

    @property
    def waits(self) -> bool:
        return self.ask is not None

    @property
    def context(self) -> str:
        """msgctxt of this node's texts in the catalogs."""
        return f"{self.flow}.{self.id}"


@dataclass(frozen=True)
class Flow:
    id: str
    title: str | None
    start: str
    nodes: Mapping[str, Node]
    menu: int | None = None
    path: str = ""
    words: str | None = None  # a typed message with these words starts the flow

    @property
    def title_context(self) -> str:
        return f"{self.id}.title"


@dataclass(frozen=True)
class FlowSet:
    """All flows of a folder, checked. Build one with `bot.engine.load()`."""

    flows: Mapping[str, Flow]
    local: Mapping[str, str] = field(default_factory=dict)  # flows/local.yaml: name -> text

    def menu(self) -> list[Flow]:
        """Flows shown in the main menu: those with a title, by `menu:` number, then id."""
        shown = [f for f in self.flows.values() if f.title]
        return sorted(shown, key=lambda f: (f.menu if f.menu is not None else 1000, f.id))

    def node(self, flow: str, node: str) -> Node | None:
        f = self.flows.get(flow)
        return f.nodes.get(node) if f else None
