"""Canned replies: texts a social worker can send with one choice, per language, kept in YAML
(`flows/replies/*.yaml`) so that the team edits them like the flows.

    replies:
      - id: kennismaken            # unique over all files: a-z, 0-9 and _
        title: Kennismaken         # what the worker sees in the list (Dutch)
        text:
          nl: Hallo, ik ben ...    # required: Dutch is the source
          en: Hello, I am ...
          ar: ...
        draft: [ar]                # translations no native speaker has checked yet

Every problem is reported with file, line and column, all in one run (as `buurtbot flows
validate` does). A broken file does not stop the dashboard: its valid replies are used, and
the problems are shown on the admin's flow page.
"""

from __future__ import annotations

import difflib
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from bot import yamldoc
from bot.i18n import FALLBACK, LANGUAGES, SOURCE
from bot.yamldoc import Doc, Problem

logger = logging.getLogger(__name__)

SUFFIXES = (".yaml", ".yml")
ID = re.compile(r"[a-z0-9_]{1,64}\Z")
MAX_TEXT = 4000
TOP_KEYS = ("replies",)
ITEM_KEYS = ("id", "title", "text", "draft")


@dataclass(frozen=True)
class Reply:
    id: str
    title: str
    texts: Mapping[str, str]
    draft: frozenset[str] = frozenset()
    path: str = ""
    line: int = 0
    col: int = 0
    where: yamldoc.YamlPath = ()


@dataclass(frozen=True)
class Offer:
    """A reply as offered for one resident: the text in the best language there is."""

    reply: Reply
    text: str
    language: str
    draft: bool


@dataclass
class CannedReplies:
    """The replies in use; `use` swaps in those of an edited folder (bot/ops/content.py)."""

    replies: tuple[Reply, ...] = ()
    problems: tuple[Problem, ...] = field(default=())

    def use(self, other: CannedReplies) -> None:
        self.replies, self.problems = other.replies, other.problems
        for problem in other.problems:
            if problem.severity == "error":
                logger.error("canned replies: %s", problem)

    def for_language(self, lang: str) -> list[Offer]:
        """Each reply in `lang`, or along the fallback chain (ti -> en -> nl)."""
        chain = (lang, *FALLBACK.get(lang, ()), SOURCE)
        offers = []
        for reply in self.replies:
            used = next(code for code in chain if code in reply.texts or code == SOURCE)
            text = reply.texts.get(used)
            if text:
                offers.append(Offer(reply, text, used, used in reply.draft))
        return offers


def load(directory: Path | str) -> CannedReplies:
    """Every reply in `directory` that has no error; the problems found on the way."""
    replies, problems = check(directory)
    return CannedReplies(tuple(replies), tuple(problems))


def check(directory: Path | str) -> tuple[list[Reply], list[Problem]]:
    directory = Path(directory)
    if not directory.is_dir():
        return [], [Problem(str(directory), 1, 1, "warning", "no canned replies folder")]
    replies: list[Reply] = []
    problems: list[Problem] = []
    seen: dict[str, Reply] = {}
    for path in sorted(p for p in directory.iterdir() if p.suffix in SUFFIXES and p.is_file()):
        doc, found = yamldoc.read(path, display=str(directory / path.name))
        problems.extend(found)
        if doc is not None:
            for reply in _read_file(doc, problems):
                first = seen.get(reply.id)
                if first is not None:
                    problems.append(
                        Problem(
                            doc.path,
                            reply.line,
                            reply.col,
                            "error",
                            f"there is already a reply '{reply.id}' "
                            f"(at {first.path}:{first.line}); give this one another id",
                            yamldoc.dotted(reply.where),
                        )
                    )
                    continue
                seen[reply.id] = reply
                replies.append(reply)
    return replies, sorted(problems)


def _read_file(doc: Doc, problems: list[Problem]) -> list[Reply]:
    data = doc.data
    if not isinstance(data, dict):
        problems.append(doc.problem((), "a replies file starts with 'replies:' and a list"))
        return []
    _unknown_keys(doc, (), data, TOP_KEYS, problems)
    items = data.get("replies")
    if not isinstance(items, list):
        problems.append(doc.problem(("replies",), "'replies:' must be a list of replies"))
        return []
    found = []
    for i, item in enumerate(items):
        reply = _read_item(doc, ("replies", i), item, problems)
        if reply is not None:
            found.append(reply)
    return found


def _read_item(
    doc: Doc, where: yamldoc.YamlPath, item: Any, problems: list[Problem]
) -> Reply | None:
    if not isinstance(item, dict):
        problems.append(doc.problem(where, "each reply has 'id', 'title' and 'text'", at="value"))
        return None
    before = len(problems)
    _unknown_keys(doc, where, item, ITEM_KEYS, problems)
    reply_id = item.get("id")
    if "id" not in item:
        problems.append(doc.problem(where, "'id' is required (e.g. id: kennismaken)"))
    elif not isinstance(reply_id, str) or not ID.match(reply_id):
        problems.append(
            doc.problem(
                (*where, "id"),
                f"'{reply_id}' cannot be an id: use lowercase letters, digits and _ "
                "(e.g. kennismaken)",
                at="value",
            )
        )
    title = item.get("title")
    if not isinstance(title, str) or not title.strip():
        problems.append(
            doc.problem((*where, "title") if "title" in item else where, "'title' is required")
        )
    texts = _read_texts(doc, (*where, "text"), item.get("text"), "text" in item, problems)
    draft = _read_draft(doc, (*where, "draft"), item.get("draft"), texts, problems)
    if len(problems) > before and any(p.severity == "error" for p in problems[before:]):
        return None
    line, col = doc.key_pos((*where, "id"))
    return Reply(
        reply_id,
        title.strip(),
        MappingProxyType(texts),
        frozenset(draft),
        doc.path,
        line,
        col,
        (*where, "id"),
    )


def _read_texts(
    doc: Doc, where: yamldoc.YamlPath, value: Any, present: bool, problems: list[Problem]
) -> dict[str, str]:
    if not present:
        problems.append(doc.problem(where[:-1], "'text' is required, with at least 'nl:'"))
        return {}
    if not isinstance(value, dict):
        problems.append(
            doc.problem(where, "'text' holds one line per language (nl:, en:, ar:, ti:)")
        )
        return {}
    texts: dict[str, str] = {}
    for lang, text in value.items():
        place = (*where, lang)
        if lang not in LANGUAGES:
            problems.append(
                doc.problem(
                    place,
                    f"unknown language '{lang}'{_did_you_mean(lang, LANGUAGES)} "
                    f"(languages: {', '.join(LANGUAGES)})",
                )
            )
        elif not isinstance(text, str) or not text.strip():
            problems.append(doc.problem(place, "the text is empty", at="value"))
        elif len(text) > MAX_TEXT:
            problems.append(
                doc.problem(place, f"the text is longer than {MAX_TEXT} characters", at="value")
            )
        elif "{" in text or "}" in text:
            problems.append(
                doc.problem(
                    place,
                    "'{' and '}' are not allowed: canned replies have no placeholders",
                    at="value",
                )
            )
        else:
            texts[lang] = text.strip()
    if SOURCE not in value:
        problems.append(doc.problem(where, "a Dutch text ('nl:') is required"))
    for lang in LANGUAGES:
        if lang not in value:
            problems.append(
                doc.problem(
                    where,
                    f"no '{lang}:' text; the worker gets another language",
                    severity="warning",
                )
            )
    return texts


def _read_draft(
    doc: Doc, where: yamldoc.YamlPath, value: Any, texts: dict[str, str], problems: list[Problem]
) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append(doc.problem(where, "'draft' is a list of languages, e.g. [ar, ti]"))
        return []
    for i, lang in enumerate(value):
        if lang == SOURCE or lang not in LANGUAGES:
            problems.append(
                doc.problem((*where, i), f"'{lang}' is not a translated language", at="value")
            )
        elif lang not in texts:
            problems.append(doc.problem((*where, i), f"there is no '{lang}:' text", at="value"))
    return [v for v in value if v in texts]


def _unknown_keys(
    doc: Doc,
    where: yamldoc.YamlPath,
    data: dict[str, Any],
    known: tuple[str, ...],
    problems: list[Problem],
) -> None:
    for key in data:
        if key not in known:
            problems.append(
                doc.problem(
                    (*where, key),
                    f"unknown key '{key}'{_did_you_mean(key, known)} (allowed: {', '.join(known)})",
                )
            )


def _did_you_mean(word: str, known: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(str(word), known, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""
