"""What residents ask for in their own words (`flows/intents/*.yaml`): a person, a call back,
a greeting, thanks, and the global words (back, menu, help, stop, forget, my data, language).

Content, not code: the lists have the format of the risk phrase lists (flows/risk/README.md) and
are read and checked by the same loader, with every problem at file:line:col. Pure.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bot.risk import normalize
from bot.risk.matcher import RiskModel, assess
from bot.risk.phrases import check, load
from bot.yamldoc import Problem

INTENTS = (
    "person",
    "callback",
    "greeting",
    "thanks",
    "back",
    "menu",
    "help",
    "stop",
    "forget",
    "mydata",
    "choose_language",
    "not_helped",
    "dont_know",
)
ANYWHERE = frozenset({"person", "callback", "greeting", "thanks"})
"""Intents found anywhere in a message; the others must be the whole message."""
COMMANDS = ("back", "menu", "help", "stop")
"""Whole-message words that work in every state, like `/menu`."""


def _directory() -> Path:
    """flows/intents of the configured flows folder, else of this checkout, else of the
    working folder (an installed copy runs from a folder that holds flows/, as the image)."""
    configured = os.environ.get("BUURTBOT_FLOWS_DIR")
    candidates = [Path(configured) / "intents"] if configured else []
    candidates += [Path(__file__).resolve().parents[2] / "flows" / "intents"]
    candidates += [Path.cwd() / "flows" / "intents"]
    return next((c.resolve() for c in candidates if c.is_dir()), candidates[-1])


DIRECTORY = _directory()


@dataclass(frozen=True)
class Intents:
    """The loaded lists: a phrase matcher for the intents found anywhere, and the written
    phrases of every intent (for whole-message matching)."""

    model: RiskModel
    written: dict[str, tuple[str, ...]]
    whole: dict[str, str]  # compact normalised whole message -> intent

    def found(self, text: str) -> set[str]:
        """The intents of `ANYWHERE` whose phrases occur in `text`."""
        return {m.category for m in assess(self.model, text).matches}

    def command(self, text: str) -> str | None:
        """The whole-message intent of `text` (back, menu, help, stop, forget, ...), or None."""
        return self.whole.get(normalize.compact(text))

    def phrases(self, intent: str) -> tuple[str, ...]:
        """The phrases of `intent` as written, every language."""
        return self.written.get(intent, ())


def load_intents(directory: Path | str = DIRECTORY) -> Intents:
    """The intent lists of `directory`; raises `RiskListsInvalid` with every problem."""
    model = load(directory, categories=INTENTS, levels=())
    return _intents(model)


def check_intents(directory: Path | str) -> list[Problem]:
    """Every problem in the intent lists of `directory` (for `flows validate`). A short phrase
    is no problem where it must be the whole message ("nee", "hi")."""
    problems = check(directory, categories=INTENTS, levels=())[1]
    return [p for p in problems if not _short_whole(p)]


def _short_whole(problem: Problem) -> bool:
    intent = problem.where.split("[", 1)[0]
    return "very short phrase" in problem.message and intent not in ANYWHERE


@cache
def default() -> Intents:
    """The lists shipped in flows/intents/, read once."""
    return load_intents(DIRECTORY)


def _intents(model: RiskModel) -> Intents:
    written: dict[str, list[str]] = {}
    whole: dict[str, str] = {}
    anywhere = []
    for rule in model.rules:
        if rule.category in ANYWHERE:
            anywhere.append(rule)
        if len(rule.parts) == 1:
            for phrase, index in rule.parts[0]:
                written.setdefault(rule.category, []).append(phrase)
                whole.setdefault(model._patterns[index].text, rule.category)
    return Intents(_only(model, anywhere), {k: tuple(v) for k, v in written.items()}, whole)


def _only(model: RiskModel, rules: Iterable) -> RiskModel:
    return RiskModel(model._patterns, tuple(rules))
