"""The shape of the code (issue 14, docs/architecture.md): no import circles among the modules
of bot/ and storage/, few modules loose in bot/, and no module longer than a reader can hold.

Imports are read from the source with `ast`, so every one counts: at the top, inside functions
(lazy imports), under `if TYPE_CHECKING:`, and relative ones (`from . import x`). An import names
the module it reads (`from bot.outbox.results import Sent` is an edge to bot.outbox.results, and
`from bot.conversation import privacy` one to bot.conversation.privacy when that is a module).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "storage")
MAX_LOOSE = 8
MAX_LINES = 400
# Modules over MAX_LINES that someone has taken on, with who and why; remove the line with the
# split (the test says so when the module is short enough).
KNOWN_LONG: dict[str, str] = {}


def modules(root: Path = ROOT) -> dict[str, Path]:
    """Dotted name -> file, for every module of `PACKAGES` (Alembic's scripts are not modules
    of the program)."""
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            if "migrations" in path.relative_to(root).parts:
                continue
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _resolve(name: str, known: Mapping[str, Path]) -> str | None:
    """The module of ours `name` is, or is inside (`bot.x.Thing` -> `bot.x`)."""
    while name:
        if name in known:
            return name
        name = name.rpartition(".")[0]
    return None


def imports_of(module: str, path: Path, known: Mapping[str, Path]) -> set[str]:
    """The modules of ours that `module` imports, anywhere in its source."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module or ""
            # `from a import b`: b may be a module of its own, else a name in a.
            names = [f"{origin}.{alias.name}" for alias in node.names] or [origin]
        else:
            continue
        for name in names:
            target = _resolve(name, known)
            if target is not None and target != module:
                found.add(target)
    return found


def import_graph(root: Path = ROOT) -> dict[str, set[str]]:
    known = modules(root)
    return {module: imports_of(module, path, known) for module, path in known.items()}


def cycles(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """The import circles: every strongly connected group of more than one module (or one that
    imports itself), each sorted, found with Tarjan's algorithm (iteratively: no recursion
    limit however deep the chain)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(graph.get(start, ())))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            advanced = False
            for target in edges:
                if target not in index:
                    index[target] = low[target] = counter
                    counter += 1
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(graph.get(target, ()))))
                    advanced = True
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1 or node in graph.get(node, ()):
                    found.append(sorted(group))
    return found


def test_the_cycle_finder_finds_a_circle_and_only_that():
    graph = {
        "a": {"b"},
        "b": {"c"},
        "c": {"a", "d"},  # a -> b -> c -> a
        "d": {"e"},
        "e": set(),
        "f": {"f"},  # a module importing itself
        "g": {"a"},  # leads into the circle, is not part of it
    }
    assert sorted(cycles(graph)) == [["a", "b", "c"], ["f"]]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_relative_and_lazy_imports_are_read(tmp_path: Path):
    (tmp_path / "bot" / "pkg").mkdir(parents=True)
    (tmp_path / "storage").mkdir()
    (tmp_path / "bot" / "__init__.py").write_text("")
    (tmp_path / "bot" / "pkg" / "__init__.py").write_text("from . import one\n")
    (tmp_path / "bot" / "pkg" / "one.py").write_text(
        "def later():\n    from ..two import thing\n    return thing\n"
    )
    (tmp_path / "bot" / "two.py").write_text("from bot.pkg import one as again\n")
    graph = import_graph(tmp_path)
    assert graph["bot.pkg"] == {"bot.pkg.one"}
    assert graph["bot.pkg.one"] == {"bot.two"}
    assert graph["bot.two"] == {"bot.pkg.one"}
    assert cycles(graph) == [["bot.pkg.one", "bot.two"]]


def test_no_import_circles_among_bot_and_storage():
    graph = import_graph()
    assert len(graph) > 100  # the walk found the code
    assert cycles(graph) == []


def test_few_modules_lie_loose_in_bot():
    loose = sorted(p.name for p in (ROOT / "bot").glob("*.py") if p.name != "__init__.py")
    assert len(loose) <= MAX_LOOSE, f"{len(loose)} modules loose in bot/: {loose}"


def test_no_module_is_longer_than_a_reader_can_hold():
    lengths = {
        path.relative_to(ROOT).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
        for path in modules().values()
    }
    too_long = {p: n for p, n in lengths.items() if n > MAX_LINES and p not in KNOWN_LONG}
    assert too_long == {}, f"split these modules (at most {MAX_LINES} lines each)"
    for path, why in KNOWN_LONG.items():
        assert lengths.get(path, 0) > MAX_LINES, (
            f"{path} is short enough now ({why}): remove it from KNOWN_LONG"
        )
