"""Measuring the phrase lists against a labelled set of messages (tests/risk/labelled.yaml).

Used by `bench/risk_eval.py` (report in docs/risk.md) and by the test that keeps the targets.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bot import yamldoc
from bot.risk.assessment import CATEGORIES, LANGUAGES, LEVELS, NONE, RANK, Assessment
from bot.risk.detector import Detector, assess
from bot.risk.matcher import RiskModel

RECALL_TARGET = 0.95  # of must-escalate messages (urgent or high), per language
FALSE_ESCALATION_TARGET = 0.10  # of harmless messages assessed urgent or high, per language


@dataclass(frozen=True)
class Labelled:
    """One message with the level (and for urgent/high the category) a person gave it."""

    language: str
    level: str
    category: str | None
    text: str
    set: str  # "dev", or the holdout batch it belongs to
    where: str  # "file:line", for failure listings
    variant: str = ""  # training batches: "arabizi", "latin" (Tigrinya), "darija", ...


@dataclass
class LanguageScore:
    language: str
    escalate: int = 0  # labelled urgent or high
    escalate_found: int = 0  # ... and assessed urgent or high
    category_found: int = 0  # ... with the labelled category among the categories
    urgent: int = 0
    urgent_found: int = 0  # labelled urgent, assessed urgent
    harmless: int = 0  # labelled none
    false_escalations: int = 0  # labelled none, assessed urgent or high
    false_checks: int = 0  # labelled none, assessed check
    check: int = 0  # labelled check
    check_found: int = 0  # ... assessed check or higher
    misses: list[tuple[Labelled, Assessment]] = field(default_factory=list)
    false_alarms: list[tuple[Labelled, Assessment]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.escalate + self.harmless + self.check

    @property
    def recall(self) -> float:
        return self.escalate_found / self.escalate if self.escalate else 1.0

    @property
    def false_escalation_rate(self) -> float:
        return self.false_escalations / self.harmless if self.harmless else 0.0

    @property
    def notice(self) -> float:
        """Of messages labelled check, the share assessed check or higher."""
        return self.check_found / self.check if self.check else 1.0

    @property
    def meets_targets(self) -> bool:
        return (
            self.recall >= RECALL_TARGET and self.false_escalation_rate <= FALSE_ESCALATION_TARGET
        )


def load_labelled(path: Path | str, *, display: str | None = None) -> list[Labelled]:
    """The labelled messages; raises ValueError listing every malformed entry. `display` is
    the file name to show in `where` (default: `path` as given)."""
    doc, problems = yamldoc.read(path, display=display)
    errors = [str(p) for p in problems]
    out: list[Labelled] = []
    items = doc.data.get("messages") if doc and isinstance(doc.data, dict) else None
    if not isinstance(items, list):
        raise ValueError("\n".join([*errors, f"{path}: expected `messages:` with a list"]))
    for i, item in enumerate(items):
        line, _ = doc.value_pos(("messages", i))
        where = f"{doc.path}:{line}"
        if not isinstance(item, dict):
            errors.append(f"{where}: expected a mapping")
            continue
        lang, level, cat, text = (item.get(k) for k in ("lang", "level", "cat", "text"))
        if lang not in LANGUAGES or level not in (*LEVELS, NONE) or not isinstance(text, str):
            errors.append(f"{where}: needs lang ({'/'.join(LANGUAGES)}), level and text")
            continue
        if (cat is not None and cat not in CATEGORIES) or (cat is None) == (
            level in ("urgent", "high")
        ):
            errors.append(f"{where}: urgent/high messages need `cat:` (and only they)")
            continue
        batch = item.get("set", "dev")
        if not isinstance(batch, str):
            errors.append(f"{where}: `set:` is a name")
            continue
        out.append(Labelled(lang, level, cat, text, batch, where))
    if errors:
        raise ValueError("\n".join(errors))
    return out


def evaluate(model: RiskModel | Detector, messages: list[Labelled]) -> dict[str, LanguageScore]:
    """Scores per language, in the order of LANGUAGES."""
    return tally((m, assess(model, m.text)) for m in messages)


def tally(results: Iterable[tuple[Labelled, Assessment]]) -> dict[str, LanguageScore]:
    """Scores per language of messages and what they were assessed."""
    scores = {lang: LanguageScore(lang) for lang in LANGUAGES}
    for message, result in results:
        score = scores[message.language]
        escalated = RANK[result.level] >= RANK["high"]
        if message.level in ("urgent", "high"):
            score.escalate += 1
            if escalated:
                score.escalate_found += 1
                score.category_found += message.category in result.categories
            else:
                score.misses.append((message, result))
            if message.level == "urgent":
                score.urgent += 1
                score.urgent_found += result.level == "urgent"
        elif message.level == "check":
            score.check += 1
            score.check_found += RANK[result.level] >= RANK["check"]
        else:
            score.harmless += 1
            if escalated:
                score.false_escalations += 1
                score.false_alarms.append((message, result))
            elif result.level == "check":
                score.false_checks += 1
    return {lang: s for lang, s in scores.items() if s.total}


def describe(message: Labelled, result: Assessment) -> str:
    """One line for a failure listing."""
    found = ", ".join(f"{m.phrase!r} ({m.category}/{m.level})" for m in result.matches)
    return (
        f"{message.where}: [{message.language}] labelled {message.level}, assessed "
        f"{result.level}: {message.text!r}" + (f" <- {found}" if found else "")
    )
