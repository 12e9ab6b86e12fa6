"""Reading one node of a flow: which kind it is, and whether its keys fit that kind.

Kinds: a question (`ask`, with `options` or an `input`), a message (`say`, then `next`,
`goto`, `end` or `escalate`), and a `switch`. Problems go to the `Reader`; the node is built
from whatever was valid, so that later checks (loops, unreachable nodes) still run.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.engine.branches import read_cases, read_options
from bot.engine.follow_ups import read_follow_up
from bot.engine.model import INPUT_TYPES, PRIORITIES, Escalation, Node
from bot.engine.reader import VARIABLE, Context, Reader, closest, kind, node_ref
from bot.engine.words import read_words
from bot.yamldoc import YamlPath

NODE_KEYS = (
    "say",
    "ask",
    "options",
    "input",
    "save",
    "next",
    "switch",
    "escalate",
    "goto",
    "end",
    "words",
    "follow_up",
)
ESCALATE_KEYS = ("priority", "reason")

_NODE_HINTS = {
    **dict.fromkeys(
        ("label", "value"), "it belongs to an answer under 'options:'; check the indent"
    ),
    **dict.fromkeys(("if", "else"), "it belongs to an item under 'switch:'; check the indent"),
    **dict.fromkeys(ESCALATE_KEYS, "it belongs under 'escalate:'; check the indent"),
    **dict.fromkeys(
        ("flow", "title", "menu", "start", "nodes"),
        "it belongs at the top of the file, not in a node; check the indent",
    ),
}
_INPUT_ALIASES = {"tekst": "text", "getal": "number", "nummer": "number", "ja_nee": "yes_no"}
_INPUT_ALIASES |= {"datum": "date", "postcode_nl": "postcode", "bool": "yes_no"}
_PRIORITY_ALIASES = {"spoed": "urgent", "dringend": "urgent", "hoog": "high", "normaal": "normal"}
_WAYS = ("next", "goto", "end", "escalate")


def read_node(r: Reader, ctx: Context, node_id: str, data: Any) -> Node:
    path: YamlPath = ("nodes", node_id)
    base = Node(id=node_id, flow=ctx.flow, pos=r.pos(path))
    if not data:
        r.error(path, f"node '{node_id}' is empty (add 'say:' or 'ask:', and where to go next)")
        return base
    if not isinstance(data, dict):
        r.error(
            path,
            f"a node must have keys such as 'say:' and 'next:', not {kind(data)} "
            "(put them on the lines below, indented)",
            at="value",
        )
        return base
    meant = r.keys(path, data, NODE_KEYS, _NODE_HINTS, "a node")
    if "words" in data:
        base = replace(base, words=read_words(r, (*path, "words"), data["words"]))
    if "follow_up" in data and "switch" not in data:
        base = replace(base, follow_up=read_follow_up(r, (*path, "follow_up"), data["follow_up"]))
    if "switch" in data:
        return _switch_node(r, ctx, path, data, base)
    if "ask" in data:
        return _question(r, ctx, path, data, base, meant)
    if meant & {"switch", "ask"}:
        return base  # a misspelt kind: the rest of the node would only add confusing errors
    return _message(r, ctx, path, data, base, meant)


def _switch_node(r: Reader, ctx: Context, path: YamlPath, data: dict, base: Node) -> Node:
    for key in data:
        if key == "next":
            r.error(
                (*path, key),
                "a switch chooses the way on itself (remove 'next'; use '- else: <node>' "
                "for the other cases)",
            )
        elif key in NODE_KEYS and key not in ("switch", "words"):
            r.error(
                (*path, key),
                f"a switch node cannot have '{key}' (put it in a node before or after the switch)",
            )
    return replace(base, switch=read_cases(r, ctx, (*path, "switch"), data["switch"]))


def _question(
    r: Reader, ctx: Context, path: YamlPath, data: dict, base: Node, meant: set[str]
) -> Node:
    for key in ("goto", "end", "escalate"):
        if key in data:
            r.error(
                (*path, key),
                f"a question waits for an answer, so '{key}' cannot be here "
                "(put it in the node the answer leads to)",
            )
    fields: dict[str, Any] = {
        "ask": r.text((*path, "ask"), data["ask"]) or "",
        "say": r.text((*path, "say"), data["say"]) if "say" in data else None,
        "save": _save(r, path, data),
    }
    if "options" in data:
        if "input" in data:
            r.error((*path, "input"), "a question has 'options' or 'input', not both (remove one)")
        if "next" in data:
            r.error(
                (*path, "next"),
                "options decide where to go (remove 'next'; give each answer its own 'next:')",
            )
        saves = "save" in data
        fields["options"] = read_options(r, ctx, (*path, "options"), data["options"], saves)
    else:
        fields["input"] = _input(r, (*path, "input"), data.get("input", "text"))
        if "next" in data:
            fields["next"] = node_ref(r, ctx, (*path, "next"), data["next"])
        elif not meant & {"next", "options"}:
            r.error(
                path,
                f"question '{base.id}' has no 'next' (add 'next: <node>': where to go after "
                "the answer)",
            )
    return replace(base, **fields)


def _save(r: Reader, path: YamlPath, data: dict) -> str | None:
    if "save" not in data:
        return None
    return r.name((*path, "save"), data["save"], "name", pattern=VARIABLE, example="debt_total")


def _input(r: Reader, path: YamlPath, value: Any) -> str | None:
    if value in INPUT_TYPES:
        return value
    types = ", ".join(INPUT_TYPES)
    if not isinstance(value, str):
        r.error(path, f"must be one of: {types} (not {kind(value)})", at="value")
        return None
    hint = _guess(value, INPUT_TYPES, _INPUT_ALIASES)
    r.error(path, f"unknown input type '{value}' ({hint}use one of: {types})", at="value")
    return None


def _guess(value: str, choices: tuple[str, ...], aliases: dict[str, str]) -> str:
    """`did you mean 'x'? ` from a Dutch alias or a close spelling, else ""."""
    match = aliases.get(value.lower().replace("-", "_").replace(" ", "_"))
    match = match or closest(value, choices)
    return f"did you mean '{match}'? " if match else ""


def _message(
    r: Reader, ctx: Context, path: YamlPath, data: dict, base: Node, meant: set[str]
) -> Node:
    has_say = "say" in data
    for key in ("options", "input", "save"):
        if key in data:
            fix = "change 'say:' to 'ask:'" if has_say else "add 'ask: <question>'"
            r.error((*path, key), f"'{key}' belongs to a question ({fix})")
    ways = [key for key in data if key in _WAYS]
    if not ways and not meant & set(_WAYS):
        r.error(
            path,
            f"node '{base.id}' does nothing next (add 'next:', 'goto:', 'end: true' or "
            "'escalate:')",
        )
    elif not has_say and ways == ["next"] and "say" not in meant:
        r.error(path, f"node '{base.id}' says nothing (add 'say: <text>', or skip this node)")
    _conflicts(r, path, ways)
    fields: dict[str, Any] = {}
    if has_say:
        fields["say"] = r.text((*path, "say"), data["say"])
    if "next" in data:
        fields["next"] = node_ref(r, ctx, (*path, "next"), data["next"])
    if "goto" in data:
        fields["goto"] = _goto(r, (*path, "goto"), data["goto"])
    if "end" in data:
        if data["end"] is not True:
            r.error((*path, "end"), "must be 'true' (write 'end: true', or remove it)", at="value")
        fields["end"] = True
    if "escalate" in data:
        fields["escalate"] = _escalation(r, (*path, "escalate"), data["escalate"])
    return replace(base, **fields)


def _conflicts(r: Reader, path: YamlPath, ways: list[str]) -> None:
    """`next`, `goto` and `end` exclude each other; `escalate` goes with `next` or `end`."""
    first: str | None = None
    for key in ways:
        if key == "escalate":
            if "goto" in ways:
                later = key if ways.index("goto") < ways.index(key) else "goto"
                r.error(
                    (*path, later),
                    "'escalate' and 'goto' cannot go together (after 'escalate:' the flow ends, "
                    "or goes on with 'next:' in this flow)",
                )
            continue
        if first is None:
            first = key
            continue
        line = r.line_of((*path, first))
        r.error(
            (*path, key),
            f"conflicts with '{first}' on line {line} (a node goes on one way only; "
            "keep one of them)",
        )


def _goto(r: Reader, path: YamlPath, value: Any) -> str | None:
    target = r.name(path, value, "flow id")
    if target:
        r.gotos.append((path, target))
    return target


def _escalation(r: Reader, path: YamlPath, value: Any) -> Escalation | None:
    example = "escalate: {priority: high, reason: eviction}"
    if not isinstance(value, dict):
        r.error(path, f"must have 'priority:' and 'reason:', not {kind(value)} (e.g. '{example}')")
        return None
    meant = r.keys(path, value, ESCALATE_KEYS, {}, "escalate")
    choices = "use urgent, high or normal"
    priority = value.get("priority")
    if "priority" not in value:
        if "priority" not in meant:
            r.error(path, "has no 'priority' (add 'priority: urgent', 'high' or 'normal')")
    elif priority not in PRIORITIES:
        hint = _guess(priority, PRIORITIES, _PRIORITY_ALIASES) if isinstance(priority, str) else ""
        r.error((*path, "priority"), f"unknown priority '{priority}' ({hint}{choices})", at="value")
    reason = None
    if "reason" in value:
        reason = r.name((*path, "reason"), value["reason"], "reason", example="eviction")
    elif "reason" not in meant:
        r.error(path, "has no 'reason' (add 'reason: <one word>', e.g. 'reason: eviction')")
    if priority in PRIORITIES and reason:
        return Escalation(priority, reason)
    return None
