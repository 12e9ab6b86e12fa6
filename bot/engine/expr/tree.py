"""The pieces of a condition: the limits, the two errors, the tokens, the tree the parser
builds, and `Expr`, the checked condition."""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass, field

MAX_LENGTH = 2000
MAX_TOKENS = 200
MAX_DEPTH = 50

Value = str | int | float | bool | None

COMPARISONS: dict[str, Callable[[object, object], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


class ExprError(Exception):
    """A condition that cannot be read. `offset` is the 0-based character where the problem
    is; `message` says what is wrong and how to fix it, for a flow author."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset

    def __str__(self) -> str:
        return self.message


class EvalError(Exception):
    """A condition that cannot be decided with the values at hand, e.g. `debt_total > 5000`
    when `debt_total` is not set. The runtime turns it into an error event."""

    def __init__(self, message: str, offset: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Token:
    kind: str  # name, number, string, op, and, or, not, true, false, (, ), -, end
    text: str
    offset: int
    value: Value = None


@dataclass(frozen=True)
class Name:
    name: str
    offset: int


@dataclass(frozen=True)
class Literal:
    value: str | int | float | bool
    text: str
    offset: int


@dataclass(frozen=True)
class Not:
    operand: Node


@dataclass(frozen=True)
class AllOf:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class AnyOf:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Compare:
    op: str
    left: Name | Literal
    right: Name | Literal
    offset: int


Node = Name | Literal | Not | AllOf | AnyOf | Compare


@dataclass(frozen=True)
class Expr:
    """A checked condition. `names` are the saved answers it reads."""

    source: str
    names: frozenset[str]
    _tree: Node = field(repr=False, compare=False)
