"""Loading a folder of flow files into a checked `FlowSet`.

Every `*.yaml` / `*.yml` directly in the folder holds one flow (subfolders such as `tests/`
and `risk/` have formats of their own), except `local.yaml`: the deployment's local contacts
(`bot/engine/local.py`). All problems of all files are found in one run:
first each file on its own (`flowfile`), then what needs every file (`checks`).
"""

from __future__ import annotations

import re
from pathlib import Path
from types import MappingProxyType

from bot import yamldoc
from bot.engine import checks, local
from bot.engine.errors import FlowSetInvalid
from bot.engine.flowfile import read_flow
from bot.engine.model import Flow, FlowSet
from bot.engine.reader import Reader
from bot.yamldoc import Problem

SUFFIXES = (".yaml", ".yml")


_FLOW_LINE = re.compile(r"^flow:\s*['\"]?([a-z0-9_]+)['\"]?\s*(?:#.*)?$", re.MULTILINE)


def check(directory: Path | str) -> tuple[FlowSet | None, list[Problem]]:
    """Read and check every flow file in `directory`. Returns the flows (None when there is
    any error) and every problem found, warnings included."""
    directory = Path(directory)
    if not directory.is_dir():
        return None, [Problem(str(directory), 1, 1, "error", "no such folder (check the path)")]
    paths = sorted(
        p
        for p in directory.iterdir()
        if p.suffix in SUFFIXES and p.is_file() and p.name != local.FILE
    )
    if not paths:
        message = "no flow files here (a flow is a file ending in .yaml)"
        return None, [Problem(str(directory), 1, 1, "error", message)]

    problems: list[Problem] = []
    contacts = local.read_local(directory, problems)
    readers: list[Reader] = []
    unreadable: set[str] = set()  # flow ids of files that cannot be read at all
    for path in paths:
        doc, found = yamldoc.read(path, display=str(directory / path.name))
        problems.extend(found)
        if doc is not None:  # else a YAML syntax error: nothing more to check in this file
            lines = path.read_text(encoding="utf-8").splitlines()
            readers.append(Reader(doc, problems, lines))
        else:
            unreadable |= _declared_in_text(path)

    flow_ids = {r.doc.data["flow"] for r in readers if _declared_id(r)} | unreadable
    files: list[tuple[Reader, Flow]] = []
    for r in readers:
        flow = read_flow(r, flow_ids)
        if flow is not None:
            files.append((r, flow))
        elif _declared_id(r):
            unreadable.add(r.doc.data["flow"])

    by_id = _unique_ids(files)
    # A broken file is reported in that file only: no "no flow 'geld'" in the files that go
    # there, and no "never saved" for the answers it saves (no cascade into other files).
    checks.check_gotos(files, by_id, broken=unreadable)
    if not unreadable and len(files) == len(readers):
        checks.check_conditions(files)
    checks.check_loops(files, by_id)
    checks.check_reachable(files)
    local.check_references([r for r, _ in files], contacts)

    problems.sort()
    if any(p.severity == "error" for p in problems):
        return None, problems
    flows = MappingProxyType({flow.id: flow for _, flow in files})
    return FlowSet(flows, contacts), problems


def load(directory: Path | str) -> FlowSet:
    """The checked flows of `directory`; raises `FlowSetInvalid` with every problem when
    there is any error."""
    flows, problems = check(directory)
    if flows is None:
        raise FlowSetInvalid(problems)
    return flows


def _declared_in_text(path: Path) -> set[str]:
    """The `flow:` id of a file YAML cannot read, from its text (empty when not found)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return set()
    found = _FLOW_LINE.search(text)
    return {found.group(1)} if found else set()


def _declared_id(r: Reader) -> bool:
    data = r.doc.data
    return isinstance(data, dict) and isinstance(data.get("flow"), str)


def _unique_ids(files: list[tuple[Reader, Flow]]) -> dict[str, int]:
    """Flow id -> index in `files` of the first file with that id. A later file with the
    same id gets an error at its `flow:` line."""
    by_id: dict[str, int] = {}
    for i, (r, flow) in enumerate(files):
        if not flow.id:
            continue
        if flow.id in by_id:
            first = files[by_id[flow.id]][0].path
            r.error(
                ("flow",),
                f"flow id '{flow.id}' is already used by {first} (give this flow another id)",
                at="value",
            )
        else:
            by_id[flow.id] = i
    return by_id
