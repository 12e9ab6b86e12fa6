"""The retention purge (storage/privacy.py): every few hours while `buurtbot run` runs, and by
hand with `buurtbot purge [--dry-run]`. What each category keeps, and why: docs/privacy.md.

A dry run does the same deletes in one transaction and rolls it back, so its counts are exactly
what a purge would remove at that moment. Output and logs hold counts, never message text.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import TextIO

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from bot.config import Config
from bot.conversation.privacy import retention_of
from bot.keys import CONFIG, DB
from storage import handled
from storage.db import Database
from storage.privacy import Purged, Retention, purge
from storage.problems import explain
from storage.types import utcnow

logger = logging.getLogger(__name__)

FIRST_DELAY = 60.0
"""Seconds after start-up before the first scheduled purge: start-up stays quick, and a process
that only lives for a moment (a test, a crash loop) does not purge at all."""

EXPLAINED = {
    "closed_cases": "cases closed more than {closed_case_days} days ago, with their notes",
    "flow_only": "residents without a case: all after {flow_only_days} days without a message, "
    "else what is older than that",
    "erased": "rows emptied by /vergeet whose confirmation went out",
    "outbox_sent": "delivery records of messages sent more than {outbox_days} days ago",
    "handled_keys": "ids of messages handled more than {handled_days} days ago, kept to "
    "recognise a message delivered twice",
    "audit": "audit log rows older than {audit_days} days",
}


class _DryRun(Exception):
    def __init__(self, report: Purged) -> None:
        super().__init__("dry run: rolled back")
        self.report = report


async def run(
    db: Database, retention: Retention, *, now: datetime, dry_run: bool = False
) -> Purged:
    """One purge in one transaction; rolled back when `dry_run`."""
    try:
        async with db.transaction() as s:
            report = await purge(s, retention, now=now)
            if dry_run:
                raise _DryRun(report)
    except _DryRun as dry:
        return dry.report
    return report


async def every(
    db: Database,
    retention: Retention,
    *,
    interval: float,
    first_delay: float = FIRST_DELAY,
    clock: Callable[[], datetime] = utcnow,
) -> None:
    """Purge after `first_delay` seconds, then every `interval` seconds, until cancelled. A
    failed purge is logged and tried again at the next interval."""
    await asyncio.sleep(first_delay)
    while True:
        try:
            report = await run(db, retention, now=clock())
        except Exception:
            logger.exception("purge failed; trying again in %.0f seconds", interval)
        else:
            if report.skipped:
                logger.info("purge skipped: another process is purging")
            else:
                logger.info("purge removed %s rows: %s", report.total, report.describe())
        await asyncio.sleep(interval)


async def scheduled(app: web.Application) -> AsyncIterator[None]:
    """`cleanup_ctx` entry of `bot.app.init_app`: the scheduled purge, every
    `BUURTBOT_PURGE_INTERVAL_HOURS` (0: none)."""
    config = app[CONFIG]
    if config.purge_interval_hours <= 0:
        yield
        return
    task = asyncio.create_task(
        every(
            app[DB],
            retention_of(config),
            interval=config.purge_interval_hours * 3600,
            first_delay=FIRST_DELAY,
        ),
        name="purge",
    )
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


# --- buurtbot purge ---------------------------------------------------------------------------


def run_cli(config: Config, *, dry_run: bool, out: TextIO, err: TextIO) -> int:
    """`buurtbot purge [--dry-run]`: purge now and print the counts per category."""
    retention = retention_of(config)

    async def go() -> Purged:
        db = Database(config.database_url)
        try:
            return await run(db, retention, now=utcnow(), dry_run=dry_run)
        finally:
            await db.dispose()

    try:
        report = asyncio.run(go())
    except (SQLAlchemyError, OSError) as exc:
        print(f"buurtbot purge: {explain(exc)}", file=err)
        return 1
    if report.skipped:
        print("Another process is purging right now; nothing done.", file=out)
        return 0
    if dry_run:
        print("Dry run: nothing was removed. A purge now would remove:", file=out)
    else:
        print("Removed:", file=out)
    days = {
        "closed_case_days": retention.closed_case_days,
        "flow_only_days": retention.flow_only_days,
        "outbox_days": retention.outbox_days,
        "audit_days": retention.audit_days,
        "handled_days": handled.KEEP.days,
    }
    for category, tables in report.removed.items():
        counts = " ".join(f"{t}={n}" for t, n in tables.items()) or "nothing"
        print(f"  {category:<13} {counts}", file=out)
        print(f"  {'':<13} ({EXPLAINED[category].format(**days)})", file=out)
    return 0
