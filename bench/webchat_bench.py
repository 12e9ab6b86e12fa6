"""The web chat's poll on a short and a long conversation (issue 21): an empty poll
(`GET /chat/api/messages?after=<last id>`, what the page sends every 2 s) with 10 and with
1,000 messages of history (each message 4 KB, every reply with its sent outbox row, as a long
conversation leaves them). Real app (`init_app`), real HTTP over localhost, SQLite. Client and
server run in this process: the CPU per poll counts both (the client's share is the same for
both histories).

    .venv/bin/python bench/webchat_bench.py         # prints JSON
    BUURTBOT_ROOT=/path/to/other/checkout .venv/bin/python bench/webchat_bench.py

`BUURTBOT_ROOT` measures another checkout's code (e.g. main's, for a before/after).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(os.environ.get("BUURTBOT_ROOT") or Path(__file__).resolve().parents[1])
sys.path.insert(0, str(ROOT))

HISTORIES = (10, 1000)
POLLS = 300
TEXT = "x" * 4000


async def seed_history(db, messages: int, text: str = TEXT) -> int:
    """`messages` more in and out of the only resident, each out with a sent outbox row, as a
    long conversation leaves them; returns the id of the last. tests/perf uses it too."""
    from sqlmodel import select

    from storage.outbox import OutboxMessage, OutboxStatus
    from storage.residents import Resident
    from storage.transcripts import TranscriptEntry
    from storage.types import utcnow

    now = utcnow() - timedelta(days=1)
    async with db.transaction() as s:
        resident = (await s.exec(select(Resident))).one()
        entries = [
            TranscriptEntry(
                resident_id=resident.id,
                direction="in" if n % 2 else "out",
                text=f"{n} {text}",
                created_at=now,
            )
            for n in range(messages)
        ]
        s.add_all(entries)
        await s.flush()
        s.add_all(
            OutboxMessage(
                resident_id=resident.id,
                transcript_id=e.id,
                text=e.text,
                status=OutboxStatus.SENT.value,
                created_at=now,
                sent_at=now,
            )
            for e in entries
            if e.direction == "out"
        )
    return entries[-1].id


async def measure(history: int, tmp: str) -> dict:
    from aiohttp.test_utils import TestClient, TestServer

    from bot.app import DB, init_app
    from bot.config import Config

    config = Config(
        database_url=f"sqlite:///{tmp}/web{history}.db",
        flows_dir=ROOT / "flows",
        locales_dir=ROOT / "locales",
    )
    client = TestClient(TestServer(init_app(config)))
    await client.start_server()
    try:
        await client.get("/")
        response = await client.post("/chat/api/send", json={"text": "/start"})
        assert response.status == 200, await response.text()
        last = await seed_history(client.app[DB], history - 3)  # /start and its two replies
        url = f"/chat/api/messages?after={last}"
        for _ in range(20):  # warm-up
            await (await client.get(url)).read()
        size = len(await (await client.get(url)).read())
        cpu, wall = time.process_time(), time.perf_counter()
        for _ in range(POLLS):
            response = await client.get(url)
            await response.read()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        everything = len(await (await client.get("/chat/api/messages?after=0")).read())
    finally:
        await client.close()
    return {
        "history": history,
        "polls_per_second": POLLS / wall,
        "cpu_ms_per_poll": cpu / POLLS * 1000,
        "bytes_empty_poll": size,
        "bytes_after_0": everything,
    }


async def main() -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        return [await measure(history, tmp) for history in HISTORIES]


if __name__ == "__main__":
    import logging

    logging.basicConfig(level=logging.ERROR)
    print(json.dumps(asyncio.run(main())))
