"""Reading one flow file: its top-level keys, its node ids, and each node (see `nodes`)."""

from __future__ import annotations

from collections.abc import Collection
from types import MappingProxyType
from typing import Any

from bot.engine.model import Flow, Node
from bot.engine.nodes import NODE_KEYS, read_node
from bot.engine.reader import NAME, Context, Reader, closest, kind, suggest_name
from bot.engine.state import MENU
from bot.engine.words import read_words

FLOW_KEYS = ("flow", "title", "menu", "start", "nodes", "words")

_TOP_HINTS = dict.fromkeys(NODE_KEYS, "it belongs in a node under 'nodes:'; check the indent")


def read_flow(r: Reader, flow_ids: Collection[str]) -> Flow | None:
    """The flow in `r.doc`, built from whatever is valid (None when there is no flow at all).
    Every problem is recorded in `r`; `flow_ids` are the ids of all flow files."""
    data = r.doc.data
    if data is None:
        r.error((), "the file is empty (start with 'flow: <id>', 'start: <node>' and 'nodes:')")
        return None
    if not isinstance(data, dict):
        r.error(
            (),
            f"a flow file must have keys such as 'flow:', 'start:' and 'nodes:', not {kind(data)}",
            at="value",
        )
        return None
    # A misspelt key is reported as unknown, and not once more as missing.
    meant = r.keys((), data, FLOW_KEYS, _TOP_HINTS, "a flow")

    flow_id = _flow_id(r, data, meant)
    title = r.text(("title",), data["title"], label=True) if "title" in data else None
    menu = _menu(r, data)
    words = read_words(r, ("words",), data["words"]) if "words" in data else None
    nodes_data = _nodes_data(r, data, meant)
    start = _start(r, data, list(nodes_data), meant)

    ctx = Context(flow_id or "", frozenset(nodes_data), frozenset(flow_ids))
    nodes: dict[str, Node] = {}
    for node_id, node_data in nodes_data.items():
        if not NAME.match(node_id):
            r.error(
                ("nodes", node_id),
                f"node id '{node_id}' can only have lowercase letters, digits and '_' "
                f"(e.g. '{suggest_name(node_id) or 'step_1'}')",
            )
        nodes[node_id] = read_node(r, ctx, node_id, node_data)
    return Flow(
        id=flow_id or "",
        title=title,
        start=start or "",
        nodes=MappingProxyType(nodes),
        menu=menu,
        path=r.path,
        words=words,
    )


def _flow_id(r: Reader, data: dict[str, Any], meant: set[str]) -> str | None:
    if "flow" not in data:
        if "flow" not in meant:
            r.error((), "no 'flow:' (add 'flow: <id>' at the top, e.g. 'flow: debt')", at="value")
        return None
    flow_id = r.name(("flow",), data["flow"], "flow id")
    if flow_id == MENU:
        r.error(("flow",), f"'{MENU}' is kept for the main menu (choose another id)", at="value")
    return flow_id


def _menu(r: Reader, data: dict[str, Any]) -> int | None:
    if "menu" not in data:
        return None
    menu = data["menu"]
    if not isinstance(menu, int) or isinstance(menu, bool):
        r.error(("menu",), f"must be a whole number, not {kind(menu)} (e.g. 'menu: 1')", at="value")
        return None
    if "title" not in data:
        r.warning(("menu",), "has no effect without 'title' (add a title, or remove 'menu')")
    return menu


def _nodes_data(r: Reader, data: dict[str, Any], meant: set[str]) -> dict[str, Any]:
    if "nodes" not in data:
        if "nodes" not in meant:
            r.error((), "no 'nodes:' (add 'nodes:' with at least one node under it)", at="value")
        return {}
    nodes = data["nodes"]
    if not nodes:
        r.error(("nodes",), "has no nodes (add at least one node under 'nodes:', indented)")
        return {}
    if not isinstance(nodes, dict):
        r.error(
            ("nodes",),
            f"must be nodes, each an id with ':' and its keys below it, not {kind(nodes)}",
            at="value",
        )
        return {}
    return nodes


def _start(r: Reader, data: dict[str, Any], node_ids: list[str], meant: set[str]) -> str | None:
    first = node_ids[0] if node_ids else "<first node>"
    if "start" not in data:
        if "start" not in meant:
            r.error((), f"no 'start:' (add 'start: {first}')", at="value")
        return None
    start = data["start"]
    if isinstance(start, int) and not isinstance(start, bool):
        start = str(start)
    if not isinstance(start, str) or not start:
        r.error(
            ("start",), f"must be a node id, not {kind(start)} (e.g. 'start: {first}')", at="value"
        )
        return None
    if node_ids and start not in node_ids:
        match = closest(start, node_ids)
        fix = f"did you mean '{match}'?" if match else f"the first node is '{first}'"
        r.error(("start",), f"no node '{start}' ({fix})", at="value")
    return start
