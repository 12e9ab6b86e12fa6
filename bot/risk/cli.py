"""`buurtbot risk check`: one message per stdin line in, one JSON object per line out."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TextIO

from bot.risk import normalize
from bot.risk.assessment import Assessment, Match
from bot.risk.detector import Detector, assess, with_model
from bot.risk.phrases import check as check_lists


def check(lang: str, stdin: TextIO, stdout: TextIO, *, flows_dir: Path) -> int:
    """Assess every line of `stdin`; exit code 0, or 2 when the phrase lists are broken.

    `lang` ("auto", "nl", "ar", "ti", "en") only decides which match is printed when the same
    words match phrases of several languages ("suicide" is in the nl and en lists); every line
    is always checked against all languages. "auto" prefers Arabic or Tigrinya by script.
    """
    phrases, problems = check_lists(Path(flows_dir) / "risk")
    if phrases is None:
        for problem in problems:
            if problem.severity == "error":
                print(problem, file=sys.stderr)
        return 2
    model = with_model(phrases)
    for stream in (stdin, stdout):
        # Bad bytes must not end the run: they become U+FFFD and the next line is still read.
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="utf-8", errors="replace")
    while True:
        line = stdin.readline()
        if not line:
            return 0
        text = line.rstrip("\r\n")
        stdout.write(json.dumps(_record(model, text, lang), ensure_ascii=False) + "\n")
        stdout.flush()


def _record(model: Detector, text: str, lang: str) -> dict[str, object]:
    assessment = assess(model, text)
    preferred = _preferred_language(text) if lang == "auto" else lang
    first = assessment.matches[0] if assessment.matches else None
    return {
        "text": text,
        "level": assessment.level,
        "categories": list(assessment.categories),
        "matches": [_match(m) for m in _prefer(assessment, preferred)],
        # What decided the level: "phrase" or "model" (null when nothing was found), and the
        # model's score of the match that decided it (null for a phrase hit).
        "source": first.source if first else None,
        "score": first.score if first else None,
    }


def _match(m: Match) -> dict[str, object]:
    return {
        "phrase": m.phrase,
        "category": m.category,
        "level": m.level,
        "language": m.language,
        "start": m.start,
        "end": m.end,
        "source": m.source,
        "score": m.score,
        "harmless": m.harmless,
    }


def _prefer(assessment: Assessment, language: str | None) -> list[Match]:
    """Drop a match when a match in the preferred language covers the same words with the
    same category and level (e.g. "suicide" is in both the nl and en lists)."""
    if language is None:
        return list(assessment.matches)
    covered = {
        (m.start, m.end, m.category, m.level) for m in assessment.matches if m.language == language
    }
    return [
        m
        for m in assessment.matches
        if m.language == language or (m.start, m.end, m.category, m.level) not in covered
    ]


def _preferred_language(text: str) -> str | None:
    """For --lang auto: Arabic or Tigrinya by script; Latin text could be nl or en, so none."""
    scripts = [normalize.script(c) for c in text if c.isalpha()]
    if not scripts:
        return None
    arabic, geez = scripts.count(normalize.ARABIC), scripts.count(normalize.GEEZ)
    if max(arabic, geez) * 2 <= len(scripts):
        return None
    return "ar" if arabic >= geez else "ti"
