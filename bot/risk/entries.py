"""One entry of a phrase list -> a `Rule`: a phrase, or a combination (`all:`), with its guards.

Problems go into the shared list given to `EntryCompiler`; see `phrases.py` for the files.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from bot.risk import normalize
from bot.risk.matcher import CLITIC_MIN_LENGTH, Pattern, Rule
from bot.yamldoc import Doc, Problem, YamlPath

ENTRY_KEYS = ("phrase", "all", "within", "not", "note")
Parts = tuple[tuple[tuple[str, int], ...], ...]


def did_you_mean(word: str, known: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, known, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def shown(value: Any) -> str:
    """A value from a YAML file as its author wrote it: 'text', true, 3, [a, b]."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "nothing"
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, list):
        return "[" + ", ".join(shown(v) for v in value) + "]"
    return str(value)


@dataclass(frozen=True)
class _Seen:
    path: str
    line: int
    written: str


class EntryCompiler:
    """Compiles entries into rules over one shared table of patterns."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        self.patterns: list[Pattern] = []
        self._pattern_index: dict[Pattern, int] = {}
        self._seen: dict[tuple[str, Any], _Seen] = {}  # (language, key) -> first place

    def entry(
        self,
        doc: Doc,
        path: YamlPath,
        entry: Any,
        *,
        language: str | None,
        category: str,
        level: str,
        file_guards: list[int],
    ) -> Rule | None:
        """The rule for one list item, or None (with problems recorded)."""
        at_value = isinstance(entry, str)
        if at_value:
            entry = {"phrase": entry}
        elif not isinstance(entry, dict):
            self._error(
                doc,
                path,
                "a phrase must be text (numbers in quotes), or a mapping with `phrase:` or "
                f"`all:`; got {shown(entry)}",
            )
            return None
        ok = self._keys(doc, path, entry)
        if ("phrase" in entry) == ("all" in entry):
            self._error(doc, path, "give either `phrase:` or `all:`")
            return None
        within = entry.get("within")
        if "within" in entry:
            if "all" not in entry:
                ok = False
                self._error(doc, (*path, "within"), "`within:` only goes with `all:`", at="key")
            elif isinstance(within, bool) or not isinstance(within, int) or within < 0:
                ok = False
                self._error(
                    doc,
                    (*path, "within"),
                    "`within:` is how many other words may stand between the parts "
                    f"(0 or more); got {shown(within)}",
                )
        guards = self.guards(doc, (*path, "not"), entry.get("not"))
        if "phrase" in entry:
            where = path if at_value else (*path, "phrase")
            phrase = self.phrase(doc, where, entry["phrase"], alone=True)
            parts: Parts | None = None if phrase is None else ((phrase,),)
        else:
            parts = self._parts(doc, (*path, "all"), entry["all"])
        if parts is None:
            return None
        if len(parts) == 1 and parts[0][0][1] in guards:
            g = guards.index(parts[0][0][1])
            self._error(
                doc, (*path, "not", g), "this guard is the phrase itself: it could never match"
            )
            return None
        key_path = path if at_value else (*path, "phrase" if "phrase" in entry else "all")
        # An unknown language still gets its duplicates reported, under a name of its own.
        if not self._unique(doc, language or f"?{doc.path}", key_path, parts, within):
            return None
        if not ok or language is None:
            return None
        line, col = doc.value_pos(path)
        return Rule(
            language=language,
            category=category,
            level=level,
            parts=parts,
            within=within if "all" in entry else None,
            guards=tuple(dict.fromkeys([*guards, *file_guards])),
            origin=f"{doc.path}:{line}:{col}",
        )

    def guards(self, doc: Doc, path: YamlPath, value: Any) -> list[int]:
        """Pattern indexes of a `not:` value (one phrase or a list)."""
        if value is None:
            return []
        items = value if isinstance(value, list) else [value]
        out: list[int] = []
        for i, item in enumerate(items):
            result = self.phrase(doc, (*path, i) if isinstance(value, list) else path, item)
            if result is not None:
                out.append(result[1])
        return out

    def phrase(
        self, doc: Doc, path: YamlPath, value: Any, *, alone: bool = False
    ) -> tuple[str, int] | None:
        """One written phrase -> (as written, pattern index), or None with a problem.
        `alone`: the phrase is a whole entry, not a part of `all:` or a guard."""
        if not isinstance(value, str):
            self._error(doc, path, f"a phrase must be text (numbers in quotes); got {shown(value)}")
            return None
        written = value.strip()
        body = written.strip("*").strip()
        if not written:
            self._error(doc, path, "empty phrase")
            return None
        if "*" in body:
            self._error(doc, path, f"'*' only goes at the start or end of a phrase: '{written}'")
            return None
        text = normalize.compact(body)
        if not text:
            self._error(doc, path, f"phrase '{written}' has no letters, digits or emoji to match")
            return None
        if (
            alone
            and len(text) < CLITIC_MIN_LENGTH
            and any(c.isalpha() and normalize.script(c) != normalize.GEEZ for c in text)
        ):
            self._error(
                doc,
                path,
                f"very short phrase '{written}' matches many messages; make it longer or "
                "combine it with `all:`",
                severity="warning",
            )
        pattern = Pattern(text, written.startswith("*"), written.endswith("*"))
        index = self._pattern_index.get(pattern)
        if index is None:
            index = self._pattern_index[pattern] = len(self.patterns)
            self.patterns.append(pattern)
        return written, index

    def _keys(self, doc: Doc, path: YamlPath, entry: dict[str, Any]) -> bool:
        ok = True
        for key in entry:
            if key not in ENTRY_KEYS:
                ok = False
                self._error(
                    doc,
                    (*path, key),
                    f"unknown key '{key}'{did_you_mean(key, ENTRY_KEYS)}; a phrase entry has "
                    + ", ".join(ENTRY_KEYS),
                    at="key",
                )
        if "note" in entry and not isinstance(entry["note"], str):
            ok = False
            self._error(doc, (*path, "note"), "`note:` is text")
        return ok

    def _parts(self, doc: Doc, path: YamlPath, value: Any) -> Parts | None:
        if not isinstance(value, list) or len(value) < 2:
            self._error(
                doc,
                path,
                "`all:` is a list of at least two parts, "
                "e.g. [[alle, al mijn], [pillen, tabletten]]",
            )
            return None
        parts: list[tuple[tuple[str, int], ...]] = []
        ok = True
        for i, part in enumerate(value):
            alternatives = part if isinstance(part, list) else [part]
            if not alternatives:
                ok = False
                self._error(doc, (*path, i), "empty part; list at least one phrase")
                continue
            compiled = []
            for j, alternative in enumerate(alternatives):
                where = (*path, i, j) if isinstance(part, list) else (*path, i)
                result = self.phrase(doc, where, alternative)
                ok = ok and result is not None
                if result is not None:
                    compiled.append(result)
            parts.append(tuple(compiled))
        return tuple(parts) if ok else None

    def _unique(self, doc: Doc, language: str, path: YamlPath, parts: Parts, within: Any) -> bool:
        """False (with a problem) when the language already has an entry matching the same."""
        if len(parts) == 1 and len(parts[0]) == 1:
            written, index = parts[0][0]
            key: Any = ("phrase", index)
        else:
            written = " + ".join("/".join(w for w, _ in part) for part in parts)
            key = ("all", frozenset(frozenset(i for _, i in part) for part in parts), within)
        first = self._seen.get((language, key))
        if first is None:
            self._seen[(language, key)] = _Seen(doc.path, doc.value_pos(path)[0], written)
            return True
        where = f"line {first.line}" if first.path == doc.path else f"{first.path}:{first.line}"
        same = "" if first.written == written else f" ('{first.written}' matches the same)"
        self._error(doc, path, f"duplicate phrase '{written}'{same}; first at {where}")
        return False

    def _error(
        self, doc: Doc, path: YamlPath, message: str, *, at: str = "value", severity: str = "error"
    ) -> None:
        self.problems.append(doc.problem(path, message, severity=severity, at=at))
