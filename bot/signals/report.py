"""The signals report: tidy rows (period, area, measure, value) from the daily counts, with
suppressed cells empty (None).

Each measure group (`case`, `topic`, `contact`, ...) is a table per period: areas down, the
group's values across, a total per area (`<group>.totaal`) and a row for all areas together
(`Alle wijken`). Months are suppressed together with their quarter (a quarter is the sum of its
months, so a hidden month could otherwise be worked out from the quarter and its other months);
weeks on their own. Suppression always looks at every area, whatever `team` asks for, so a
report for one team shows exactly the cells the full report shows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import date

from bot.signals import periods
from bot.signals.suppress import Problem, suppress

ALL_AREAS = "Alle wijken"
TOTAL = "totaal"
DEFAULT_MIN_COUNT = 10


@dataclass(frozen=True)
class Row:
    period: str
    area: str
    measure: str
    value: int | None  # None: suppressed

    def as_dict(self) -> dict[str, object]:
        return {
            "period": self.period,
            "area": self.area,
            "measure": self.measure,
            "value": self.value,
        }


Counts = Iterable[tuple[date, str, str, int]]  # (day, area, measure, count)


def build(
    counts: Counts,
    *,
    kind: str = "month",
    k: int = DEFAULT_MIN_COUNT,
    start: date | None = None,
    end: date | None = None,
    team: str | None = None,
) -> list[Row]:
    """The report over the `kind` periods that overlap `start`..`end` (default: from the first
    count to the last)."""
    if kind not in periods.KINDS:
        raise ValueError(f"unknown period {kind!r} (week, month or quarter)")
    days: dict[tuple[date, str, str], int] = defaultdict(int)
    for day, area, measure, count in counts:
        days[(day, area, measure)] += count
    if not days:
        return []
    first = start or min(d for d, _, _ in days)
    last = end or max(d for d, _, _ in days)
    wanted = periods.between(kind, first, last)
    outer = "week" if kind == "week" else "quarter"
    rows: list[Row] = []
    for group, cells in _grouped(days, outer).items():
        for unit, table in sorted(cells.items()):
            names = [unit] if outer == "week" else [*periods.months_of(unit), unit]
            shown = _suppressed_table(table, names, k)
            rows.extend(
                Row(period, area, f"{group}.{column}", value)
                for (period, area, column), value in shown.items()
                if period in wanted and (team is None or area == team)
            )
    return sorted(rows, key=_order)


def _order(row: Row) -> tuple:
    return (row.period, row.measure.split(".")[0], row.area == ALL_AREAS, row.area, row.measure)


def _grouped(
    days: dict[tuple[date, str, str], int], outer: str
) -> dict[str, dict[str, dict[tuple[str, str, str], int]]]:
    """group -> outer period (week, or quarter) -> (period, area, column) -> count."""
    out: dict[str, dict[str, dict[tuple[str, str, str], int]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(int))
    )
    for (day, area, measure), count in days.items():
        group, _, column = measure.partition(".")
        unit = periods.label(day, outer)
        inner = periods.label(day, "week" if outer == "week" else "month")
        out[group][unit][(inner, area, column)] += count
        if outer == "quarter":
            out[group][unit][(unit, area, column)] += count
    return out


def _suppressed_table(
    table: dict[tuple[str, str, str], int], names: list[str], k: int
) -> dict[tuple[str, str, str], int | None]:
    """Every cell of the periods `names` (the last the sum of the others when more than one),
    with margins, and None where suppressed."""
    areas = sorted({a for _, a, _ in table})
    columns = sorted({c for _, _, c in table})
    problem = Problem()
    for period in names:
        for area in areas:
            cells = [(period, area, c) for c in columns]
            total = (period, area, TOTAL)
            for cell in cells:
                problem.values[cell] = table.get(cell, 0)
            problem.values[total] = sum(problem.values[c] for c in cells)
            problem.add_sum(cells, total)
            problem.rank[total] = 2
        for column in [*columns, TOTAL]:
            cells = [(period, a, column) for a in areas]
            everyone = (period, ALL_AREAS, column)
            problem.values[everyone] = sum(problem.values[c] for c in cells)
            problem.add_sum(cells, everyone)
            problem.rank[everyone] = 0
        problem.add_sum([(period, ALL_AREAS, c) for c in columns], (period, ALL_AREAS, TOTAL))
    if len(names) > 1:  # months and their quarter
        for area in [*areas, ALL_AREAS]:
            for column in [*columns, TOTAL]:
                parts: list[Hashable] = [(m, area, column) for m in names[:-1]]
                problem.add_sum(parts, (names[-1], area, column))
    hidden = suppress(problem, k)
    return {
        cell: None if cell in hidden else value  # type: ignore[misc]
        for cell, value in problem.values.items()
    }
