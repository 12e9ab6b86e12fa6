"""Deciding a condition with the saved answers: strict about types, with a message that says
why a comparison could not be made and what to change in the flow."""

from __future__ import annotations

from collections.abc import Mapping

from bot.engine.expr.tree import (
    COMPARISONS,
    AllOf,
    AnyOf,
    Compare,
    EvalError,
    Expr,
    Literal,
    Name,
    Node,
    Not,
    Value,
)


def evaluate(expr: Expr, variables: Mapping[str, Value]) -> bool:
    """Decide `expr` with the saved answers in `variables` (a missing name is not set).
    Raises `EvalError` when a comparison cannot be made."""
    return truth(value_of(expr._tree, variables))


def _kind(value: object) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "text"
    return "other"


def truth(value: object) -> bool:
    kind = _kind(value)
    if kind == "none":
        return False
    if kind == "bool":
        return bool(value)
    if kind == "number":
        return value != 0
    if kind == "text":
        return value != ""
    raise EvalError(f"a saved answer has a value of unknown type {type(value).__name__}")


def value_of(node: Node, variables: Mapping[str, Value]) -> object:
    if isinstance(node, Name):
        return variables.get(node.name)
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Not):
        return not truth(value_of(node.operand, variables))
    if isinstance(node, AllOf):
        return all(truth(value_of(item, variables)) for item in node.items)
    if isinstance(node, AnyOf):
        return any(truth(value_of(item, variables)) for item in node.items)
    return _compare(node, value_of(node.left, variables), value_of(node.right, variables))


def _compare(node: Compare, left: object, right: object) -> bool:
    kinds = (_kind(left), _kind(right))
    if node.op in ("==", "!="):
        same = kinds[0] == kinds[1] and left == right
        return same if node.op == "==" else not same
    if kinds in (("number", "number"), ("text", "text")):
        return COMPARISONS[node.op](left, right)
    message = (
        f"cannot compare {_describe(node.left, left)} {node.op} {_describe(node.right, right)}: "
        f"'{node.op}' compares two numbers or two texts"
    )
    unset = [
        n.name
        for n, v in ((node.left, left), (node.right, right))
        if isinstance(n, Name) and v is None
    ]
    if unset:
        message += (
            f". '{unset[0]}' is not set on this path: make sure its question comes before "
            "this switch on every path that leads here"
        )
    elif set(kinds) == {"number", "text"}:
        message += ". Ask the question with 'input: number' so the answer is a number"
    elif "bool" in kinds:
        message += ". Test a yes/no answer on its own: 'has_debt' or 'not has_debt'"
    raise EvalError(message, node.offset)


def _describe(node: Name | Literal, value: object) -> str:
    if isinstance(node, Literal):
        return node.text
    kind = _kind(value)
    if kind == "none":
        return f"{node.name} (not set)"
    if kind == "bool":
        return f"{node.name} (a yes/no answer)"
    if kind == "text":
        text = str(value)
        return f"{node.name} (the text '{text[:40]}{'…' if len(text) > 40 else ''}')"
    return f"{node.name} ({value!r})"
