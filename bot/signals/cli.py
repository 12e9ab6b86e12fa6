"""`buurtbot signals`: the report as tidy rows (period, area, measure, value), CSV or JSON,
with suppressed cells empty (CSV) or null (JSON)."""

from __future__ import annotations

import asyncio
import csv
import json
from datetime import date
from typing import TextIO

from sqlalchemy.exc import SQLAlchemyError

from bot.config import Config
from bot.signals import periods
from bot.signals.report import Row, build
from storage import signals
from storage.db import Database
from storage.problems import explain

FIELDS = ("period", "area", "measure", "value")


async def load(
    db: Database, *, kind: str, start: date | None, end: date | None
) -> list[tuple[date, str, str, int]]:
    """The counts a report over `start`..`end` needs: whole weeks, or whole quarters (months
    are suppressed together with their quarter)."""
    outer = "week" if kind == "week" else "quarter"
    first = periods.bounds(periods.label(start, outer))[0] if start else None
    last = periods.bounds(periods.label(end, outer))[1] if end else None
    async with db.transaction() as s:
        return await signals.counts(s, start=first, end=last)


async def report(
    db: Database,
    *,
    kind: str = "month",
    k: int,
    start: date | None = None,
    end: date | None = None,
    team: str | None = None,
) -> list[Row]:
    counts = await load(db, kind=kind, start=start, end=end)
    return build(counts, kind=kind, k=k, start=start, end=end, team=team)


def write_csv(rows: list[Row], out: TextIO) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FIELDS)
    for row in rows:
        writer.writerow((row.period, row.area, row.measure, "" if row.value is None else row.value))


def write_json(rows: list[Row], out: TextIO) -> None:
    json.dump([r.as_dict() for r in rows], out, ensure_ascii=False, indent=1)
    out.write("\n")


def run_cli(
    config: Config,
    *,
    team: str | None,
    start: str | None,
    end: str | None,
    kind: str,
    fmt: str,
    out: TextIO,
    err: TextIO,
) -> int:
    try:
        first = date.fromisoformat(start) if start else None
        last = date.fromisoformat(end) if end else None
    except ValueError as e:
        print(f"buurtbot signals: a date is YYYY-MM-DD ({e})", file=err)
        return 2
    if first and last and last < first:
        print("buurtbot signals: --to is before --from", file=err)
        return 2

    async def go() -> list[Row]:
        db = Database(config.database_url)
        try:
            return await report(
                db, kind=kind, k=config.signals_min_count, start=first, end=last, team=team
            )
        finally:
            await db.dispose()

    try:
        rows = asyncio.run(go())
    except (SQLAlchemyError, OSError) as exc:
        print(f"buurtbot signals: {explain(exc)}", file=err)
        return 1
    if team and not rows:
        print(f"buurtbot signals: no counts for area {team!r} in these periods", file=err)
    (write_json if fmt == "json" else write_csv)(rows, out)
    return 0
