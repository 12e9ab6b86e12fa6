"""Two `buurtbot run` processes on one PostgreSQL, behind a load balancer, in webhook mode, the
Telegram stand-in posting several updates at once: every message is stored once and answered
once, in order per chat; one process is killed with SIGKILL under load and started again, and
nothing is lost. Then two workers on the two processes claim cases at once: none twice.

The delivery guarantee this checks (docs/database.md): a webhook update is answered 200 only
after it is handled and committed, so an update in the hands of a killed process is posted
again and handled by the other one — at least once. An update committed but not yet confirmed
when the process dies is posted again too, and recognised by its update_id: handled once. Only
sending stays at least once: a reply whose OK was lost may reach the resident twice."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiohttp import ClientError, ClientSession, ClientTimeout, web
from sqlmodel import select

from storage import casework
from storage.cases import Case
from storage.casework import Actor
from storage.db import Database
from storage.outbox import OutboxMessage
from storage.residents import Resident
from storage.transcripts import TranscriptEntry
from tests.support.botapi import BotAPI
from tests.telegram.conftest import free_port

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[1]
SECRET = "two-processes-secret"
HOOK = "/telegram/webhook"


class Balancer:
    """Round robin over the processes, on to the next one when a process does not answer
    (as nginx's `proxy_next_upstream error`)."""

    def __init__(self, ports: list[int]) -> None:
        self.ports = ports
        self._next = itertools.cycle(range(len(ports)))
        self.port = free_port()
        self.served: dict[int, int] = {}
        self.reposted = 0  # requests posted again to the next process after an error

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        headers = {
            "X-Telegram-Bot-Api-Secret-Token": request.headers.get(
                "X-Telegram-Bot-Api-Secret-Token", ""
            ),
            "Content-Type": "application/json",
        }
        for _ in range(len(self.ports)):
            port = self.ports[next(self._next)]
            try:
                async with self.session.post(
                    f"http://127.0.0.1:{port}{HOOK}", data=body, headers=headers
                ) as response:
                    self.served[port] = self.served.get(port, 0) + 1
                    return web.Response(status=response.status)
            except (ClientError, OSError, TimeoutError):
                self.reposted += 1
                continue
        return web.Response(status=502)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        self.session = ClientSession(timeout=ClientTimeout(total=30))
        app = web.Application()
        app.router.add_post(HOOK, self.handle)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", self.port).start()
        try:
            yield
        finally:
            await runner.cleanup()
            await self.session.close()


def _start(
    port: int, database_url: str, botapi: BotAPI, hook_port: int, spool: Path
) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "TELEGRAM_BOT_TOKEN": botapi.token,
        "TELEGRAM_API_BASE_URL": botapi.base_url,
        "WEBHOOK_URL": f"http://127.0.0.1:{hook_port}{HOOK}",
        "WEBHOOK_SECRET": SECRET,
        "DASHBOARD_PORT": str(port),
        "BUURTBOT_SEND_RATE": "0",
        "BUURTBOT_OFFICE_HOURS": "altijd",
        "BUURTBOT_SPOOL_DIR": str(spool),  # one for both, as for processes in one directory
    }
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


async def _healthy(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    last = "no answer"
    async with ClientSession(timeout=ClientTimeout(total=2)) as session:
        while loop.time() < deadline and process.poll() is None:
            with contextlib.suppress(ClientError, OSError, TimeoutError):
                async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                    if response.status == 200:
                        return
                    last = f"{response.status} {await response.text()}"
            await asyncio.sleep(0.2)
    if process.poll() is not None:
        last = f"exited {process.returncode}: {process.stderr.read()[-3000:]}"
    raise AssertionError(f"buurtbot on port {port} did not come up: {last}")


async def _resident(botapi: BotAPI, chat: int) -> None:
    """One resident's visit: first contact, a language, the menu, help; then three messages
    typed quickly after each other."""
    await _say(botapi, chat, "hallo", 2)  # greeting, language picker
    await botapi.wait_for(lambda: _picker_shown(botapi, chat), 60)
    before = len(botapi.sent_to(chat))
    botapi.press(chat, "Nederlands")
    await botapi.wait_sent(chat, before + 2, timeout=60)  # "Goed, ...", the menu
    await _say(botapi, chat, "/menu", 1)
    for text in ("/hulp", "/menu", "/hulp"):
        botapi.text(chat, text)


def _in_order(wanted: list[str], got: list[str]) -> bool:
    """Whether `got` holds every item of `wanted`, in that order (others may be between)."""
    rest = iter(got)
    return all(any(item == other for other in rest) for item in wanted)


def _as_sent(text: str) -> str:
    """The text as sent, before the press marked the chosen option under it."""
    return text.split("\n\n✓ ")[0]


def _picker_shown(botapi: BotAPI, chat: int) -> bool:
    return any("Nederlands" in (label for label, _ in m.buttons) for m in botapi.sent_to(chat))


async def _say(botapi: BotAPI, chat: int, text: str, replies: int) -> None:
    before = len(botapi.sent_to(chat))
    botapi.text(chat, text)
    await botapi.wait_sent(chat, before + replies, timeout=60)


async def _stored(
    db: Database,
) -> tuple[list[Resident], list[TranscriptEntry], list[OutboxMessage]]:
    async with db.transaction() as s:
        residents = list((await s.exec(select(Resident))).all())
        entries = list((await s.exec(select(TranscriptEntry).order_by(TranscriptEntry.id))).all())
        rows = list((await s.exec(select(OutboxMessage).order_by(OutboxMessage.id))).all())
    return residents, entries, rows


def _chat_ids(residents: list[Resident]) -> dict[int, int]:
    return {r.id: int(r.external_id) for r in residents}


async def test_two_processes_under_load_with_one_killed(
    botapi: BotAPI, postgres_database: str, tmp_path: Path
) -> None:
    botapi.webhook_connections = 8
    ports = [free_port(), free_port()]
    balancer = Balancer(ports)
    processes: list[subprocess.Popen] = []
    db = Database(postgres_database)
    try:
        async with balancer.running():
            processes = [
                _start(p, postgres_database, botapi, balancer.port, tmp_path) for p in ports
            ]
            await asyncio.gather(*(_healthy(p, q) for p, q in zip(ports, processes, strict=True)))
            await botapi.wait_for(lambda: botapi.webhook is not None, 30)

            # Load: 30 residents at once, on both processes.
            first = list(range(9001, 9031))
            await asyncio.wait_for(asyncio.gather(*(_resident(botapi, c) for c in first)), 180)

            # Under load, one process is killed and started again.
            second = list(range(9101, 9131))
            visits = asyncio.gather(*(_resident(botapi, c) for c in second))
            await botapi.wait_for(lambda: len(botapi.sent_to(second[-1])) > 0, 60)
            processes[0].send_signal(signal.SIGKILL)
            processes[0].wait(10)
            await asyncio.wait_for(visits, 180)
            processes[0] = _start(ports[0], postgres_database, botapi, balancer.port, tmp_path)
            await _healthy(ports[0], processes[0])

            everyone = first + second
            expected_in = ["hallo", "Nederlands", "/menu", "/hulp", "/menu", "/hulp"]
            await botapi.wait_for(lambda: all(len(botapi.sent_to(c)) >= 9 for c in everyone), 120)
            await botapi.settle(quiet=2.0, timeout=60)
            assert all(balancer.served.get(p) for p in ports), balancer.served

            residents, entries, rows = await _stored(db)
            chats = _chat_ids(residents)
            assert sorted(chats.values()) == everyone
            not_once, resent = [], 0
            for resident_id, chat in chats.items():
                incoming = [
                    e.text for e in entries if e.resident_id == resident_id and e.direction == "in"
                ]
                # Stored once each, in the order written: also those in flight at the kill.
                if incoming != expected_in:
                    not_once.append((chat, incoming))
                # Every reply was sent, exactly once, in the order it was written.
                queued = [r.text for r in rows if r.resident_id == resident_id]
                assert all(r.status == "sent" for r in rows if r.resident_id == resident_id)
                sent = [_as_sent(m.text) for m in botapi.sent_to(chat)]
                # A group in flight at the kill, or whose answer timed out, is sent again.
                assert _in_order(queued, sent), chat
                resent += len(sent) - len(queued)
            # Once in: an update posted again (to the other process, or by Telegram) is found
            # handled. At least once out: a send whose answer was lost is sent again.
            assert not_once == [], not_once
            # (Measured here: 0-26 resends of 600 replies; every reply sent twice would be 600.)
            assert 0 <= resent <= len(everyone), resent
            posts = [update_id for update_id, _ in botapi.webhook_deliveries]
            reposts = len(posts) - len(set(posts))
            print(
                f"posted again: {balancer.reposted} by the balancer, {reposts} by Telegram; "
                f"replies sent twice: {resent}"
            )

            # Cases: 20 residents ask for a person; two workers, one per process, claim at once.
            askers = everyone[:20]
            await asyncio.gather(*(_say(botapi, c, "/mens", 1) for c in askers))
            other = Database(postgres_database)
            try:
                claimed = await asyncio.gather(
                    _claim_all(db, Actor(1, "ayse", "worker")),
                    _claim_all(other, Actor(2, "bram", "worker")),
                )
            finally:
                await other.dispose()
            ids = claimed[0] + claimed[1]
            assert len(ids) == len(set(ids)) == 20
            assert claimed[0] and claimed[1]
            async with db.transaction() as s:
                cases = (await s.exec(select(Case))).all()
            assert sorted(c.worker_id for c in cases) == sorted(
                [1] * len(claimed[0]) + [2] * len(claimed[1])
            )
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(10)
            if process.poll() is None:
                process.kill()
        await db.dispose()


async def _claim_all(db: Database, actor: Actor) -> list[int]:
    taken = []
    while True:
        async with db.transaction() as s:
            case = await casework.claim_next(s, actor, now=datetime.now(UTC))
        if case is None:
            return taken
        taken.append(case.id)
        await asyncio.sleep(0)
