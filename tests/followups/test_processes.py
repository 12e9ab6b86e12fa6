"""Two `buurtbot run` processes on one PostgreSQL, both looking for due follow-ups every 50 ms:
every follow-up is sent once (one outbox row each, one "queued" log line each across both
processes), as `FOR UPDATE SKIP LOCKED` and the conditional update promise."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from sqlmodel import select

from storage import followups as followup_db
from storage.db import Database
from storage.followups import FollowUp
from storage.outbox import OutboxMessage
from storage.residents import get_or_create_resident
from storage.types import utcnow
from tests.telegram.conftest import free_port
from tests.test_processes import _healthy

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
COUNT = 60
QUEUED = re.compile(r"follow-up (\d+) queued")


def _start(port: int, url: str, spool: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DASHBOARD_PORT": str(port),
        "BUURTBOT_OFFICE_HOURS": "altijd",
        "BUURTBOT_FOLLOW_UP_INTERVAL": "0.05",
        "BUURTBOT_PURGE_INTERVAL_HOURS": "0",
        "BUURTBOT_SPOOL_DIR": str(spool),
        "BUURTBOT_LOG_FORMAT": "text",
    }
    env.pop("TELEGRAM_BOT_TOKEN", None)
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


async def test_two_processes_send_each_follow_up_once(postgres_database: str, tmp_path: Path):
    ports = [free_port(), free_port()]
    processes = [_start(port, postgres_database, tmp_path / "spool") for port in ports]
    db = Database(postgres_database)
    try:
        for port, process in zip(ports, processes, strict=True):
            await _healthy(port, process)
        # Follow-ups fall due one by one while both processes look.
        for i in range(COUNT):
            async with db.transaction() as s:
                resident = await get_or_create_resident(s, "web", f"r{i}", now=utcnow())
                await followup_db.schedule(
                    s, resident.id, due_at=utcnow(), text="Gelukt?", source="worker", now=utcnow()
                )
            await asyncio.sleep(0.01)
        for _ in range(300):
            async with db.transaction() as s:
                rows = list((await s.exec(select(FollowUp))).all())
            if all(r.status == "sent" for r in rows):
                break
            await asyncio.sleep(0.1)
        assert [r.status for r in rows] == ["sent"] * COUNT
        async with db.transaction() as s:
            outbox = list((await s.exec(select(OutboxMessage))).all())
        asked = Counter(
            m.buttons[0][1].split(":")[1]
            for m in outbox
            if m.buttons and m.buttons[0][1].startswith("fu:")
        )
        assert sorted(asked) == sorted(str(r.id) for r in rows)
        assert set(asked.values()) == {1}
        assert {r.outbox_id for r in rows} == {m.id for m in outbox if m.text == "Gelukt?"}
    finally:
        for process in processes:
            process.terminate()
        logs = [process.communicate(timeout=20)[1] for process in processes]
        await db.dispose()
    queued = [QUEUED.findall(log) for log in logs]
    # Each sent by exactly one process (the split between them is up to chance).
    assert sorted(int(i) for found in queued for i in found) == sorted(r.id for r in rows)
    print("queued per process:", [len(found) for found in queued])
