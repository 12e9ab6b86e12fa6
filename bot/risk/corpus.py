"""The labelled messages the risk model learns from and is measured on: `training/risk/batches/
*.jsonl` (one writer each, see training/risk/README.md) and the team's own
`tests/risk/labelled.yaml` (batch "dev", which the phrase lists were tuned on: trained on, never
used to measure)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from babel.messages.pofile import read_po

from bot import yamldoc
from bot.risk.assessment import CATEGORIES, LANGUAGES, LEVELS, NONE
from bot.risk.evaluation import Labelled, load_labelled

ROOT = Path(__file__).resolve().parents[2]
TRAINING = ROOT / "training" / "risk"
DEV = ROOT / "tests" / "risk" / "labelled.yaml"
FIELDS = ("id", "lang", "variant", "level", "category", "kind", "text")


def load_batch(path: Path) -> list[Labelled]:
    """One batch file; raises ValueError naming every bad line as `file:line: what`."""
    out: list[Labelled] = []
    errors: list[str] = []
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        where = f"{shown}:{number}"
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(f"{where}: not JSON ({exc.msg}, column {exc.colno})")
            continue
        problem = _problem(item)
        if problem:
            errors.append(f"{where}: {problem}")
            continue
        category = None if item["category"] == NONE else item["category"]
        out.append(
            Labelled(
                item["lang"],
                item["level"],
                category,
                item["text"],
                path.stem,
                where,
                variant=item["variant"],
            )
        )
    if errors:
        raise ValueError("\n".join(errors))
    return out


def _problem(item: object) -> str | None:
    if not isinstance(item, dict) or set(item) != set(FIELDS):
        return f"needs exactly the fields {', '.join(FIELDS)}"
    if item["lang"] not in LANGUAGES:
        return f"lang {item['lang']!r} is not one of {', '.join(LANGUAGES)}"
    if item["level"] not in (*LEVELS, NONE):
        return f"level {item['level']!r} is not one of urgent, high, check, none"
    if item["category"] not in (*CATEGORIES, NONE):
        return f"category {item['category']!r} is unknown"
    if (item["category"] == NONE) != (item["level"] == NONE):
        return "category is none exactly when level is none"
    if not isinstance(item["text"], str) or not item["text"].strip():
        return "text is empty"
    return None


def manifest(root: Path = TRAINING) -> dict[str, dict]:
    """batches.yaml: per batch its writer, date and brief; `holdout: true` is never trained on."""
    doc, problems = yamldoc.read(root / "batches.yaml")
    if problems or doc is None or not isinstance(doc.data, dict):
        raise ValueError("\n".join(str(p) for p in problems) or f"{root}/batches.yaml: no batches")
    return doc.data["batches"]


def load_all(root: Path = TRAINING, dev: Path = DEV) -> dict[str, list[Labelled]]:
    """Every batch by name, the team's labelled.yaml as "dev" first."""
    batches = {"dev": load_labelled(dev, display=str(dev.relative_to(ROOT)))}
    for path in sorted((root / "batches").glob("*.jsonl")):
        batches[path.stem] = load_batch(path)
    return batches


def fingerprint(root: Path = TRAINING, dev: Path = DEV) -> str:
    """sha256 over the training data and the code that turns it into the model: the committed
    model must carry the fingerprint of what is in the repository now."""
    here = Path(__file__).parent
    paths = [
        dev,
        root / "batches.yaml",
        *sorted((root / "batches").glob("*.jsonl")),
        here / "classifier.py",
        here / "features.py",
        here / "skeleton.py",
        here / "train.py",
        here / "tuning.py",
    ]
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def catalog_texts() -> list[str]:
    """Every Dutch source text and translation in locales/: ordinary text nobody trained on."""
    texts: set[str] = set()
    for path in sorted((ROOT / "locales").glob("*/LC_MESSAGES/messages.po")):
        with path.open("rb") as f:
            for message in read_po(f):
                for text in (message.id, message.string):
                    if isinstance(text, str) and text.strip():
                        texts.add(text)
    return sorted(texts)
