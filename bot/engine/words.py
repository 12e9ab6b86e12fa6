"""`words:` of a flow, a node or an answer: what residents type for it in their own words.

A flow's words start it from the main menu, a node's words start its flow at that node, an
answer's words pick that answer (and, on a flow's first question, start the flow there). In the
YAML a list or one text with commas; the engine keeps one text, "schulden, achterstand", which
is one translatable message: translators add the words residents use in their language.
"""

from __future__ import annotations

import re
from typing import Any

from bot.engine.fold import fold
from bot.engine.reader import Reader, kind
from bot.yamldoc import YamlPath

_SEPARATORS = re.compile(r"[,،፣;\n]")


def split(words: str | None) -> list[str]:
    """The single words or phrases of a `words` text (any language's list separators)."""
    if not words:
        return []
    return [w.strip() for w in _SEPARATORS.split(words) if w.strip()]


def canonical(value: Any) -> str | None:
    """A `words:` value as the one text the engine and the catalogs use, or None when it is
    not words."""
    items = value if isinstance(value, list) else [value]
    if not items or any(not isinstance(w, str | int) or isinstance(w, bool) for w in items):
        return None
    found = [w for item in items for w in split(str(item))]
    return ", ".join(dict.fromkeys(found)) if found else None


def read_words(r: Reader, path: YamlPath, value: Any) -> str | None:
    """The `words:` at `path` as one text, or None (with the problem recorded)."""
    items = value if isinstance(value, list) else [value]
    if not items or any(not isinstance(w, str | int) or isinstance(w, bool) for w in items):
        r.error(
            path,
            f"must be words separated by commas, or a list of them, not {kind(value)} "
            "(e.g. 'words: schulden, achterstand, rekeningen')",
            at="value",
        )
        return None
    words = canonical(value)
    if words is None:
        r.error(path, "is empty (write the words after the ':', or remove the line)")
    return words


def check_unique(r: Reader, path: YamlPath, answers: list[tuple[int, str, str | None]]) -> None:
    """A word (or label) that belongs to two answers of one question picks neither: report it
    at the second answer's `words:`. `answers`: (index in the list, label, words)."""
    owner: dict[str, int] = {}
    for i, label, _ in answers:
        owner.setdefault(fold(label), i)
    for i, _, words in answers:
        for word in split(words):
            first = owner.setdefault(fold(word), i)
            if first != i:
                r.error(
                    (*path, i, "words"),
                    f"'{word}' also belongs to answer {first + 1}; a word can pick only one "
                    "answer of a question (remove it here or there)",
                    at="value",
                )
