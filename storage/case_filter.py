"""Search and filters over cases (the queue and the closed list): pseudonym, language, reason,
priority, worker and a date range. One function, `narrow(query, wanted, dated=...)`, adds the
conditions to any SELECT over `Case` joined with `Resident`, so other filters (a team's
need-to-know) combine with it by adding their own `where`.

`CaseFilter.from_query` reads the page's query string (`?q=&language=&reason=&priority=&worker=
&from=&to=`) and refuses nonsense with `ValueError` (the page answers 400).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import col, select

from storage.cases import RANK, Case
from storage.residents import Resident
from storage.users import User

ZONE = ZoneInfo("Europe/Amsterdam")  # a worker's "today" is the Dutch day
CODE = re.compile(r"[a-z0-9_]{1,64}\Z")
MAX_TEXT = 64


@dataclass(frozen=True)
class CaseFilter:
    """What a worker asked for; empty fields do not filter."""

    q: str = ""  # part of the pseudonym (any case)
    language: str = ""
    reason: str = ""
    priority: str = ""
    worker: str = ""  # the login name of the worker who holds or held it
    since: date | None = None  # from this day (Amsterdam), inclusive
    until: date | None = None  # to this day, inclusive

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> CaseFilter:
        q = query.get("q", "").strip()[:MAX_TEXT]
        codes = {k: query.get(k, "").strip().lower() for k in ("language", "reason", "worker")}
        for key, value in codes.items():
            if value and not CODE.fullmatch(value.replace(".", "_").replace("-", "_")):
                raise ValueError(f"{key}: not a valid code")
        priority = query.get("priority", "").strip()
        if priority and priority not in RANK:
            raise ValueError("priority: urgent, high or normal")
        return cls(
            q, **codes, priority=priority, since=_day(query, "from"), until=_day(query, "to")
        )

    @property
    def active(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))

    def as_query(self) -> dict[str, str]:
        """The filter as query parameters (for links and the page's own fetches)."""
        found: dict[str, Any] = {
            "q": self.q,
            "language": self.language,
            "reason": self.reason,
            "priority": self.priority,
            "worker": self.worker,
            "from": self.since.isoformat() if self.since else "",
            "to": self.until.isoformat() if self.until else "",
        }
        return {k: v for k, v in found.items() if v}


def _day(query: Mapping[str, str], key: str) -> date | None:
    value = query.get(key, "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{key}: a date such as 2026-12-06") from None


def _start(day: date) -> datetime:
    return datetime.combine(day, time(), ZONE)


def narrow(query: Any, wanted: CaseFilter, *, dated: Any = Case.created_at) -> Any:
    """`query` (over `Case` joined with `Resident`) with the conditions of `wanted`; `dated`
    is the column the date range applies to (`Case.closed_at` for the closed list)."""
    if wanted.q:
        like = "%" + wanted.q.lower().replace("\\", "").replace("%", "").replace("_", "") + "%"
        query = query.where(func.lower(Resident.pseudonym).like(like))
    if wanted.language:
        query = query.where(Case.language == wanted.language)
    if wanted.reason:
        query = query.where(Case.reason == wanted.reason)
    if wanted.priority:
        query = query.where(Case.priority == wanted.priority)
    if wanted.worker:
        holder = select(User.id).where(func.lower(User.name) == wanted.worker)
        query = query.where(col(Case.worker_id).in_(holder.scalar_subquery()))
    if wanted.since:
        query = query.where(dated >= _start(wanted.since))
    if wanted.until:
        query = query.where(dated < _start(wanted.until + timedelta(days=1)))
    return query
