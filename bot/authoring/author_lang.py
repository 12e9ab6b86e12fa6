"""The author tools speak Dutch: flow authors are Dutch social workers. English stays behind a
switch: `BUURTBOT_AUTHOR_LANG=en`, or a locale that starts with `en` (`LANGUAGE`, `LC_ALL`,
`LC_MESSAGES`, `LANG`) when that variable is not set. Without either, Dutch.

The checks themselves produce their messages in English (one source, as the tests and
flows/README.md quote them); `problem_text` renders a `Problem` in the author's language by
the pairs in `author_messages.txt` beside this module, message by message, keeping every name,
number and quoted text as it was. A message the table does not know stays English
(tests/engine/test_author_lang.py checks that every message the broken-flow fixtures produce
is known).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from bot.yamldoc import Problem

LANGUAGES = ("nl", "en")


def language(environ: dict[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    chosen = env.get("BUURTBOT_AUTHOR_LANG", "").strip().lower()[:2]
    if chosen in LANGUAGES:
        return chosen
    for key in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(key, "").strip().lower()
        if value.startswith("en"):
            return "en"
        if value.startswith("nl"):
            return "nl"
    return "nl"


SEVERITY = {"error": "fout", "warning": "waarschuwing"}
TABLE = Path(__file__).with_name("author_messages.txt")


def _read(path: Path) -> list[tuple[re.Pattern[str], str]]:
    """The pairs of `author_messages.txt`: ('en:' pattern, 'nl:' text)."""
    pairs, english = [], None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("en: "):
            english = line[4:]
        elif line.startswith("nl: ") and english is not None:
            pairs.append((re.compile(english + r"\Z"), line[4:]))
            english = None
    return pairs


DUTCH = _read(TABLE)


def message(text: str, lang: str | None = None) -> str:
    """One message in the author's language (English when the table does not know it)."""
    if (lang or language()) != "nl":
        return text
    for pattern, dutch in DUTCH:
        found = pattern.match(text)
        if found:
            return found.expand(dutch)
    return text


def known(text: str) -> bool:
    return any(pattern.match(text) for pattern, _ in DUTCH)


def problem_text(problem: Problem, lang: str | None = None) -> str:
    """`path:line:col: fout: where: bericht` (or the English of `str(problem)`)."""
    lang = lang or language()
    if lang != "nl":
        return str(problem)
    where = f"{problem.where}: " if problem.where else ""
    severity = SEVERITY.get(problem.severity, problem.severity)
    text = message(problem.message, lang)
    return f"{problem.path}:{problem.line}:{problem.col}: {severity}: {where}{text}"


def summary(errors: int, warnings: int, lang: str | None = None) -> str:
    if (lang or language()) != "nl":
        return f"{errors} error(s), {warnings} warning(s)"
    return f"{errors} fout(en), {warnings} waarschuwing(en)"
