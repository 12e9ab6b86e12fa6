"""Held messages on disk (bot/channels/spool.py): a message held while the database is away is
in the spool until it is stored; a process killed while it holds messages leaves them for the
next start, which stores and answers them in order; a half-written line is skipped; the file of
a process that still runs is left alone; /metrics shows how many are held."""

from __future__ import annotations

import asyncio
import json
import logging
import stat
import sys
from collections.abc import Callable
from dataclasses import fields, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp import ClientSession
from prometheus_client.parser import text_string_to_metric_families
from sqlmodel import select

from bot.app import DB
from bot.channels import holding as holding_module
from bot.channels.holding import Holding
from bot.channels.spool import PATTERN, Held, Spool
from bot.channels.telegram import TELEGRAM
from bot.conversation import Conversations, Inbound
from bot.engine import load
from bot.i18n import Catalogs
from bot.ops.metrics import Metrics, State
from storage.cases import Case
from storage.db import Database
from storage.outbox import PRIORITY_CRISIS, OutboxMessage
from storage.residents import Resident
from storage.transcripts import TranscriptEntry
from tests.telegram.conftest import ROOT, free_port, running

CALM, CRISIS = 7301, 7302
NOW = datetime(2026, 3, 2, 10, tzinfo=UTC)
FLOWS = load(ROOT / "tests" / "engine" / "runtime_flows")

# A process that holds messages while PostgreSQL cannot be reached, says how many once they
# are on disk, and waits to be killed.
HOLDER = """
import asyncio, json, sys
from pathlib import Path
from bot.config import Config
from bot.conversation import Conversations, DeliverDirectly, Inbound
from bot.channels.holding import Holding
from storage.db import Database

async def main(url, spool, root, messages):
    config = Config(flows_dir=Path(root, "flows"), locales_dir=Path(root, "locales"))
    holding = Holding(Conversations.from_config(Database(url), config), first_retry=3600)
    await holding.open(Path(spool))
    for chat, text in json.loads(messages):
        try:
            await holding.receive(Inbound("telegram", chat, text=text))
        except DeliverDirectly:
            pass  # its crisis lines count as sent
    print(holding.held, flush=True)
    await asyncio.sleep(3600)

asyncio.run(main(*sys.argv[1:]))
"""

# A process that owns a spool file: it holds the file's lock until it ends.
OWNER = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY)
fcntl.flock(fd, fcntl.LOCK_EX)
print("locked", flush=True)
time.sleep(3600)
"""


@pytest.fixture
def quick_retry(monkeypatch: pytest.MonkeyPatch) -> None:
    """Held messages are tried again every 0.5 s at most, not up to every 5 s."""
    monkeypatch.setattr(holding_module, "MAX_RETRY", 0.5)


def spool_files(directory: Path) -> list[Path]:
    return sorted(directory.glob(PATTERN))


def spooled(directory: Path) -> list[str]:
    """The texts of the messages in the spool not yet done, as the files say."""
    records = [
        json.loads(line)
        for path in spool_files(directory)
        for line in path.read_text().splitlines()
    ]
    done = {r["done"] for r in records if "done" in r}
    return [r["inbound"]["text"] for r in records if "seq" in r and r["seq"] not in done]


async def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.02)


async def held_gauge(port: int) -> float | None:
    url = f"http://127.0.0.1:{port}/metrics"
    async with ClientSession() as session, session.get(url) as response:
        return gauge(await response.text())


def gauge(text: str) -> float | None:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "buurtbot_held_messages":
                return sample.value
    return None


async def incoming(db: Database, chat: int | str) -> list[str]:
    async with db.transaction() as s:
        entries = await s.exec(
            select(TranscriptEntry)
            .join(Resident)
            .where(Resident.external_id == str(chat), TranscriptEntry.direction == "in")
            .order_by(TranscriptEntry.id)
        )
        return [e.text for e in entries.all()]


def left_behind(directory: Path, chat: int, texts: list[str], *, start: datetime = NOW) -> Path:
    """A spool file as a stopped process leaves it: its messages on disk, its lock gone."""
    spool = Spool(directory)
    spool.open()
    for n, text in enumerate(texts):
        at = start + timedelta(seconds=n)
        spool.add(Held(spool.reserve(), at, Inbound("telegram", str(chat), text=text)))
    spool.close()
    return spool.path


async def sqlite(tmp_path: Path) -> Database:
    db = Database(f"sqlite:///{tmp_path / 'held.db'}")
    await db.create_all()
    return db


# --- the whole Telegram channel on PostgreSQL that goes away ---------------------------------


@pytest.mark.postgres
async def test_a_held_message_is_on_disk_until_it_is_stored(
    botapi, config, postgres_database, cable, quick_retry
) -> None:
    spool, port = config.spool_dir, free_port()
    url = cable.url(postgres_database)
    async with running(replace(config, database_url=url), port=port) as app:
        assert await held_gauge(port) == 0
        await cable.pull()
        botapi.text(CALM, "hallo")
        await wait_until(lambda: spooled(spool) == ["hallo"])
        assert stat.S_IMODE(spool.stat().st_mode) == 0o700
        assert [stat.S_IMODE(p.stat().st_mode) for p in spool_files(spool)] == [0o600]
        assert await held_gauge(port) == 1  # also while the database is down

        await cable.plug()
        await botapi.wait_sent(CALM, 2)  # the greeting and the language question
        await wait_until(lambda: app[TELEGRAM].held == 0)
        assert spooled(spool) == []
        assert [p.stat().st_size for p in spool_files(spool)] == [0]  # emptied
        assert await held_gauge(port) == 0
        assert await incoming(app[DB], CALM) == ["hallo"]
    assert spool_files(spool) == []  # a clean stop with nothing held leaves no file


@pytest.mark.postgres
async def test_messages_held_by_a_killed_process_are_stored_and_answered_after_a_restart(
    botapi, config, postgres_database, cable
) -> None:
    spool, url = config.spool_dir, cable.url(postgres_database)
    calm = ["hallo", "/menu", "/hulp"]
    messages = [[str(CALM), calm[0]], [str(CRISIS), "ik wil niet meer leven"]]
    messages += [[str(CALM), text] for text in calm[1:]]
    await cable.pull()
    holder = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        HOLDER,
        url,
        str(spool),
        str(ROOT),
        json.dumps(messages),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert holder.stdout is not None
        said = await asyncio.wait_for(holder.stdout.readline(), 30)
        assert said.strip() == b"4"
    finally:
        holder.kill()  # SIGKILL: no clean-up of any kind
        await holder.wait()
    assert spooled(spool) == [text for _, text in messages]

    await cable.plug()
    async with running(replace(config, database_url=url)) as app:
        await wait_until(lambda: app[TELEGRAM].held == 0)
        await botapi.settle(quiet=0.5)
        assert await incoming(app[DB], CALM) == calm
        async with app[DB].transaction() as s:
            rows = (await s.exec(select(OutboxMessage).order_by(OutboxMessage.id))).all()
            residents = {r.id: r.external_id for r in (await s.exec(select(Resident))).all()}
            urgent = (await s.exec(select(Case.priority))).all()
        answers = [r.text for r in rows if residents[r.resident_id] == str(CALM)]
        assert len(answers) >= len(calm) and all(r.status == "sent" for r in rows)
        assert botapi.texts(CALM) == answers  # answered, in order, once
        # The crisis lines went out (directly) before the kill: not again through the outbox.
        assert urgent == ["urgent"]
        assert not any(r.priority == PRIORITY_CRISIS for r in rows)
        assert await incoming(app[DB], CRISIS) == ["ik wil niet meer leven"]
        assert spooled(spool) == []
    assert spool_files(spool) == []  # the killed process's file was taken over and deleted


# --- the spool on its own, with SQLite -------------------------------------------------------


async def test_a_half_written_last_line_is_skipped_and_the_others_are_replayed(
    tmp_path, caplog
) -> None:
    spool = tmp_path / "spool"
    path = left_behind(spool, CALM, ["hallo", "/hulp"])
    record = {"seq": 3, "held_at": NOW.isoformat(), "inbound": {"text": "geheim adres 12"}}
    with path.open("ab") as file:  # killed while writing it
        file.write(json.dumps(record).encode()[:-12])
    db = await sqlite(tmp_path)
    holding = Holding(Conversations(db, FLOWS, Catalogs.empty()))
    with caplog.at_level(logging.WARNING, logger="bot.channels.spool"):
        await holding.open(spool)
    assert holding.held == 2
    await wait_until(lambda: holding.held == 0)
    assert await incoming(db, CALM) == ["hallo", "/hulp"]
    warnings = [r.getMessage() for r in caplog.records if r.name == "bot.channels.spool"]
    assert any("line 3 unreadable" in w for w in warnings), warnings
    assert "geheim" not in caplog.text
    await holding.close()
    await db.dispose()
    assert list(spool.iterdir()) == []


async def test_the_spool_file_of_a_running_process_is_left_alone(tmp_path) -> None:
    spool = tmp_path / "spool"
    path = left_behind(spool, CALM, ["hallo"])
    before = path.read_bytes()
    db = await sqlite(tmp_path)
    conversations = Conversations(db, FLOWS, Catalogs.empty())
    owner = await asyncio.create_subprocess_exec(
        sys.executable, "-c", OWNER, str(path), stdout=asyncio.subprocess.PIPE
    )
    try:
        assert owner.stdout is not None
        assert await asyncio.wait_for(owner.stdout.readline(), 10) == b"locked\n"
        holding = Holding(conversations)
        await holding.open(spool)
        assert holding.held == 0
        await holding.close()
        assert path.read_bytes() == before
        assert await incoming(db, CALM) == []
    finally:
        owner.kill()
        await owner.wait()

    holding = Holding(conversations)  # its owner is gone now: taken over
    await holding.open(spool)
    await wait_until(lambda: holding.held == 0)
    assert await incoming(db, CALM) == ["hallo"]
    await holding.close()
    await db.dispose()
    assert list(spool.iterdir()) == []


async def test_messages_of_one_chat_in_two_files_are_replayed_in_the_order_held(tmp_path) -> None:
    """Two processes behind a round-robin proxy, both killed."""
    spool = tmp_path / "spool"
    first, second = Spool(spool), Spool(spool)
    first.open()
    second.open()  # the first one still runs: its file is left alone
    for owner, seconds, text in [(first, 0, "een"), (second, 0.5, "twee"), (first, 1, "drie")]:
        at = NOW + timedelta(seconds=seconds)
        owner.add(Held(owner.reserve(), at, Inbound("telegram", str(CALM), text=text)))
    first.close()
    second.close()
    db = await sqlite(tmp_path)
    holding = Holding(Conversations(db, FLOWS, Catalogs.empty()))
    await holding.open(spool)
    await wait_until(lambda: holding.held == 0)
    assert await incoming(db, CALM) == ["een", "twee", "drie"]
    await holding.close()
    await db.dispose()


def test_every_field_of_an_inbound_is_kept(tmp_path) -> None:
    """Generic over the dataclass: a field added to `Inbound` is carried along."""
    values = {f.name: True if f.type == "bool" else f"{f.name}: é ✓ \n" for f in fields(Inbound)}
    inbound = Inbound(**values)
    spool = Spool(tmp_path)
    spool.open()
    spool.add(Held(spool.reserve(), NOW, inbound))
    spool.close()
    again = Spool(tmp_path)
    assert [(h.inbound, h.held_at) for h in again.open()] == [(inbound, NOW)]
    again.close()


def test_the_held_gauge_shows_also_while_the_database_is_down() -> None:
    assert gauge(Metrics().render(State(database_up=False, held=3)).decode()) == 3
    assert gauge(Metrics().render(State(database_up=False)).decode()) is None  # no channel


def test_a_spool_folder_that_was_there_already_is_made_private(tmp_path):
    from bot.channels.spool import Spool

    folder = tmp_path / "spool"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    spool = Spool(folder)
    spool.open()
    try:
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    finally:
        spool.close()
