"""YAML content files (flows, risk phrases, canned replies) read with positions.

Authors are social workers: every problem is reported with file, line and column, and all of
them in one go. Two traps of plain PyYAML are closed here:

- duplicate keys: PyYAML keeps the last one silently; here it is an error.
- YAML 1.1 guesses: `No`, `yes`, `on` become booleans and `12:30` a number; here only
  `true`/`false` are booleans, and only plain decimal numbers are numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

YamlPath = tuple[str | int, ...]

_INT = re.compile(r"[-+]?[0-9]+\Z")
_FLOAT = re.compile(r"[-+]?[0-9]+\.[0-9]+\Z")


@dataclass(frozen=True, order=True)
class Problem:
    """One finding in a content file, printed as `path:line:col: severity: where: message`."""

    path: str
    line: int
    col: int
    severity: str  # "error" or "warning"
    message: str
    where: str = ""

    def __str__(self) -> str:
        where = f"{self.where}: " if self.where else ""
        return f"{self.path}:{self.line}:{self.col}: {self.severity}: {where}{self.message}"


@dataclass
class Doc:
    """A parsed YAML file: plain Python `data`, and the position of every key and value.

    Positions are looked up by path, e.g. `("nodes", "amount", "next")`; lines and columns
    are 1-based.
    """

    path: str
    data: Any
    keys: dict[YamlPath, tuple[int, int]] = field(default_factory=dict)
    values: dict[YamlPath, tuple[int, int]] = field(default_factory=dict)

    def key_pos(self, path: YamlPath) -> tuple[int, int]:
        """Where the key of `path` stands, or the nearest enclosing place that is known."""
        for i in range(len(path), -1, -1):
            pos = self.keys.get(path[:i]) or self.values.get(path[:i])
            if pos:
                return pos
        return (1, 1)

    def value_pos(self, path: YamlPath) -> tuple[int, int]:
        """Where the value of `path` starts, falling back to its key or an ancestor."""
        return self.values.get(path) or self.key_pos(path)

    def problem(
        self, path: YamlPath, message: str, *, severity: str = "error", at: str = "key"
    ) -> Problem:
        line, col = self.value_pos(path) if at == "value" else self.key_pos(path)
        return Problem(self.path, line, col, severity, message, dotted(path))


def dotted(path: YamlPath) -> str:
    """`("nodes", "situation", "options", 0, "next")` -> `nodes.situation.options[1].next`
    (list items counted from 1, as an author counts them)."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def read(path: Path | str, *, display: str | None = None) -> tuple[Doc | None, list[Problem]]:
    """Parse one YAML file. Returns the document (None when it cannot be parsed at all) and
    every problem found while reading it."""
    shown = display or str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return None, [
            Problem(shown, 1, 1, "error", f"not UTF-8 text ({exc.reason}); save it as UTF-8")
        ]
    return parse(text, shown)


def parse(text: str, display: str) -> tuple[Doc | None, list[Problem]]:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        return None, [_syntax_problem(exc, text, display)]
    except yaml.YAMLError as exc:  # pragma: no cover - PyYAML raises marked errors for text
        return None, [Problem(display, 1, 1, "error", f"YAML syntax: {exc}")]
    doc = Doc(display, None)
    problems: list[Problem] = []
    if root is not None:
        doc.data = _build(root, (), doc, problems)
    return doc, problems


def _syntax_problem(exc: yaml.MarkedYAMLError, text: str, display: str) -> Problem:
    """PyYAML's complaint, moved to the line an author must fix and said in plain words."""
    problem, context = exc.problem or "", exc.context or ""
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    opened = exc.context_mark
    lines = text.splitlines()
    message = f"YAML syntax: {problem or context or 'cannot read this YAML'}"
    if "quoted scalar" in context and opened:
        line, col = opened.line + 1, opened.column + 1
        message = (
            "YAML syntax: this text opens a quote that is never closed (add the closing quote)"
        )
    elif "flow sequence" in context or "flow mapping" in context:
        if opened:
            line, col = opened.line + 1, opened.column + 1
        message = (
            "YAML syntax: a '[' or '{' here is never closed "
            "(a text that starts with '[' or '{' must be in quotes)"
        )
    elif "'\\t'" in problem:
        message += " (indent with spaces, not tabs)"
    elif "mapping values are not allowed" in problem and _key_too_deep(lines, line, col):
        line, col, message = _key_too_deep(lines, line, col)
    elif "mapping values are not allowed" in problem:
        before = _previous_line(lines, line - 1)
        if (
            before is not None
            and ":" not in lines[before]
            and not lines[before].lstrip().startswith("-")
        ):
            word = lines[before].strip()
            line, col = before + 1, len(lines[before]) - len(lines[before].lstrip()) + 1
            message = f"YAML syntax: '{word}' needs a ':' at the end (write '{word}:')"
        else:
            message += " (a ':' inside a text? put the text in quotes)"
    elif "expected <block end>" in problem and _inside_line(lines, line, col):
        message = (
            "YAML syntax: the text goes on after a closing quote or bracket "
            "(put the whole text in quotes)"
        )
    elif "expected <block end>" in problem or "could not find expected ':'" in problem:
        line, col, message = _indented_differently(lines, line, col)
    return Problem(display, line, col, "error", message)


_KEY = re.compile(r"(\s*)(- )?([A-Za-z_][\w-]*):(\s|$)")


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" "))


def _key_column(text: str) -> int:
    """Where the key of a `key:` or `- key:` line starts (0-based)."""
    found = _KEY.match(text)
    return found.end(2) if found and found.group(2) else _indent(text)


def _key_too_deep(lines: list[str], line: int, col: int) -> tuple[int, int, str] | None:
    """A `key:` line indented further than the `key: text` line above it: PyYAML reads it as
    more text with a ':' in it. The fix is the indentation, not quotes."""
    if not 0 < line <= len(lines):
        return None
    text = lines[line - 1]
    found = _KEY.match(text)
    if not found or found.group(2) or col != found.end(3) + 1:
        return None  # the ':' is inside a text, not the end of this line's key
    before = _previous_line(lines, line - 1)
    if before is None or not _KEY.match(lines[before]) or lines[before].rstrip().endswith(":"):
        return None
    want, have = _key_column(lines[before]), _indent(text)
    if have <= want:
        return None
    key, above = found.group(3), _KEY.match(lines[before]).group(3)
    message = (
        f"YAML syntax: '{key}:' is indented further than '{above}:' on line {before + 1} "
        f"({have} spaces instead of {want}); keys of one node start in the same column "
        f"(move '{key}:' {have - want} to the left)"
    )
    return line, 1, message


def _indented_differently(lines: list[str], line: int, col: int) -> tuple[int, int, str]:
    """The line whose indentation is wrong: usually where PyYAML stopped, but when the key
    just above it is the first of its node and alone in its column, that one is the odd one
    out (the lines after agree with the line PyYAML stopped at)."""
    general = (
        "YAML syntax: this line is indented differently from the lines above it "
        "(keys of one node must start in the same column)"
    )
    if not 0 < line <= len(lines):
        return line, col, general
    here = _indent(lines[line - 1])
    before = _previous_line(lines, line - 1)
    after = _next_line(lines, line)
    parent = _previous_line(lines, before) if before is not None else None
    if before is not None and after is not None and parent is not None:
        first = _indent(lines[before])
        odd = (
            lines[parent].rstrip().endswith(":")
            and _indent(lines[parent]) < here < first
            and _indent(lines[after]) == here
        )
        if odd:
            return (
                before + 1,
                1,
                (
                    f"YAML syntax: this line is indented further ({first} spaces) than the lines "
                    f"below it ({here} spaces); keys of one node start in the same column "
                    f"(move it {first - here} to the left)"
                ),
            )
    if before is not None and _indent(lines[before]) != here:
        above = _key_column(lines[before])
        return (
            line,
            col,
            (
                f"YAML syntax: this line is indented differently ({here} spaces) from the line "
                f"above it ({above} spaces); keys of one node must start in the same column"
            ),
        )
    return line, col, general


def _next_line(lines: list[str], index: int) -> int | None:
    """The index of the first non-blank, non-comment line from `index` on."""
    for i in range(index, len(lines)):
        stripped = lines[i].strip()
        if stripped and not stripped.startswith("#"):
            return i
    return None


def _inside_line(lines: list[str], line: int, col: int) -> bool:
    """Whether (line, col) is after other text on its line rather than at its indentation."""
    if not 0 < line <= len(lines):
        return False
    text = lines[line - 1]
    return col - 1 > len(text) - len(text.lstrip())


def _previous_line(lines: list[str], index: int) -> int | None:
    """The index of the last non-blank, non-comment line before `index`."""
    for i in range(min(index, len(lines)) - 1, -1, -1):
        stripped = lines[i].strip()
        if stripped and not stripped.startswith("#"):
            return i
    return None


def _build(node: yaml.Node, path: YamlPath, doc: Doc, problems: list[Problem]) -> Any:
    doc.values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        first_seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            line, col = key_node.start_mark.line + 1, key_node.start_mark.column + 1
            if key is None or isinstance(key, bool):
                problems.append(
                    Problem(
                        doc.path, line, col, "error", "a key must be a plain word", dotted(path)
                    )
                )
                continue
            key = str(key)
            child = (*path, key)
            if key in first_seen:
                problems.append(
                    Problem(
                        doc.path,
                        line,
                        col,
                        "error",
                        f"duplicate key '{key}' (first at line {first_seen[key]}); "
                        "remove one or give it another name",
                        dotted(path),
                    )
                )
                continue
            first_seen[key] = line
            doc.keys[child] = (line, col)
            result[key] = _build(value_node, child, doc, problems)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*path, i), doc, problems) for i, item in enumerate(node.value)]
    return _scalar(node)


def _scalar(node: yaml.ScalarNode) -> Any:
    value = node.value
    if node.style:  # quoted or block text: always a string
        return value
    if value in ("", "~", "null", "Null", "NULL"):
        return None
    if value.lower() in ("true", "false"):
        return value.lower() == "true"
    if _INT.match(value):
        return int(value)
    if _FLOAT.match(value):
        return float(value)
    return value
