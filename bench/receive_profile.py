"""Where the conversation path's CPU goes: `Conversations.receive` alone, in this process, for
200 residents x 5 typed messages (training/typed t1 and t2, seeded), with the shipped risk
detector and router, on SQLite (or `--db URL`). Prints CPU ms per message, split into risk
(measured apart on the same texts) and the rest; `--profile` adds cProfile's top functions.

    .venv/bin/python bench/receive_profile.py [--profile] [--db URL]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import pstats
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RESIDENTS = 200
MESSAGES_EACH = 5


def _candidates() -> list[str]:
    texts = []
    for name in ("t1.jsonl", "t2.jsonl"):
        for line in (ROOT / "training" / "typed" / name).read_text(encoding="utf-8").splitlines():
            # Not those asking for a person: a case opens, and what the resident writes next
            # goes to the worker, with no reply from the bot to time.
            if line.strip() and json.loads(line)["intent"] not in ("person", "callback"):
                texts.append(json.loads(line)["text"])
    return texts


async def _opening_no_case(texts: list[str]) -> list[str]:
    """Those of `texts` that open no case as a resident's first message (urgent topics such
    as a bed tonight do): each tried once, on a scratch database, without the risk check."""
    from sqlmodel import select

    from bot.config import Config
    from bot.conversation import Conversations, Inbound
    from storage.cases import Case
    from storage.db import Database

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/sort.db"
        db = Database(url)
        await db.create_all()
        config = Config(database_url=url, flows_dir=ROOT / "flows", locales_dir=ROOT / "locales")
        conversations = Conversations.from_config(db, config)
        conversations.risk = None
        for n, text in enumerate(texts):
            await conversations.receive(Inbound("telegram", f"s{n}", text=text))
        async with db.transaction() as s:
            opened = set((await s.exec(select(Case.resident_id))).all())
            from storage.residents import Resident

            rows = (await s.exec(select(Resident.id, Resident.external_id))).all()
        await db.dispose()
    casing = {external for rid, external in rows if rid in opened}
    return [t for n, t in enumerate(texts) if f"s{n}" not in casing]


_TEXTS: list[str] = []


async def typed_script(residents: int = RESIDENTS, each: int = MESSAGES_EACH) -> list[list[str]]:
    """Each resident's typed messages: drawn (seeded) from training/typed t1 and t2, all but
    those asking for a person or opening a case (`_opening_no_case`): a message to an open
    case goes to the worker, and the bot may not answer it."""
    if not _TEXTS:
        _TEXTS.extend(await _opening_no_case(_candidates()))
    texts = _TEXTS
    rng = random.Random(21)
    return [[rng.choice(texts) for _ in range(each)] for _ in range(residents)]


async def run(url: str, profile: bool, *, risk: bool = True) -> dict:
    from bot.config import Config
    from bot.conversation import Conversations, Inbound
    from storage.db import Database

    config = Config(database_url=url, flows_dir=ROOT / "flows", locales_dir=ROOT / "locales")
    db = Database(url)
    await db.create_all()
    conversations = Conversations.from_config(db, config)
    if not risk:
        conversations.risk = None
    script = await typed_script()
    # Warm-up: caches, the detector's first embedding, the engine's compiled statements.
    for n, texts in enumerate(script[:5]):
        for text in texts:
            await conversations.receive(Inbound("telegram", f"w{n}", text=text))
    risk_started = time.process_time()
    for texts in script:
        for text in texts:
            conversations.assess(text)  # no chat: each read anew, none remembered
    risk = time.process_time() - risk_started

    profiler = cProfile.Profile(time.process_time) if profile else None
    key = 0

    async def resident(n: int, texts: list[str]) -> None:
        nonlocal key
        for text in texts:
            key += 1
            await conversations.receive(Inbound("telegram", str(n), text=text, key=str(key)))

    started = time.process_time()
    if profiler:
        profiler.enable()
    await asyncio.gather(*(resident(n, texts) for n, texts in enumerate(script)))
    if profiler:
        profiler.disable()
    cpu = time.process_time() - started
    await db.dispose()
    messages = RESIDENTS * MESSAGES_EACH
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
    return {
        "receive_ms": cpu / messages * 1000,
        "risk_ms": risk / messages * 1000,
        "rest_ms": (cpu - risk) / messages * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--db")
    parser.add_argument("--no-risk", action="store_true", help="without the risk detector")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{tmp}/profile.db"
        print(json.dumps(asyncio.run(run(url, args.profile, risk=not args.no_risk))))


if __name__ == "__main__":
    main()
