"""Reading and validating the phrase lists in `flows/risk/*.yaml` (format: flows/risk/README.md).

Social workers edit these files. Every problem is reported with file, line and column, all of
them in one run; the model is built only when there are no errors.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot import yamldoc
from bot.risk.assessment import CATEGORIES, LANGUAGES, LEVELS
from bot.risk.entries import EntryCompiler, did_you_mean, shown
from bot.risk.matcher import RiskModel, Rule
from bot.yamldoc import Doc, Problem

FILE_KEYS = ("language", "status", "not")
_LANGUAGE_NAMES = {
    "dutch": "nl",
    "nederlands": "nl",
    "arabic": "ar",
    "arabisch": "ar",
    "tigrinya": "ti",
    "tigrinja": "ti",
    "english": "en",
    "engels": "en",
}
STATUSES = ("draft", "reviewed")


class RiskListsInvalid(Exception):
    """`load()` found errors in the phrase lists; `problems` lists every one of them."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems if p.severity == "error"))


def load(
    directory: Path | str,
    *,
    categories: tuple[str, ...] = CATEGORIES,
    levels: tuple[str, ...] = LEVELS,
) -> RiskModel:
    """The model from every `*.yaml` in `directory`; raises `RiskListsInvalid` on any error.
    Other phrase lists in the same format (`flows/intents/`) give their own `categories`, and
    no `levels` when a category holds its phrases directly."""
    model, problems = check(directory, categories=categories, levels=levels)
    if model is None:
        raise RiskListsInvalid(problems)
    return model


def check(
    directory: Path | str,
    *,
    categories: tuple[str, ...] = CATEGORIES,
    levels: tuple[str, ...] = LEVELS,
) -> tuple[RiskModel | None, list[Problem]]:
    """Validate the phrase lists. Returns the model (None when there is any error) and every
    problem found, warnings included, sorted by file and position."""
    directory = Path(directory)
    lists = _Lists(categories, levels)
    files = sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")])
    if not files:
        lists.problems.append(
            Problem(str(directory), 1, 1, "error", "no phrase lists (*.yaml) in this folder")
        )
    for path in files:
        doc, problems = yamldoc.read(path)
        lists.problems.extend(problems)
        if doc is not None:
            lists.file(doc)
    lists.finish()
    problems = sorted(set(lists.problems))
    if any(p.severity == "error" for p in problems):
        return None, problems
    return RiskModel(tuple(lists.entries.patterns), tuple(lists.rules)), problems


class _Lists:
    """Walks the files: language, status, file-wide guards, categories, levels."""

    def __init__(self, categories: tuple[str, ...], levels: tuple[str, ...]) -> None:
        self.categories, self.levels = categories, levels
        self.problems: list[Problem] = []
        self.entries = EntryCompiler(self.problems)
        self.rules: list[Rule] = []
        self._categories: dict[str, set[str]] = {}  # language -> categories with phrases
        self._first_file: dict[str, str] = {}  # language -> its first file, for warnings

    def file(self, doc: Doc) -> None:
        data = doc.data
        if not isinstance(data, dict):
            self._error(doc, (), "a phrase list is a mapping: `language:`, then categories")
            return
        language = self._language(doc, data)
        if "status" in data and data["status"] not in STATUSES:
            self._error(
                doc,
                ("status",),
                f"unknown status {shown(data['status'])}; use one of: " + ", ".join(STATUSES),
                at="value",
            )
        file_guards = self.entries.guards(doc, ("not",), data.get("not"))
        for key, value in data.items():
            if key in FILE_KEYS:
                continue
            if key not in self.categories:
                hint = did_you_mean(key, self.categories + FILE_KEYS)
                self._error(
                    doc,
                    (key,),
                    f"unknown key '{key}'{hint}; categories are " + ", ".join(self.categories),
                )
                continue
            self._category(doc, language, key, value, file_guards)
        if language:
            self._first_file.setdefault(language, doc.path)

    def _language(self, doc: Doc, data: dict[str, Any]) -> str | None:
        if "language" not in data:
            self._error(doc, (), "missing `language:` (one of " + ", ".join(LANGUAGES) + ")")
            return None
        value = data["language"]
        if value not in LANGUAGES:
            hint = ""
            if isinstance(value, str):
                name = _LANGUAGE_NAMES.get(value.strip().lower())
                hint = f" (did you mean '{name}'?)" if name else did_you_mean(value, LANGUAGES)
            self._error(
                doc,
                ("language",),
                f"unknown language {shown(value)}{hint}; use one of: " + ", ".join(LANGUAGES),
                at="value",
            )
            return None
        return value

    def _category(
        self, doc: Doc, language: str | None, category: str, value: Any, guards: list[int]
    ) -> None:
        if value is None:
            self._empty(doc, (category,))
            return
        if not self.levels:  # the phrases stand directly under the category
            self._entries(doc, language, (category,), value, guards)
            return
        if not isinstance(value, dict):
            self._error(
                doc, (category,), "expected levels here: urgent:, high:, check:", at="value"
            )
            return
        for level, entries in value.items():
            path = (category, level)
            if level not in self.levels:
                self._error(
                    doc,
                    path,
                    f"unknown level '{level}'{did_you_mean(level, self.levels)}; levels are "
                    + ", ".join(self.levels),
                )
            else:
                self._entries(doc, language, path, entries, guards)

    def _entries(
        self, doc: Doc, language: str | None, path: tuple[str, ...], entries: Any, guards: list[int]
    ) -> None:
        category = path[0]
        level = path[1] if len(path) > 1 else LEVELS[-1]
        if entries is None or entries == []:
            self._empty(doc, path)
        elif not isinstance(entries, list):
            self._error(doc, path, "expected a list of phrases ('- ...')", at="value")
        else:
            for i, entry in enumerate(entries):
                rule = self.entries.entry(
                    doc,
                    (*path, i),
                    entry,
                    language=language,
                    category=category,
                    level=level,
                    file_guards=guards,
                )
                if rule is not None:
                    self.rules.append(rule)
                    self._categories.setdefault(rule.language, set()).add(category)

    def finish(self) -> None:
        if any(p.severity == "error" for p in self.problems):
            return  # a list with errors is incomplete anyway: fix those first
        for language, first in self._first_file.items():
            found = self._categories.get(language, set())
            missing = [c for c in self.categories if c not in found]
            if missing:
                message = f"no phrases for {', '.join(missing)} in language '{language}'"
                self.problems.append(Problem(first, 1, 1, "warning", message))

    def _empty(self, doc: Doc, path: tuple[str, ...]) -> None:
        self._error(doc, path, "no phrases here; add some or remove the key", severity="warning")

    def _error(
        self,
        doc: Doc,
        path: tuple[str, ...],
        message: str,
        *,
        at: str = "key",
        severity: str = "error",
    ) -> None:
        self.problems.append(doc.problem(path, message, severity=severity, at=at))
