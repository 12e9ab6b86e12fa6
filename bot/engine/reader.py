"""Typed reading of one flow file: every value is checked where it is read, and every problem
is recorded with its place, so that an author sees all of them in one run."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.engine.expr import Expr
from bot.engine.model import Pos
from bot.yamldoc import Doc, Problem, YamlPath, dotted

MAX_TEXT = 4096
"""Telegram's limit for one message."""

MAX_LABEL = 40
"""About where Telegram starts cutting button texts on a phone."""

NAME = re.compile(r"[a-z0-9_]+\Z")
"""Flow ids, node ids and escalation reasons."""

VARIABLE = re.compile(r"[a-z_][a-z0-9_]*\Z")
"""Names given with `save:` and used in `if:`."""


def kind(value: Any) -> str:
    """What an author wrote, in their words: used in "must be a text, not a number"."""
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a text"
    if isinstance(value, dict):
        return "a set of keys"
    return "a list"


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate most like `word` (ignoring case), or None when none is close."""
    by_lower = {c.lower(): c for c in candidates}
    close = difflib.get_close_matches(word.lower(), list(by_lower), n=1, cutoff=0.6)
    return by_lower[close[0]] if close else None


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """` (did you mean 'x'?)` for the closest candidate, or "" when none is close."""
    match = closest(word, candidates)
    return f" (did you mean '{match}'?)" if match else ""


def suggest_name(text: str) -> str:
    """`'Schuld Hoog'` -> `'schuld_hoog'`: a valid name close to what the author wrote."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9_]+", "_", ascii_text.lower()).strip("_")


@dataclass
class Reader:
    """One flow file being read: its document, its source lines, and where problems go.

    References that can only be checked once every file is read (`goto:` targets and the
    variables of `if:` conditions) are collected in `gotos` and `conditions`.
    """

    doc: Doc
    problems: list[Problem]
    lines: list[str] = field(default_factory=list)
    gotos: list[tuple[YamlPath, str]] = field(default_factory=list)
    conditions: list[tuple[YamlPath, Expr]] = field(default_factory=list)

    @property
    def path(self) -> str:
        return self.doc.path

    def error(self, path: YamlPath, message: str, *, at: str = "key") -> None:
        self.problems.append(self.doc.problem(path, message, at=at))

    def warning(self, path: YamlPath, message: str, *, at: str = "key") -> None:
        self.problems.append(self.doc.problem(path, message, severity="warning", at=at))

    def error_at(self, path: YamlPath, offset: int, message: str) -> None:
        """An error `offset` characters into the text of the value at `path`."""
        line, col = self.offset_pos(path, offset)
        self.problems.append(Problem(self.path, line, col, "error", message, dotted(path)))

    def pos(self, path: YamlPath) -> Pos:
        return Pos(self.path, *self.doc.key_pos(path))

    def item_pos(self, path: YamlPath) -> Pos:
        """Where a list item starts (its first key for `- label: ...`)."""
        return Pos(self.path, *self.doc.value_pos(path))

    def line_of(self, path: YamlPath, *, at: str = "key") -> int:
        return (self.doc.value_pos(path) if at == "value" else self.doc.key_pos(path))[0]

    def offset_pos(self, path: YamlPath, offset: int) -> tuple[int, int]:
        """Line and column of character `offset` of a scalar value: one further for the
        opening quote of a quoted text; a block text (`|`, `>`) gets its first line."""
        line, col = self.doc.value_pos(path)
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        first = text[col - 1 : col]
        if first in ("'", '"'):
            return line, col + 1 + offset
        if first in ("|", ">"):
            return line, col
        return line, col + offset

    def keys(
        self,
        path: YamlPath,
        data: Mapping[str, Any],
        allowed: tuple[str, ...],
        hints: Mapping[str, str],
        what: str,
    ) -> set[str]:
        """An error for every key of `data` that is not `allowed`: a hint for keys that
        belong elsewhere (a sign of wrong indentation), else the closest allowed key.
        Returns the allowed keys that misspelt ones seem to mean, so that the caller does
        not also report them as missing."""
        meant: set[str] = set()
        for key in data:
            if key in allowed:
                continue
            match = closest(key, allowed)
            if key in hints:
                fix = hints[key]
            elif match:
                fix = f"did you mean '{match}'?"
                meant.add(match)
            else:
                fix = f"{what} has: {', '.join(allowed)}"
            self.error((*path, key), f"unknown key ({fix})")
        return meant

    def text(self, path: YamlPath, value: Any, *, label: bool = False) -> str | None:
        """A non-empty text. Warns when it is too long for Telegram (or for a button)."""
        if value is None or (isinstance(value, str) and not value.strip()):
            self.error(path, "is empty (write the text after the ':', or remove the line)")
            return None
        if not isinstance(value, str):
            if isinstance(value, dict | list):
                fix = "write the text itself; put it in quotes if it has a ':' in it"
            else:
                shown = str(value).lower() if isinstance(value, bool) else value
                fix = f'put it in quotes if it is meant as text: "{shown}"'
            self.error(path, f"must be a text, not {kind(value)} ({fix})", at="value")
            return None
        if len(value) > MAX_TEXT:
            self.warning(
                path,
                f"text is {len(value)} characters long; Telegram sends at most {MAX_TEXT} "
                "(split it over two nodes)",
                at="value",
            )
        if label and len(value) > MAX_LABEL:
            self.warning(
                path,
                f"button text is {len(value)} characters long; buttons are cut after about "
                f"{MAX_LABEL} (make it shorter)",
                at="value",
            )
        return value

    def name(
        self,
        path: YamlPath,
        value: Any,
        what: str,
        *,
        pattern: re.Pattern[str] = NAME,
        example: str = "debt",
    ) -> str | None:
        """An id or variable name: lowercase letters, digits and `_`."""
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            self.error(path, f"must be a {what}, not {kind(value)} (e.g. '{example}')", at="value")
            return None
        if not pattern.match(value):
            suggestion = suggest_name(value)
            if not pattern.match(suggestion):
                suggestion = example
            first = "a lowercase letter or '_' first, then " if pattern is VARIABLE else ""
            self.error(
                path,
                f"'{value}' is not a valid {what}: use {first}lowercase letters, digits and '_' "
                f"(e.g. '{suggestion}')",
                at="value",
            )
            return None
        return value


@dataclass(frozen=True)
class Context:
    """What a node may refer to: the node ids of its own flow, and all flow ids."""

    flow: str
    node_ids: Collection[str]
    flow_ids: Collection[str]


def node_ref(r: Reader, ctx: Context, path: YamlPath, value: Any) -> str | None:
    """A node of this flow. Unknown ids are returned too: the error is already recorded."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value:
        r.error(path, f"must be the id of a node, not {kind(value)}", at="value")
        return None
    if value in ctx.node_ids:
        return value
    match = closest(value, ctx.node_ids)
    if value in ctx.flow_ids:
        fix = f"to go to another flow use 'goto: {value}'"
    elif match:
        fix = f"did you mean '{match}'?"
    else:
        fix = f"add a node '{value}' under 'nodes:', or check the spelling"
    r.error(path, f"no node '{value}' ({fix})", at="value")
    return value
