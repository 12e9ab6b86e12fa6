"""`/healthz` and `/metrics`: what a supervisor and Prometheus ask the running process.

`/healthz` answers 200 while the process serves and its database takes a write
(storage/health.py), 503 with the reasons when it does not; Telegram trouble is reported but
does not fail the check (the web chat and the dashboard still work, and a restart would not
bring Telegram back).
`/metrics` answers even when the database is down: the counters, and `buurtbot_database_up 0`.

The database is asked with a short timeout, by at most one query of each kind at a time: a
check still running when its callers gave up is left to finish, not cancelled (cancelling a
transaction midway can leave SQLite's write lock held), and the next caller waits for it
instead of starting another, so a slow database does not collect a pile of probes.
"""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from typing import Generic, TypeVar

from aiohttp import web

from bot.keys import CONFIG, DB, METRICS, TELEGRAM_PROBE, WHATSAPP_PROBE
from bot.ops.metrics import CONTENT_TYPE, State, read_state
from storage.health import DiskFull, can_write
from storage.types import utcnow

T = TypeVar("T")
TIMEOUT_SECONDS = 2.0


class Shared(Generic[T]):
    """Runs `check()` at most once at a time; callers share the run under way, each waiting
    with its own timeout (see the module docstring)."""

    def __init__(self, check: Callable[[], Awaitable[T]]) -> None:
        self.check = check
        self._task: asyncio.Task[T] | None = None

    async def __call__(self, timeout: float) -> T:
        """The check's result; raises `TimeoutError`, or what the check raised."""
        if self._task is None or self._task.done():
            self._task = asyncio.ensure_future(self.check())
            self._task.add_done_callback(_consume)
        task = self._task
        done, _ = await asyncio.wait({task}, timeout=timeout)
        if not done:
            raise TimeoutError
        return task.result()

    async def close(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)


def _consume(task: asyncio.Task) -> None:
    """Fetch the outcome of a check whose callers timed out, so asyncio does not report it as
    never retrieved."""
    if not task.cancelled():
        task.exception()


class Checks:
    """The shared database checks of one application."""

    def __init__(self, app: web.Application) -> None:
        self.app = app
        self.ping: Shared[None] = Shared(self._ping)
        self.state: Shared[State] = Shared(self._state)

    async def _ping(self) -> None:
        await can_write(self.app[DB])  # answering is not enough: a write must be possible

    async def _state(self) -> State:
        return await read_state(self.app[DB], utcnow())

    async def close(self) -> None:
        await self.ping.close()
        await self.state.close()


CHECKS = web.AppKey("operations_checks", Checks)


def telegram_status(app: web.Application) -> str | None:
    """The Telegram channel's status (`TelegramChannel.status`), None when it is off."""
    if not app[CONFIG].telegram_token:
        return None
    channel = app.get(TELEGRAM_PROBE)
    return channel.status() if channel is not None else "down"


def whatsapp_status(app: web.Application) -> str | None:
    """The WhatsApp channel's status, None when it is off."""
    if not app[CONFIG].whatsapp_on:
        return None
    channel = app.get(WHATSAPP_PROBE)
    return channel.status() if channel is not None else "down"


def held_messages(app: web.Application) -> int | None:
    """Messages the Telegram channel holds for the database, None when it is off."""
    if not app[CONFIG].telegram_token:
        return None
    channel = app.get(TELEGRAM_PROBE)
    return channel.held if channel is not None else 0


def _problem(exc: BaseException) -> str:
    # The kind of failure only: the message may name hosts, users or SQL.
    if isinstance(exc, DiskFull):
        return "error: disk full"
    return "timeout" if isinstance(exc, TimeoutError) else f"error: {type(exc).__name__}"


async def healthz(request: web.Request) -> web.Response:
    report = {"status": "ok", "database": "ok"}
    try:
        await request.app[CHECKS].ping(TIMEOUT_SECONDS)
    except Exception as exc:
        report["status"], report["database"] = "fail", _problem(exc)
    telegram = telegram_status(request.app)
    if telegram is not None:
        report["telegram"] = telegram
        if telegram != "ok" and report["status"] == "ok":
            report["status"] = "degraded"
    whatsapp = whatsapp_status(request.app)
    if whatsapp is not None:
        report["whatsapp"] = whatsapp
        if whatsapp != "ok" and report["status"] == "ok":
            report["status"] = "degraded"
    return web.json_response(report, status=503 if report["status"] == "fail" else 200)


async def metrics(request: web.Request) -> web.Response:
    token = request.app[CONFIG].metrics_token
    if token and not _bearer_matches(request, token):
        raise web.HTTPUnauthorized(headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
    try:
        state = await request.app[CHECKS].state(TIMEOUT_SECONDS)
    except Exception:
        state = State(database_up=False)
    telegram = telegram_status(request.app)
    if telegram is not None:
        state = replace(state, telegram_up=telegram == "ok", held=held_messages(request.app))
    body = request.app[METRICS].render(state)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})


def _bearer_matches(request: web.Request, token: str) -> bool:
    given = request.headers.get("Authorization", "")
    scheme, _, value = given.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(value.encode(), token.encode())


def setup(app: web.Application) -> None:
    """Add `/healthz` and `/metrics`."""
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    app[CHECKS] = Checks(app)

    async def lifetime(app: web.Application) -> AsyncIterator[None]:
        yield
        await app[CHECKS].close()

    app.cleanup_ctx.append(lifetime)
