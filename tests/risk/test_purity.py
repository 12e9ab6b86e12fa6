"""bot/risk is pure: no Telegram, web, database, translation or event-loop imports."""

from __future__ import annotations

import ast
from pathlib import Path

FORBIDDEN = {"telegram", "aiohttp", "sqlmodel", "sqlalchemy", "babel", "asyncio", "storage"}
PACKAGE = Path(__file__).resolve().parents[2] / "bot" / "risk"


def test_no_forbidden_imports() -> None:
    found = []
    for path in sorted(PACKAGE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            else:
                continue
            found += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert found == []
