"""The engine stays pure: no network, database, translation or event-loop machinery."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import bot.engine

FORBIDDEN = ("telegram", "aiohttp", "sqlmodel", "sqlalchemy", "babel", "asyncio")
ENGINE = Path(bot.engine.__file__).parent


def test_engine_sources_import_nothing_forbidden():
    found = []
    for path in sorted(ENGINE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            found += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert not found
    assert len(list(ENGINE.glob("*.py"))) >= 8  # the walk really saw the engine


def test_importing_the_engine_loads_nothing_forbidden():
    code = (
        "import sys, bot.engine; "
        f"print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
