"""Benchmark of the Telegram channel against a bare python-telegram-bot echo bot, on the same Bot
API stand-in (tests/support/botapi.py), in the same run.

1. Cost and speed: 200 residents write 5 messages each (one after another, each after the bot's
   answer to the previous one). Bot CPU seconds per 1,000 messages (CPU time of the bot's own
   process, read inside it) and p50/p95 latency from a message being available to the first
   reply to it. Buurtbot runs without pacing here, like the echo bot.
2. Crisis under a burst: Buurtbot with pacing at 30/s while 300 other chats write at once.
   (a) A crisis reply queued directly: an outbox row with priority 0, written inside the bot
   process as the conversation path does for a crisis reply; from queueing to its arrival at
   the stand-in. (b) A crisis message written by a resident, from the update being available
   to the first reply, through the risk check `init_app` sets up. And the most sends in any
   one second during the burst.

Each bot runs in a subprocess of its own; this process runs the stand-in and the residents.

The cost-and-speed run is repeated with Buurtbot on PostgreSQL (a fresh database on the
server of `DATABASE_URL_TEST_PG`, default the one at 127.0.0.1:5432, dropped afterwards) when
that server answers; else that row is left out, saying so.

    .venv/bin/python bench/telegram_bench.py            # prints the table, updates the docs
    .venv/bin/python bench/telegram_bench.py --no-docs  # prints only
    .venv/bin/python bench/telegram_bench.py --baseline /tmp/main  # with main's code beside

The messages are typed (training/typed t1 and t2, seeded; `receive_profile.typed_script`), so
the risk check and routing run on them as in production.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.receive_profile import typed_script  # noqa: E402
from tests.support.botapi import BotAPI  # noqa: E402

RESIDENTS = 200
MESSAGES_EACH = 5
NO_REPLY_WAIT = 90.0  # seconds: a message with no reply by then counts as unanswered
BURST_CHATS = 300
CRISIS_CHAT = 999_999
CRISIS_TEXT = "ik wil niet meer leven"
CRISIS_TIMES = (0.5, 3.0, 8.0)  # seconds into the burst
PACE = 30
QUIET = 0.3  # a resident writes again when the bot was quiet this long
PASSES = 1  # of the cost-and-speed run of each bot (2 or more on a quiet machine, best counts)
PG_URL = os.environ.get("DATABASE_URL_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


# --- the bots, each in its own process -------------------------------------------------------


async def _commands(handle) -> None:
    """Read commands from stdin; answer on stdout, one JSON line each."""
    while True:
        line = await asyncio.to_thread(sys.stdin.readline)
        if not line or line.strip() == "stop":
            return
        answer = await handle(line.split())
        print(json.dumps(answer), flush=True)


def _cpu(_: list[str]) -> dict:
    return {"cpu": time.process_time()}


async def child_echo(base_url: str, token: str) -> None:
    """python-telegram-bot as its echo example has it: defaults, one handler."""
    from telegram import Update
    from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.message.reply_text(update.message.text)

    application = ApplicationBuilder().token(token).base_url(base_url).build()
    application.add_handler(MessageHandler(filters.TEXT, echo))
    async with application:
        await application.start()
        await application.updater.start_polling()
        print(json.dumps({"ready": True}), flush=True)

        async def handle(words: list[str]) -> dict:
            return _cpu(words)

        await _commands(handle)
        await application.updater.stop()
        await application.stop()


async def child_buurtbot(
    base_url: str, token: str, database: str, rate: float, forget: bool = False
) -> None:
    import logging

    from aiohttp import web

    from bot.app import CONVERSATIONS, DB, init_app
    from bot.channels.telegram import TELEGRAM
    from bot.config import Config
    from storage import outbox as outbox_db
    from storage import residents as resident_db
    from storage.outbox import PRIORITY_CRISIS

    logging.basicConfig(level=logging.ERROR)
    config = Config(
        telegram_token=token,
        telegram_api_base_url=base_url,
        database_url=database,
        flows_dir=ROOT / "flows",
        locales_dir=ROOT / "locales",
        send_rate=rate,
    )
    app = init_app(config)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    await app[TELEGRAM].ready.wait()
    assert app[CONVERSATIONS].risk is not None  # the crisis message is found by the risk check
    if forget:  # every text is new to the encoder and the router, as if no two were alike
        from bot.risk.kept import Kept  # (this checkout only: a --baseline has no --forget row)

        app[CONVERSATIONS].risk.encoder.remembered = 0
        app[CONVERSATIONS].router.kept = Kept(0)
    print(json.dumps({"ready": True}), flush=True)

    async def handle(words: list[str]) -> dict:
        if words[0] == "crisis":
            now = datetime.now(UTC)
            async with app[DB].transaction() as s:
                resident = await resident_db.get_or_create_resident(
                    s, "telegram", words[1], now=now
                )
                await outbox_db.enqueue(s, resident.id, words[2], now=now, priority=PRIORITY_CRISIS)
            app[TELEGRAM].parts.outbox.notify(PRIORITY_CRISIS)  # as the conversation path does
            return {"queued": time.monotonic()}
        return _cpu(words)

    # BENCH_PROFILE=<file>: the bot's CPU profile (cProfile, process time) written there.
    profile = os.environ.get("BENCH_PROFILE")
    profiler = cProfile.Profile(time.process_time) if profile else None
    if profiler is not None:
        profiler.enable()
    await _commands(handle)
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(profile)
    await runner.cleanup()


# --- the driver ------------------------------------------------------------------------------


class Bot:
    """A bot subprocess and its command line."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    @classmethod
    async def start(cls, *args: str, root: Path = ROOT) -> Bot:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            str(root / "bench" / "telegram_bench.py"),
            "--child",
            *args,
            cwd=root,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": str(root)},
        )
        bot = cls(process)
        await asyncio.wait_for(bot._answer(), 60)
        return bot

    async def _answer(self) -> dict:
        line = await self.process.stdout.readline()
        if not line:
            raise RuntimeError("the bot process ended")
        return json.loads(line)

    async def ask(self, command: str) -> dict:
        self.process.stdin.write((command + "\n").encode())
        await self.process.stdin.drain()
        return await self._answer()

    async def stop(self) -> None:
        self.process.stdin.write(b"stop\n")
        await self.process.stdin.drain()
        try:
            await asyncio.wait_for(self.process.wait(), 30)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()


async def resident(
    api: BotAPI, chat: int, texts: list[str], latencies: list[float], unanswered: list[str]
) -> None:
    for text in texts:
        before = len(api.sent_to(chat))
        api.text(chat, text)
        asked = time.monotonic()
        try:
            await api.wait_for(lambda n=before: len(api.sent_to(chat)) > n, timeout=NO_REPLY_WAIT)
        except (TimeoutError, AssertionError):
            unanswered.append(text)  # e.g. a message relayed to a worker: no bot reply
            continue
        latencies.append(api.sent_to(chat)[before].at - asked)
        while True:  # let the whole answer arrive before writing again
            count = len(api.sent_to(chat))
            await asyncio.sleep(QUIET)
            if len(api.sent_to(chat)) == count:
                break


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def busiest_second(times: list[float]) -> int:
    times = sorted(times)
    most, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= 1.0:
            start += 1
        most = max(most, end - start + 1)
    return most


def server_cpu(database: str | None) -> float:
    """CPU seconds used so far by the PostgreSQL backends serving `database` (its connections;
    the server's background writers are not counted). 0 without one, or off Linux."""
    if database is None:
        return 0.0
    name = database.rsplit("/", 1)[-1]
    total = 0.0
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if f" {name} " not in (proc / "cmdline").read_text(errors="replace"):
                continue
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


async def cost_and_speed(
    name: str, *bot_args: str, server: str | None = None, root: Path = ROOT
) -> dict:
    """`server`: the PostgreSQL database the bot uses, whose backends' CPU is counted too;
    `root`: the checkout whose code the bot runs (another one: a before/after)."""
    api = BotAPI()
    await api.start()
    script = await typed_script(RESIDENTS, MESSAGES_EACH)
    try:
        bot = await Bot.start(
            *bot_args, "--base-url", api.base_url, "--token", api.token, root=root
        )
        try:
            await api.settle(quiet=0.5)
            started = (await bot.ask("cpu"))["cpu"] + server_cpu(server)
            wall = time.monotonic()
            latencies: list[float] = []
            unanswered: list[str] = []
            await asyncio.gather(
                *(
                    resident(api, 10_000 + n, script[n], latencies, unanswered)
                    for n in range(RESIDENTS)
                )
            )
            wall = time.monotonic() - wall
            cpu = (await bot.ask("cpu"))["cpu"] + server_cpu(server) - started
        finally:
            await bot.stop()
    finally:
        await api.close()
    messages = RESIDENTS * MESSAGES_EACH
    return {
        "bot": name,
        "messages": messages,
        "replies": len(api.sent),
        "cpu_per_1000": cpu / messages * 1000,
        "p50": statistics.median(latencies),
        "p95": percentile(latencies, 95),
        "wall": wall,
        "unanswered": len(unanswered),
    }


async def crisis_under_burst(database: str) -> dict:
    api = BotAPI()
    await api.start()
    try:
        bot = await Bot.start(
            "buurtbot",
            "--base-url",
            api.base_url,
            "--token",
            api.token,
            "--db",
            database,
            "--rate",
            str(PACE),
        )
        try:
            api.text(CRISIS_CHAT, "hallo")  # the resident of the queued crisis rows exists
            await api.wait_sent(CRISIS_CHAT, 2, timeout=30)
            await api.settle(quiet=0.5)
            first_send = len(api.sent)
            burst = time.monotonic()
            for n in range(BURST_CHATS):
                api.text(20_000 + n, "hallo")
            queued_waits, written_waits = [], []
            for index, at in enumerate(CRISIS_TIMES):
                await asyncio.sleep(max(0.0, burst + at - time.monotonic()))
                backlog = BURST_CHATS * 2 - (len(api.sent) - first_send)
                writer = CRISIS_CHAT - 1 - index
                api.text(writer, CRISIS_TEXT)
                written = time.monotonic()
                marker = f"CRISIS-{index}"
                queued = (await bot.ask(f"crisis {CRISIS_CHAT} {marker}"))["queued"]
                await api.wait_for(lambda m=marker: m in api.texts(CRISIS_CHAT), timeout=60)
                arrived = next(s.at for s in api.sent_to(CRISIS_CHAT) if s.text == marker)
                queued_waits.append((arrived - queued, backlog))
                await api.wait_for(lambda w=writer: api.sent_to(w), timeout=60)
                written_waits.append((api.sent_to(writer)[0].at - written, backlog))
            await api.wait_for(lambda: len(api.sent) - first_send >= BURST_CHATS * 2, 120)
            drained = time.monotonic() - burst
        finally:
            await bot.stop()
    finally:
        await api.close()
    sends = [c.at for c in api.calls if c.method == "sendMessage" and c.outcome == "ok"]
    return {
        "queued": queued_waits,
        "written": written_waits,
        "busiest_second": busiest_second(sends),
        "drained": drained,
        "burst_sends": BURST_CHATS * 2,
    }


async def parts_alone(database: str) -> dict:
    """CPU of the parts on their own, in this process, on the same typed messages: the risk
    check alone; the conversation path (`Conversations.receive`, one transaction per message,
    the risk check and routing included); and the same workload again with the outbox sending
    every reply to a channel that does nothing (claims, leases, marks, as they come in a live
    run)."""
    from bot.config import Config
    from bot.conversation import Conversations, Inbound
    from bot.outbox import Outbox, Sent
    from storage.db import Database

    messages = RESIDENTS * MESSAGES_EACH
    script = await typed_script(RESIDENTS, MESSAGES_EACH)

    async def workload(url: str, with_outbox: bool) -> tuple[float, int, float]:
        db = Database(url)
        await db.create_all()
        config = Config(database_url=url, flows_dir=ROOT / "flows", locales_dir=ROOT / "locales")
        conversations = Conversations.from_config(db, config)
        risk = time.process_time()
        for texts in script:
            for text in texts:
                conversations.assess(text)
        risk = time.process_time() - risk
        sent = 0

        async def nothing(message) -> Sent:
            nonlocal sent
            sent += 1
            return Sent()

        outbox = Outbox(db, "telegram", nothing)
        queued = 0

        def count(priority: int) -> None:
            outbox.notify()

        if with_outbox:
            conversations.notifier.subscribe(count)
            outbox.start()
        started = time.process_time()

        async def resident(n: int) -> None:
            nonlocal queued
            for k, text in enumerate(script[n]):
                inbound = Inbound("telegram", str(n), text=text, key=f"{n}:{k}")
                replies = await conversations.receive(inbound)
                queued += len(replies)  # after the await: += would read `queued` before it

        await asyncio.gather(*(resident(n) for n in range(RESIDENTS)))
        if with_outbox:
            while sent < queued:
                await asyncio.sleep(0.01)
            await outbox.stop()
        cpu = time.process_time() - started
        await db.dispose()
        return cpu, queued, risk

    # Best of PASSES of each, taking turns: the difference of two noisy figures is noisier still.
    receive = both = risk = float("inf")
    for attempt in range(PASSES):
        cpu, _, alone = await workload(f"{database}-a{attempt}", with_outbox=False)
        receive, risk = min(receive, cpu), min(risk, alone)
        cpu, replies, _ = await workload(f"{database}-b{attempt}", with_outbox=True)
        both = min(both, cpu)
    return {
        "risk": risk / messages,
        "receive": receive / messages,
        "with_outbox": both / messages,
        "rows_per_message": replies / messages,
    }


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, {platform.system()}"


def report(results: list[dict], crisis: dict, parts: dict, web: dict) -> str:
    by = {r["key"]: r for r in results}
    echo, buurtbot = by["echo"], by["buurtbot"]

    def cpu(r: dict) -> float:
        return r["cpu_per_1000"] / echo["cpu_per_1000"]

    def p95(r: dict) -> float:
        return r["p95"] / echo["p95"]

    lines = [
        "## Telegram",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d} on {machine()}, with `bench/telegram_bench.py`",
        "(every bot against the same Bot API stand-in, `tests/support/botapi.py`, over local",
        "HTTP; each bot in its own process; SQLite, and PostgreSQL on the same machine), all",
        "rows in the same run. Absolute figures move with whatever else the machine runs;",
        "compare the ratios, which are measured side by side.",
        "",
        f"**{RESIDENTS} residents write {MESSAGES_EACH} typed messages each** (drawn, seeded, from "
        "training/typed t1 and t2, in all four languages; each after the answer to the previous "
        "one; no pacing; the risk check and routing run on every typed message as in "
        f"production; best of {PASSES} runs by CPU). Latency is to the first reply.",
        "",
        "| bot | messages | unanswered | replies sent | CPU ms per message | × echo CPU "
        "| p50 latency | p95 latency | × echo p95 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['bot']} | {r['messages']} | {r['unanswered']} | {r['replies']} | "
            f"{r['cpu_per_1000']:.1f} | {cpu(r):.1f}× | {r['p50'] * 1000:.0f} ms | "
            f"{r['p95'] * 1000:.0f} ms | {p95(r):.1f}× |"
        )
    lines += [
        "",
        f"Buurtbot on SQLite: {cpu(buurtbot):.1f}× the echo bot's CPU per message (target: at "
        f"most 3×, long-run aim 1.5×), p95 to the first reply {p95(buurtbot):.1f}× the echo "
        "bot's (target: at most 2×). *Unanswered*: messages with no bot reply within "
        f"{NO_REPLY_WAIT:.0f} s (a message to a case that is open goes to the worker; no bot "
        "reply).",
    ]
    if "forget" in by:
        lines += [
            "With nothing remembered (every text new to the risk check and the router; the "
            "bench draws its 1,000 messages from fewer texts, and residents repeat themselves "
            "less): "
            f"{cpu(by['forget']):.1f}× the echo bot's CPU, p95 {p95(by['forget']):.1f}×.",
        ]
    if "main" in by:
        main = by["main"]
        lines += [
            f"Before (main's code, same run): {cpu(main):.1f}× the echo bot's CPU, p95 "
            f"{p95(main):.1f}×; after: {buurtbot['cpu_per_1000'] / main['cpu_per_1000']:.2f}× "
            "main's CPU per message.",
        ]
    if "postgres" not in by:
        lines += ["", "PostgreSQL did not answer in this run: its row is left out."]
    else:
        lines += [
            "On PostgreSQL the CPU of the server's backends for this database is counted with "
            "the bot's.",
        ]
    lines += [
        "",
        "Where Buurtbot's CPU goes, each part measured on its own in one process (same typed "
        "messages, SQLite):",
        "",
        "| part | CPU ms per message |",
        "|---|---:|",
        f"| the risk check alone (`assess` on the typed text) | {parts['risk'] * 1000:.1f} |",
        "| conversation path (`Conversations.receive`: risk, routing, flow step, one "
        f"transaction) | {parts['receive'] * 1000:.1f} |",
        f"| the same, and the outbox sending its {parts['rows_per_message']:.1f} replies per "
        "message (claim and lease, mark sent) to a channel that does nothing | "
        f"{parts['with_outbox'] * 1000:.1f} |",
        f"| the whole bot (above) | {buurtbot['cpu_per_1000']:.1f} |",
        f"| the whole echo bot | {echo['cpu_per_1000']:.1f} |",
        "",
    ]
    lines += web_rows(web)
    lines += [
        f"**A crisis while {BURST_CHATS} other chats write at once**, pacing at {PACE}/s "
        f"(the burst queues {crisis['burst_sends']} replies). *Queued*: a crisis reply put in "
        "the outbox with priority 0 directly, inside the bot process, as the conversation path "
        "does for one; timed from queueing to arrival. *Written*: a resident writes "
        f'"{CRISIS_TEXT}"; timed from the update being available to the first reply.',
        "",
        "| at | burst replies still queued | queued crisis reply | written crisis message |",
        "|---|---:|---:|---:|",
    ]
    for at, (queued, backlog), (written, _) in zip(
        CRISIS_TIMES, crisis["queued"], crisis["written"], strict=True
    ):
        lines.append(
            f"| {at:.1f} s into the burst | {max(backlog, 0)} | {queued * 1000:.0f} ms | "
            f"{written * 1000:.0f} ms |"
        )
    worst = max(w for w, _ in crisis["queued"] + crisis["written"])
    lines += [
        "",
        f"Worst {worst * 1000:.0f} ms (target: within 2 s). Most sends in any one second "
        f"during the burst: {crisis['busiest_second']} (limit {PACE}). All the burst's "
        f"replies were out after {crisis['drained']:.1f} s.",
        "",
    ]
    return "\n".join(lines)


def web_rows(web: dict) -> list[str]:
    """The web chat's table: an empty poll on 10 and 1,000 messages of history."""
    lines = [
        "**The web chat's poll** (`bench/webchat_bench.py`: an empty poll, `after=` the last "
        "id, as the page sends every 2 s; messages of 4 KB; the real app over local HTTP, "
        "client and server in one process, so CPU counts both; sequential polls):",
        "",
        "| code | history | polls per second | CPU ms per poll | bytes of the poll | "
        "bytes of `after=0` |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for code, rows in web.items():
        for r in rows:
            lines.append(
                f"| {code} | {r['history']:,} | {r['polls_per_second']:.0f} | "
                f"{r['cpu_ms_per_poll']:.2f} | {r['bytes_empty_poll']:,} | "
                f"{r['bytes_after_0']:,} |"
            )
    for code, rows in web.items():
        short, long = rows[0], rows[-1]
        lines.append("")
        lines.append(
            f"{code}: a poll on {long['history']:,} messages costs "
            f"{long['cpu_ms_per_poll'] / short['cpu_ms_per_poll']:.2f}× one on "
            f"{short['history']} (target: at most 1.3×)."
        )
    return [*lines, ""]


async def web_chat(root: Path) -> list[dict]:
    """bench/webchat_bench.py on the code of `root`, in a process of its own."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "bench" / "webchat_bench.py"),
        cwd=root,
        stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "BUURTBOT_ROOT": str(root), "PYTHONPATH": str(root)},
    )
    out, _ = await process.communicate()
    return json.loads(out.decode().strip().splitlines()[-1])


def write_docs(section: str) -> None:
    path = ROOT / "docs" / "benchmarks.md"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip() == "## Telegram"), None)
    if start is None:
        new = text.rstrip("\n") + "\n\n" + section
    else:
        end = next(
            (i for i in range(start + 1, len(lines)) if lines[i].startswith(("## ", "<!-- "))),
            len(lines),
        )
        before = "\n".join(lines[:start]).rstrip("\n")
        after = "\n".join(lines[end:])
        new = before + "\n\n" + section + ("\n" + after if after else "")
    path.write_text(new.rstrip("\n") + "\n", encoding="utf-8")


@asynccontextmanager
async def fresh_postgres() -> AsyncIterator[str | None]:
    """The URL of a new, empty database on the PostgreSQL server (None: it does not answer),
    dropped afterwards."""
    import asyncpg
    from sqlalchemy.engine import make_url

    server = make_url(PG_URL)
    dsn = server.set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        admin = await asyncpg.connect(dsn, timeout=3)
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        print(f"PostgreSQL at {server.host}:{server.port} does not answer ({exc})", file=sys.stderr)
        yield None
        return
    name = f"bench_{uuid.uuid4().hex[:8]}"
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.close()


async def main(write: bool, baseline: Path | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        # Each bot twice, taking turns; the run with less CPU counts (the machine is shared).
        runs: dict[str, list[dict]] = {
            "echo": [],
            "buurtbot": [],
            "forget": [],
            "main": [],
            "postgres": [],
        }
        for attempt in range(PASSES):
            runs["echo"].append(await cost_and_speed("python-telegram-bot echo (bare)", "echo"))
            print(f"echo done: {runs['echo'][-1]}", file=sys.stderr)
            database = f"sqlite:///{tmp}/a{attempt}.db"
            runs["buurtbot"].append(
                await cost_and_speed("Buurtbot", "buurtbot", "--db", database, "--rate", "0")
            )
            print(f"buurtbot done: {runs['buurtbot'][-1]}", file=sys.stderr)
            database = f"sqlite:///{tmp}/f{attempt}.db"
            runs["forget"].append(
                await cost_and_speed(
                    "Buurtbot, nothing remembered (each text new to the risk check and the router)",
                    *("buurtbot", "--db", database, "--rate", "0", "--forget"),
                )
            )
            print(f"forget done: {runs['forget'][-1]}", file=sys.stderr)
            if baseline is not None:
                database = f"sqlite:///{tmp}/m{attempt}.db"
                runs["main"].append(
                    await cost_and_speed(
                        "Buurtbot before (the --baseline checkout)",
                        *("buurtbot", "--db", database, "--rate", "0"),
                        root=baseline,
                    )
                )
                print(f"main done: {runs['main'][-1]}", file=sys.stderr)
            async with fresh_postgres() as postgres:  # empty, like the SQLite file of each pass
                if postgres is not None:
                    runs["postgres"].append(
                        await cost_and_speed(
                            "Buurtbot on PostgreSQL (bot + server backends)",
                            *("buurtbot", "--db", postgres, "--rate", "0"),
                            server=postgres,
                        )
                    )
                    print(f"postgres done: {runs['postgres'][-1]}", file=sys.stderr)
        results = [
            {**min(runs[bot], key=lambda r: r["cpu_per_1000"]), "key": bot}
            for bot in runs
            if runs[bot]
        ]
        web = {"this branch": await web_chat(ROOT)}
        if baseline is not None:
            web = {"main (before)": await web_chat(baseline), **web}
        print(f"web done: {web}", file=sys.stderr)
        crisis = await crisis_under_burst(f"sqlite:///{tmp}/b.db")
        print(f"crisis done: {crisis}", file=sys.stderr)
        parts = await parts_alone(f"sqlite:///{tmp}/c.db")
        print(f"parts done: {parts}", file=sys.stderr)
    section = report(results, crisis, parts, web)
    print(section)
    if write:
        write_docs(section)


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-docs", action="store_true", help="do not update the docs")
    parser.add_argument("--child", choices=["echo", "buurtbot"], help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument("--token", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--rate", type=float, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--forget", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--baseline",
        type=Path,
        help="another checkout (e.g. `git archive main`): its Buurtbot and web chat as rows too",
    )
    return parser.parse_args()


if __name__ == "__main__":
    args = parse()
    if args.child == "echo":
        asyncio.run(child_echo(args.base_url, args.token))
    elif args.child == "buurtbot":
        asyncio.run(child_buurtbot(args.base_url, args.token, args.db, args.rate, args.forget))
    else:
        asyncio.run(main(write=not args.no_docs, baseline=args.baseline))
