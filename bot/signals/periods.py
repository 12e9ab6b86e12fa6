"""Report periods: ISO weeks, months and quarters, each named and bounded by its days."""

from __future__ import annotations

from datetime import date, timedelta

KINDS = ("week", "month", "quarter")


def label(day: date, kind: str) -> str:
    """The name of the `kind` period `day` falls in: 2026-W49, 2026-12, 2026-Q4."""
    if kind == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    if kind == "month":
        return f"{day.year}-{day.month:02d}"
    if kind == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    raise ValueError(f"unknown period {kind!r} (week, month or quarter)")


def bounds(name: str) -> tuple[date, date]:
    """The first and the last day of the period called `name`."""
    if "-W" in name:
        year, week = name.split("-W")
        first = date.fromisocalendar(int(year), int(week), 1)
        return first, first + timedelta(days=6)
    year, part = name.split("-")
    if part.startswith("Q"):
        first = date(int(year), 3 * int(part[1:]) - 2, 1)
        return first, _month_end(date(int(year), 3 * int(part[1:]), 1))
    first = date(int(year), int(part), 1)
    return first, _month_end(first)


def _month_end(first: date) -> date:
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return following - timedelta(days=1)


def months_of(quarter: str) -> list[str]:
    year, part = quarter.split("-Q")
    return [f"{year}-{3 * int(part) - 2 + i:02d}" for i in range(3)]


def between(kind: str, start: date, end: date) -> list[str]:
    """Every `kind` period that overlaps `start`..`end`, in order."""
    names: list[str] = []
    day = start
    while day <= end:
        name = label(day, kind)
        names.append(name)
        day = bounds(name)[1] + timedelta(days=1)
    return names
