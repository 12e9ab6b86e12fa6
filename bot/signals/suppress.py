"""Suppression: which cells of a report are left empty.

A cell below k (`BUURTBOT_SIGNALS_MIN_COUNT`) is hidden (primary suppression). So that no
hidden cell can be worked out from what is shown, for instance a row's total minus the other
cells of the row, more cells are hidden with it (complementary suppression) until every hidden
cell can take more than one value given everything shown and every sum the report implies.

First every sum with exactly one hidden cell gets a second one. Then the test is exact linear
algebra: the hidden cells `x` must satisfy `A x = b` (the sums, with the shown cells moved to
`b`). A hidden cell is determined when every solution gives it the same value, i.e. when its
unit vector lies in the row space of `A`. While one is, a shown cell that shares a sum with it
is hidden too: a total over all areas first, an area's own total last (the report is about
areas), the smallest first, and never a zero, so that the bounds (no count is negative)
cannot pin a hidden cell either. tests/signals/test_suppression_attack.py attacks the result
with linear programs (also using that counts are not negative).
"""

from __future__ import annotations

import logging
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

logger = logging.getLogger(__name__)

TOLERANCE = 1e-9
LOOKAHEAD = 12  # complements tried at each step


@dataclass
class Problem:
    """Cells with their counts, and the sums that hold between them (each a list of
    (cell, coefficient) adding up to zero: a row's cells minus its total, say)."""

    values: dict[Hashable, int] = field(default_factory=dict)
    sums: list[list[tuple[Hashable, int]]] = field(default_factory=list)
    # Hidden first as complements (lower first; others 1): totals over all areas first, an
    # area's own total last, so that what one area shows stays visible as long as it can.
    rank: dict[Hashable, int] = field(default_factory=dict)

    def add_sum(self, parts: Iterable[Hashable], total: Hashable) -> None:
        """`parts` add up to `total`."""
        self.sums.append([*((p, 1) for p in parts), (total, -1)])


def suppress(problem: Problem, k: int) -> set[Hashable]:
    """The cells to leave empty: every count from 1 to k-1, and enough others that none of
    them can be rebuilt from the shown cells and the sums."""
    hidden = {c for c, v in problem.values.items() if 0 < v < k}
    if not hidden:
        return hidden
    neighbours = _neighbours(problem)
    while True:
        _lines(problem, hidden)
        determined = _determined(problem, hidden)
        if not determined:
            return hidden
        # Then one at a time: of the cheapest cells beside a determined one, the one that
        # leaves the fewest determined.
        near = [c for cell in determined for c in neighbours.get(cell, ())]
        candidates = _cheapest(problem, near, hidden) or _cheapest(problem, problem.values, hidden)
        if not candidates:  # everything hidden: nothing can be worked out any more
            return hidden
        hidden.add(min(candidates, key=lambda c: len(_determined(problem, hidden | {c}))))


def _lines(problem: Problem, hidden: set[Hashable]) -> None:
    """No sum with exactly one hidden cell: that one would be the sum of the others."""
    cells_of = [[c for c, _ in parts] for parts in problem.sums]
    sums_of: dict[Hashable, list[int]] = {}
    for i, cells in enumerate(cells_of):
        for cell in cells:
            sums_of.setdefault(cell, []).append(i)
    count = [sum(c in hidden for c in cells) for cells in cells_of]
    todo = [i for i, n in enumerate(count) if n == 1]
    while todo:
        i = todo.pop()
        if count[i] != 1:
            continue
        pick = _cheapest(problem, cells_of[i], hidden)
        if not pick:
            continue  # the others are zeros: the null-space check deals with it
        hidden.add(pick[0])
        for j in sums_of[pick[0]]:
            count[j] += 1
            if count[j] == 1:
                todo.append(j)


def _neighbours(problem: Problem) -> dict[Hashable, list[Hashable]]:
    near: dict[Hashable, list[Hashable]] = {}
    for parts in problem.sums:
        cells = [c for c, _ in parts]
        for cell in cells:
            near.setdefault(cell, []).extend(c for c in cells if c != cell)
    return near


def _cheapest(
    problem: Problem, candidates: Iterable[Hashable], hidden: set[Hashable]
) -> list[Hashable]:
    """The shown cells among `candidates` that are not zero, cheapest to hide first. Zeros are
    never hidden: with every hidden cell above zero, a cell that the sums leave free can move
    both ways, so no attacker's bound (no count is negative) pins it either."""
    values, rank = problem.values, problem.rank
    shown = [c for c in dict.fromkeys(candidates) if c not in hidden and values[c] > 0]
    shown.sort(key=lambda c: (rank.get(c, 1), values[c], str(c)))
    return shown[:LOOKAHEAD]


def _determined(problem: Problem, hidden: set[Hashable]) -> list[Hashable]:
    """The hidden cells whose value follows from the shown cells and the sums."""
    order: Sequence[Hashable] = sorted(hidden, key=str)
    index = {c: i for i, c in enumerate(order)}
    rows = [parts for parts in problem.sums if any(c in index for c, _ in parts)]
    if not rows:
        return []
    matrix = np.zeros((len(rows), len(order)))
    for r, parts in enumerate(rows):
        for cell, coefficient in parts:
            if cell in index:
                matrix[r, index[cell]] += coefficient
    # A cell is determined when it lies in the row space of the sums: its projection onto
    # that space is the whole of it (1), instead of less (a direction it can move in).
    _, singular, vt = np.linalg.svd(matrix, full_matrices=False)
    rank = int((singular > TOLERANCE * max(1.0, singular.max(initial=0.0))).sum())
    projected = (vt[:rank] ** 2).sum(axis=0)
    return [c for c, p in zip(order, projected, strict=True) if p > 1 - 1e-7]
