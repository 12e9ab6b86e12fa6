"""The local contacts of one deployment (`flows/local.yaml`): the night number of the
maatschappelijke opvang, the municipality's crisis service, the social team's phone, opening
hours. They differ per municipality and are no facts of the product, so they live in one
content file that flows refer to by name: `{lokaal.opvang_nacht}` in a `say:`, `ask:` or
`label:` text. `flows validate` reports a name the file lacks at the text that uses it.

The file the repository ships is an example (`example: true`): its values say that they must
be filled in, and `flows validate` warns until a team has done that (docs/content.md).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from bot import yamldoc
from bot.engine.reader import Reader
from bot.yamldoc import Problem

FILE = "local.yaml"
PREFIX = "lokaal."
REFERENCE = re.compile(r"\{lokaal\.([a-z0-9_]+)\}")
NAME = re.compile(r"[a-z][a-z0-9_]*")
TEXT_KEYS = ("say", "ask")


def read_local(directory: Path, problems: list[Problem]) -> Mapping[str, str]:
    """name -> text of `directory/local.yaml` (empty when there is no such file)."""
    path = directory / FILE
    if not path.is_file():
        return MappingProxyType({})
    doc, found = yamldoc.read(path, display=str(path))
    problems.extend(found)
    if doc is None:
        return MappingProxyType({})
    data = doc.data if isinstance(doc.data, dict) else {}
    contacts = data.get("contacts")
    if not isinstance(contacts, dict):
        problems.append(doc.problem((), "local.yaml needs 'contacts:', one name per contact"))
        return MappingProxyType({})
    values: dict[str, str] = {}
    for name, entry in contacts.items():
        text = entry.get("text") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not NAME.fullmatch(name):
            problems.append(
                doc.problem(("contacts", name), "a name has lowercase letters, digits and '_'")
            )
        elif not isinstance(text, str) or not text.strip():
            problems.append(doc.problem(("contacts", name), f"'{name}' needs 'text:'"))
        else:
            values[name] = text.strip()
    if data.get("example") is not False:
        problems.append(
            doc.problem(
                ("example",) if "example" in data else (),
                "these local contacts are an EXAMPLE: fill in your municipality's numbers "
                "and hours, then set 'example: false' (docs/content.md)",
                severity="warning",
            )
        )
    return MappingProxyType(values)


def _texts(r: Reader):
    """(path, text) of every translatable text of one flow file."""
    nodes = r.doc.data.get("nodes") if isinstance(r.doc.data, dict) else None
    if not isinstance(nodes, dict):
        return  # reported by the flow's own checks
    for node_id, node in nodes.items():
        if not isinstance(node, dict):
            continue
        for key in TEXT_KEYS:
            if isinstance(node.get(key), str):
                yield ("nodes", node_id, key), node[key]
        for i, option in enumerate(node.get("options") or []):
            if isinstance(option, dict) and isinstance(option.get("label"), str):
                yield ("nodes", node_id, "options", i, "label"), option["label"]


def check_references(readers: list[Reader], local: Mapping[str, str]) -> None:
    """Every `{lokaal.name}` in a flow text must be in local.yaml."""
    for r in readers:
        for path, text in _texts(r):
            for match in REFERENCE.finditer(text):
                if match.group(1) not in local:
                    known = ", ".join(sorted(local)) or "none"
                    r.error_at(
                        path,
                        match.start(),
                        f"no local contact '{match.group(1)}' in {FILE} (there: {known})",
                    )


def params(local: Mapping[str, str]) -> dict[str, str]:
    """The contacts as the `{lokaal.name}` values of a text."""
    return {PREFIX + name: text for name, text in local.items()}
