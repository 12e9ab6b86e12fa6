"""Checks over all flows together, run once every file is read: `goto:` targets, variables
in conditions, loops that never wait for the resident, and nodes nobody reaches."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Collection, Iterable, Mapping

from bot.engine.inputs import OFFICE_HOURS
from bot.engine.model import Flow, Node
from bot.engine.reader import Reader, closest

Key = tuple[int, str]
"""A node anywhere in the flow set: (index of its file, node id)."""

_TOKEN = re.compile(r"[\"'“„”‘’][^\"'“„”‘’]*[\"'“”’]?|[A-Za-z_][A-Za-z0-9_]*")


def check_gotos(
    files: list[tuple[Reader, Flow]], by_id: Mapping[str, int], broken: Collection[str] = ()
) -> None:
    """Every `goto:` names a flow; a flow whose file is broken counts (its file says why)."""
    for r, _ in files:
        for path, target in r.gotos:
            if target not in by_id and target not in broken:
                match = closest(target, by_id)
                fix = f"did you mean '{match}'?" if match else "check the 'flow:' line of that file"
                r.error(path, f"no flow '{target}' ({fix})", at="value")


def check_conditions(files: list[tuple[Reader, Flow]]) -> None:
    """Every name in an `if:` must be stored by some question's `save:`, in any flow."""
    saved = {node.save for _, flow in files for node in flow.nodes.values() if node.save}
    saved.add(OFFICE_HOURS)  # given by the engine (`Env.on_duty`), not saved by a question
    for r, _ in files:
        for path, expr in r.conditions:
            for name in sorted(expr.names - saved):
                match = closest(name, saved)
                fix = (
                    f"did you mean '{match}'?"
                    if match
                    else f"no question has 'save: {name}'; check the spelling"
                )
                r.error_at(path, _offset(expr.source, name), f"'{name}' is never saved ({fix})")


def _offset(source: str, name: str) -> int:
    """Where `name` is first used in `source` as a name (not inside a quoted text)."""
    for token in _TOKEN.finditer(source):
        if token.group() == name:
            return token.start()
    return 0


def check_loops(files: list[tuple[Reader, Flow]], by_id: Mapping[str, int]) -> None:
    """A cycle through nodes that do not wait would make the engine spin: report each one
    at its first node in file order."""
    graph: dict[Key, list[Key]] = {}
    for i, (_, flow) in enumerate(files):
        for node in flow.nodes.values():
            if not node.waits:
                graph[(i, node.id)] = list(_spin_edges(i, node, files, by_id))
    for key in graph:
        graph[key] = [k for k in graph[key] if k in graph]
    order = {key: n for n, key in enumerate(graph)}
    for component in _components(graph):
        first = min(component, key=order.__getitem__)
        if len(component) == 1 and first not in graph[first]:
            continue
        cycle = _shortest_cycle(graph, first, set(component))
        names = " -> ".join(_name(key, first[0], files) for key in cycle)
        r, _ = files[first[0]]
        r.error(
            ("nodes", first[1]),
            f"loop without a question: {names} (the bot would repeat forever; "
            "add a question with 'ask:' in the loop)",
        )


def _spin_edges(
    i: int, node: Node, files: list[tuple[Reader, Flow]], by_id: Mapping[str, int]
) -> Iterable[Key]:
    """Where the engine goes from a node that does not wait, without asking anything."""
    for case in node.switch:
        yield (i, case.next)
    if node.next:
        yield (i, node.next)
    if node.goto and node.goto in by_id:
        j = by_id[node.goto]
        yield (j, files[j][1].start)


def _components(graph: Mapping[Key, list[Key]]) -> list[list[Key]]:
    """Strongly connected components (Tarjan's algorithm, without recursion)."""
    index: dict[Key, int] = {}
    low: dict[Key, int] = {}
    stack: list[Key] = []
    on_stack: set[Key] = set()
    found: list[list[Key]] = []
    for root in graph:
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter(graph[root]))]
        while work:
            v, successors = work[-1]
            for w in successors:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(graph[w])))
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[v])
                if low[v] == index[v]:
                    component = []
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        component.append(w)
                        if w == v:
                            break
                    found.append(component)
    return found


def _shortest_cycle(graph: Mapping[Key, list[Key]], first: Key, within: set[Key]) -> list[Key]:
    """`first -> ... -> first`, as short as possible, through nodes of `within`."""
    came_from: dict[Key, Key] = {}
    queue = deque([first])
    while queue:
        v = queue.popleft()
        for w in graph[v]:
            if w == first:
                path = [v]
                while path[-1] != first:
                    path.append(came_from[path[-1]])
                return [*reversed(path), first]
            if w in within and w not in came_from:
                came_from[w] = v
                queue.append(w)
    return [first, first]  # pragma: no cover - a component always has a cycle


def _name(key: Key, home: int, files: list[tuple[Reader, Flow]]) -> str:
    """A node id, with its flow id in front when it is in another flow than `home`."""
    if key[0] == home:
        return key[1]
    return f"{files[key[0]][1].id}.{key[1]}"


def check_reachable(files: list[tuple[Reader, Flow]]) -> None:
    """Warn about nodes that no path from `start` leads to."""
    for r, flow in files:
        if flow.start not in flow.nodes:
            continue
        seen = {flow.start}
        queue = deque([flow.start])
        while queue:
            node = flow.nodes[queue.popleft()]
            targets = [node.next, *(o.next for o in node.options), *(c.next for c in node.switch)]
            for target in targets:
                if target in flow.nodes and target not in seen:
                    seen.add(target)
                    queue.append(target)
        for node_id in flow.nodes:
            if node_id not in seen:
                r.warning(
                    ("nodes", node_id),
                    f"node '{node_id}' is never reached from the start (link to it with "
                    "'next:', or remove it)",
                )
