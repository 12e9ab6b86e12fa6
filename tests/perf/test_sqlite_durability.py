"""SQLite with WAL and synchronous=NORMAL (issue 21): a commit does not wait for the disk, and a
process killed with SIGKILL right after its commits loses none of them (the log is in the
operating system's hands at commit; only a power cut can lose the last ones)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from storage.db import Database

ROOT = Path(__file__).resolve().parents[2]

WRITER = """
import asyncio, sys
from sqlalchemy import text
from storage.db import Database

async def main(url):
    db = Database(url)
    await db.create_all()
    n = 0
    while True:
        n += 1
        async with db.transaction() as s:
            await s.exec(text(
                "INSERT INTO handled_message (channel, key, handled_at)"
                " VALUES ('web', :key, CURRENT_TIMESTAMP)"
            ).bindparams(key=str(n)))
        print(n, flush=True)  # committed

asyncio.run(main(sys.argv[1]))
"""


async def test_connections_use_wal_with_synchronous_normal(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'b.db'}")
    try:
        async with db.transaction() as s:
            mode = (await s.exec(text("PRAGMA journal_mode"))).scalar()
            synchronous = (await s.exec(text("PRAGMA synchronous"))).scalar()
    finally:
        await db.dispose()
    assert (mode, synchronous) == ("wal", 1)  # 1: NORMAL (2 is FULL)


async def test_a_process_killed_after_its_commits_loses_none_of_them(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'k.db'}"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, url],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    committed = 0
    try:
        assert writer.stdout is not None
        while committed < 200:
            line = writer.stdout.readline()
            assert line, "the writer ended"
            committed = int(line)
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait()
    db = Database(url)
    try:
        async with db.transaction() as s:
            stored = (await s.exec(text("SELECT count(*) FROM handled_message"))).scalar()
    finally:
        await db.dispose()
    assert stored >= committed  # every commit it reported (and perhaps one more) is there
