"""bot/risk is pure: no Telegram, web, database, translation or event-loop imports.

The training code (`make risk-model`) reads the translation catalogs as ordinary text to test
on; it is never imported by the code that runs in the bot, which this also checks."""

from __future__ import annotations

import ast
from pathlib import Path

FORBIDDEN = {"telegram", "aiohttp", "sqlmodel", "sqlalchemy", "babel", "asyncio", "storage"}
# Build time only: may read PO files with babel, and need scikit-learn.
TRAINING = {"train", "tuning", "embedcache", "corpus", "report", "holdout"}
PACKAGE = Path(__file__).resolve().parents[2] / "bot" / "risk"


def imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names += [node.module] if node.level == 0 else [f"bot.risk.{node.module}"]
            names += [f"{node.module}.{a.name}" for a in node.names if node.module == "bot.risk"]
    return names


def test_no_forbidden_imports() -> None:
    found = []
    for path in sorted(PACKAGE.glob("*.py")):
        if path.stem in TRAINING:
            continue
        found += [f"{path.name}: {n}" for n in imports(path) if n.split(".")[0] in FORBIDDEN]
    assert found == []


def test_the_running_code_never_imports_the_training_code() -> None:
    found = []
    for path in sorted(PACKAGE.glob("*.py")):
        if path.stem in TRAINING:
            continue
        found += [
            f"{path.name}: {n}"
            for n in imports(path)
            if n.startswith("bot.risk.") and n.split(".")[2] in TRAINING
        ]
    assert found == []
