"""A resident's place in the flows, as plain data that storage keeps as JSON."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

MENU = "_menu"
"""Pseudo-flow id of the main menu, which is built from the flows' titles."""

Value = str | int | float | bool | None


@dataclass(frozen=True)
class State:
    """Where a resident is. `flow`/`node` name the question waiting for an answer; both None
    means idle (the next message shows the menu). `wait` identifies the question that is
    open now, so a button of an older question is recognised as stale."""

    flow: str | None = None
    node: str | None = None
    vars: Mapping[str, Value] = field(default_factory=lambda: MappingProxyType({}))
    wait: str = ""
    tries: int = 0

    @property
    def idle(self) -> bool:
        return self.flow is None

    def with_vars(self, **values: Value) -> State:
        return replace(self, vars=MappingProxyType({**self.vars, **values}))

    def to_dict(self) -> dict[str, Any]:
        return {
            "flow": self.flow,
            "node": self.node,
            "vars": dict(self.vars),
            "wait": self.wait,
            "tries": self.tries,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> State:
        if not data:
            return cls()
        return cls(
            flow=data.get("flow"),
            node=data.get("node"),
            vars=MappingProxyType(dict(data.get("vars") or {})),
            wait=str(data.get("wait") or ""),
            tries=int(data.get("tries") or 0),
        )
