"""Recording signals: one function per thing that happened, each adding one count to the
aggregate table inside the caller's transaction. The area is always an explicit argument
(`bot.signals.area` finds it); nothing here ever sees who the resident is.

Measure names are `<group>.<value...>`; each group is one table of the report (docs/signals.md):

| group | values | when |
|---|---|---|
| `contact` | `<language>.first` / `<language>.returning` | a resident's first message of a day |
| `topic` | `<flow>.typed` / `<flow>.button` | a flow starts |
| `case` | `<priority>.<reason>`, urgent ones `urgent.<category>` | a case is routed to its area |
| `no_bed` | `<outcome>` | a "no bed tonight" case is closed |
| `claim` | `<office|outside>.<wait>` | a case is claimed |
| `first_reply` | `<office|outside>.<wait>` | a worker first replies on a case |
| `follow_up` | `helped` / `a_bit` / `not` | a follow-up is answered |
| `after_close` | `helped` / `a_bit` / `not` | "Heb je hier iets aan gehad?" is answered |
| `left` | `<flow>.<node>` | a resident leaves a flow at a question (menu, stop) |
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from storage import signals

ZONE = ZoneInfo("Europe/Amsterdam")
ANSWERS = ("helped", "a_bit", "not")
# Waiting times in buckets, never exact: (upper bound, name).
WAITS = (
    (timedelta(minutes=15), "0-15m"),
    (timedelta(hours=1), "15-60m"),
    (timedelta(hours=4), "1-4u"),
    (timedelta(hours=24), "4-24u"),
)
LONGEST = "24u+"
_NAME = re.compile(r"[^a-z0-9_-]+")


def day_of(when: datetime) -> date:
    """The day a moment belongs to, in the Netherlands."""
    return when.astimezone(ZONE).date()


def name(part: str | None) -> str:
    """A measure part: lowercase letters, digits, '_' and '-' only (ids of flows, nodes,
    reasons, languages; never text a resident typed)."""
    return _NAME.sub("_", (part or "none").casefold())[:32] or "none"


def wait_bucket(wait: timedelta) -> str:
    for bound, bucket in WAITS:
        if wait < bound:
            return bucket
    return LONGEST


async def _add(s: AsyncSession, when: datetime, area: str, *parts: str | None) -> None:
    await signals.add(s, day_of(when), area, ".".join(name(p) for p in parts))


async def contact(
    s: AsyncSession, *, area: str, language: str, returning: bool, when: datetime
) -> None:
    """A resident's first message of the day, in `language`; `returning`: not their first."""
    await _add(s, when, area, "contact", language, "returning" if returning else "first")


async def topic(s: AsyncSession, *, area: str, flow: str, typed: bool, when: datetime) -> None:
    """A flow started: from a typed message (the router) or a button."""
    await _add(s, when, area, "topic", flow, "typed" if typed else "button")


def case_measure(reason: str, priority: str, categories: Sequence[str] = ()) -> str:
    """The `case` measure of a case: by priority and reason, urgent ones by their risk
    category (the first, or the reason when there is none)."""
    detail = (categories[0] if categories else reason) if priority == "urgent" else reason
    return ".".join(name(p) for p in ("case", priority, detail))


async def case_routed(
    s: AsyncSession,
    *,
    area: str,
    reason: str,
    priority: str,
    categories: Sequence[str] = (),
    when: datetime,
) -> str:
    """A case now belongs to `area`: counted under `case_measure`, which is returned."""
    measure = case_measure(reason, priority, categories)
    await signals.add(s, day_of(when), area, measure)
    return measure


async def case_moved(s: AsyncSession, *, day: date, measure: str, old: str, new: str) -> None:
    """A case counted in area `old` on `day` turned out to belong to `new` (its resident gave
    their postcode after it opened): the count moves, the totals stay."""
    await signals.add(s, day, old, measure, -1)
    await signals.add(s, day, new, measure)


async def case_claimed(
    s: AsyncSession, *, area: str, waited: timedelta, office: bool, when: datetime
) -> None:
    """A worker took a case that waited `waited`; `office`: it opened within office hours."""
    await _add(s, when, area, "claim", "office" if office else "outside", wait_bucket(waited))


async def first_response(
    s: AsyncSession, *, area: str, waited: timedelta, office: bool, when: datetime
) -> None:
    """A worker's first reply on a case, `waited` after it opened."""
    await _add(s, when, area, "first_reply", "office" if office else "outside", wait_bucket(waited))


async def no_bed_outcome(s: AsyncSession, *, area: str, outcome: str, when: datetime) -> None:
    """What followed a "no bed tonight" case: its outcome when closed."""
    await _add(s, when, area, "no_bed", outcome)


async def follow_up_answer(
    s: AsyncSession, *, area: str, answer: str, when: datetime, after_close: bool = False
) -> None:
    """A follow-up's answer (`helped`, `a_bit`, `not`); `after_close`: the answer to "Heb je
    hier iets aan gehad?" after a case closed."""
    if answer not in ANSWERS:
        raise ValueError(f"unknown answer {answer!r} ({', '.join(ANSWERS)})")
    await _add(s, when, area, "after_close" if after_close else "follow_up", answer)


async def flow_left(s: AsyncSession, *, area: str, flow: str, node: str, when: datetime) -> None:
    """A resident left `flow` while its question `node` was open."""
    await _add(s, when, area, "left", flow, node)
