"""The suppression property test: an attacker who has every published report (weeks, or
months and quarters together) and knows every sum the report implies (an area's cells add up
to its total, the areas to `Alle wijken`, three months to their quarter, and no count is
negative) tries to rebuild each hidden cell with linear programs. No hidden cell may come out
as one value; no shown value may be between 1 and k-1."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from bot.signals import periods
from bot.signals.report import ALL_AREAS, TOTAL, Row, build

K = 10
AREAS = ("Noord", "Zuid", "West", "Onbekend")
MEASURES = ("case.normal.asked_for_person", "case.high.no_bed", "case.urgent.suicide", "case.x.y")

small_or_large = st.one_of(st.integers(1, 9), st.integers(10, 40))
counts = st.lists(
    st.tuples(
        st.integers(0, 89),  # day of 2026-Q4
        st.sampled_from(AREAS),
        st.sampled_from(MEASURES),
        small_or_large,
    ),
    min_size=1,
    max_size=14,
)


def _days(drawn: list[tuple[int, str, str, int]]) -> list[tuple[date, str, str, int]]:
    return [(date(2026, 10, 1) + timedelta(days=d), a, m, n) for d, a, m, n in drawn]


def _sums(rows: list[Row]) -> list[list[tuple[tuple[str, str, str], int]]]:
    """Every sum a reader knows holds between the cells of `rows`."""
    cells = {(r.period, r.area, r.measure) for r in rows}
    by_period: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for period, area, measure in cells:
        by_period[period][area].add(measure)
    sums = []
    for period, areas in by_period.items():
        columns = sorted({m for ms in areas.values() for m in ms if not m.endswith(TOTAL)})
        group = columns[0].split(".")[0]
        total = f"{group}.{TOTAL}"
        for area in areas:
            sums.append([*(((period, area, c), 1) for c in columns), ((period, area, total), -1)])
        plain = [a for a in areas if a != ALL_AREAS]
        for column in [*columns, total]:
            sums.append(
                [*(((period, a, column), 1) for a in plain), ((period, ALL_AREAS, column), -1)]
            )
        if "-Q" in period:
            for area in areas:
                for column in [*columns, total]:
                    months = [((m, area, column), 1) for m in periods.months_of(period)]
                    sums.append([*months, ((period, area, column), -1)])
    return sums


def _attack(rows: list[Row]) -> list[tuple[tuple[str, str, str], float, float]]:
    """(cell, lowest, highest) the hidden cells can be, given all that is shown."""
    known = {(r.period, r.area, r.measure): r.value for r in rows}
    hidden = sorted(c for c, v in known.items() if v is None)
    if not hidden:
        return []
    index = {c: i for i, c in enumerate(hidden)}
    a_rows, b = [], []
    for parts in _sums(rows):
        row = np.zeros(len(hidden))
        rest = 0.0
        for cell, coefficient in parts:
            value = known.get(cell, 0)  # a month without rows had nothing
            if cell in index:
                row[index[cell]] += coefficient
            else:
                rest -= coefficient * (value or 0)
        if row.any():
            a_rows.append(row)
            b.append(rest)
    found = []
    for cell, i in index.items():
        objective = np.zeros(len(hidden))
        objective[i] = 1
        low = linprog(objective, A_eq=np.array(a_rows), b_eq=b, bounds=(0, None))
        high = linprog(-objective, A_eq=np.array(a_rows), b_eq=b, bounds=(0, None))
        assert low.status == 0 and high.status in (0, 3), (cell, low.message, high.message)
        found.append((cell, low.fun, float("inf") if high.status == 3 else -high.fun))
    return found


def _check(rows: list[Row]) -> None:
    assert not [r for r in rows if r.value is not None and 0 < r.value < K]
    for cell, low, high in _attack(rows):
        assert high - low > 0.5, f"{cell} can only be {low:g}"


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(counts)
def test_hidden_months_and_quarters_cannot_be_rebuilt(drawn) -> None:
    data = _days(drawn)
    _check(build(data, kind="month", k=K) + build(data, kind="quarter", k=K))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(counts)
def test_hidden_weeks_cannot_be_rebuilt(drawn) -> None:
    _check(build(_days(drawn), kind="week", k=K))


def test_the_attack_finds_a_cell_left_alone() -> None:
    """The attacker is real: a row whose only hidden cell is the rest of its total is found."""
    rows = [
        Row("2026-12", "Noord", "case.a", 12),
        Row("2026-12", "Noord", "case.b", None),
        Row("2026-12", "Noord", "case.totaal", 15),
        Row("2026-12", ALL_AREAS, "case.a", 12),
        Row("2026-12", ALL_AREAS, "case.b", None),
        Row("2026-12", ALL_AREAS, "case.totaal", 15),
    ]
    assert [(c, lo) for c, lo, hi in _attack(rows) if hi - lo < 0.5] == [
        (("2026-12", ALL_AREAS, "case.b"), 3.0),
        (("2026-12", "Noord", "case.b"), 3.0),
    ]


def test_one_area_and_totals_keep_what_can_be_shown() -> None:
    """12 of Noord and 3 of Zuid: Noord's 12 stays, Zuid's 3 and what gives it away go."""
    rows = build(
        [
            (date(2026, 12, 1), "Noord", "case.normal.asked_for_person", 12),
            (date(2026, 12, 2), "Zuid", "case.normal.asked_for_person", 3),
        ],
        kind="month",
        k=K,
    )
    shown = {(r.area, r.measure): r.value for r in rows}
    assert shown[("Noord", "case.normal.asked_for_person")] == 12
    assert shown[("Zuid", "case.normal.asked_for_person")] is None
    assert shown[(ALL_AREAS, "case.normal.asked_for_person")] is None
