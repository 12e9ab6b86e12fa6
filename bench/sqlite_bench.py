"""CPU per SQLite transaction: a short one (`Database.transaction(short=True)`, a plain sqlite3
connection on the event loop's thread, storage/sqlite_inline.py) beside a transaction on the
async engine (aiosqlite, one trip to its thread per statement), in the same run, on one file.

    .venv/bin/python bench/sqlite_bench.py [--no-write] [--baseline DIR]

`--baseline DIR`: another checkout (e.g. `git archive main`), whose short transactions are
measured too, in a process of their own, in the same run. Each row: 2,000 transactions one
after another (after 200 to warm up), with 1 or 5 `SELECT 1`, or the conversation path's
typical write: one row into a table of 200,000 (an indexed INSERT). Process CPU, so the
connection threads' work counts too. Best of three.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CODE = Path(os.environ.get("SQLITE_BENCH_CODE", ROOT))  # whose storage/ is measured
sys.path.insert(0, str(CODE))

from sqlalchemy import text  # noqa: E402

from bot.risk.report import write_between  # noqa: E402
from storage.db import Database  # noqa: E402

TRANSACTIONS = 2000
WORKLOADS = {
    "one `SELECT 1`": ["SELECT 1"],
    "five `SELECT 1`": ["SELECT 1"] * 5,
    "one indexed INSERT": ["INSERT INTO t (word) VALUES (:word)"],
}


async def cpu_per_transaction(db: Database, statements: list[str], short: bool) -> float:
    async def once(n: int) -> None:
        async with db.transaction(short=short) as s:
            for sql in statements:
                await s.exec(text(sql).bindparams(word=f"w{n}") if ":word" in sql else text(sql))

    for n in range(200):
        await once(n)
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        for n in range(TRANSACTIONS):
            await once(n)
        best = min(best, time.process_time() - started)
    return best / TRANSACTIONS * 1e6


async def measure() -> list[tuple[str, float, float]]:
    """(workload, µs on the async engine, µs as a short transaction) per workload."""
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{tmp}/bench.db")
        await db.create_all()
        async with db.transaction() as s:
            await s.exec(text("CREATE TABLE t (id INTEGER PRIMARY KEY, word TEXT)"))
            await s.exec(text("CREATE INDEX t_word ON t (word)"))
            await s.exec(
                text(
                    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                    "WHERE i < 200000) INSERT INTO t (word) SELECT 'x' || i FROM n"
                )
            )
        rows = []
        try:
            for name, statements in WORKLOADS.items():
                engine = await cpu_per_transaction(db, statements, short=False)
                short = await cpu_per_transaction(db, statements, short=True)
                rows.append((name, engine, short))
        finally:
            await db.dispose()
    return rows


def baseline(checkout: Path) -> dict[str, float]:
    """The short transactions of `checkout`, measured by this script in a process of its own."""
    env = {**os.environ, "SQLITE_BENCH_CODE": str(checkout.resolve())}
    out = subprocess.run(
        [sys.executable, __file__, "--json"], env=env, check=True, capture_output=True, text=True
    ).stdout
    return {name: short for name, _, short in json.loads(out)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--baseline", type=Path, help="another checkout, measured beside")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    rows = asyncio.run(measure())
    if args.json:
        print(json.dumps(rows))
        return 0
    before = baseline(args.baseline) if args.baseline else {}
    head = "| a transaction with | async engine (aiosqlite), µs | short, µs | short ÷ async |"
    rule = "|---|---:|---:|---:|"
    if before:
        head += " short in the baseline, µs |"
        rule += "---:|"
    lines = [
        f"Measured {date.today().isoformat()} on {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}; {TRANSACTIONS:,} transactions one after another "
        "on one file, best of three, process CPU (threads included). "
        "`python bench/sqlite_bench.py"
        + (" --baseline DIR` (the checkout before, same run)." if before else "`."),
        "",
        head,
        rule,
        *(
            f"| {name} | {a:.0f} | {s:.0f} | {s / a:.2f}× |"
            + (f" {before[name]:.0f} |" if name in before else "")
            for name, a, s in rows
        ),
    ]
    print("\n".join(lines))
    if not args.no_write:
        write_between(
            ROOT / "docs" / "benchmarks.md",
            "sqlite",
            ["## SQLite transactions: short ones on the loop's thread", "", *lines],
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
