"""Search and filters over cases (storage/case_filter.py) on SQLite and PostgreSQL, through the
queue and closed-list queries that use them, and a resident's history (storage/history.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from storage import casework, history
from storage.case_filter import CaseFilter
from storage.cases import RANK, Case
from storage.contacts import add_contact
from storage.residents import get_or_create_resident
from storage.users import add_user

DAY = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


async def _world(db):
    """Three residents, five cases; fatima holds one and closed two."""
    async with db.transaction() as s:
        fatima = await add_user(s, "fatima", "worker", "x", now=DAY)
        noor = await add_user(s, "noor", "worker", "x", now=DAY)
        a = await get_or_create_resident(s, "web", "a", now=DAY)
        b = await get_or_create_resident(s, "web", "b", now=DAY)
        c = await get_or_create_resident(s, "telegram", "c", now=DAY)
        rows = [
            (a, "no_bed", "high", "ar", "waiting", None, 0, None),
            (b, "asked_for_person", "normal", "nl", "claimed", fatima.id, 1, None),
            (c, "suicide", "urgent", "ti", "claimed", noor.id, 2, None),
            (a, "eviction", "high", "ar", "closed", fatima.id, -10, "helped"),
            (b, "no_food", "high", "nl", "closed", fatima.id, -3, "referred"),
        ]
        for resident, reason, priority, lang, status, worker, day, outcome in rows:
            opened = DAY + timedelta(days=day)
            s.add(
                Case(
                    resident_id=resident.id,
                    reason=reason,
                    priority=priority,
                    priority_rank=RANK[priority],
                    status=status,
                    language=lang,
                    worker_id=worker,
                    created_at=opened,
                    closed_at=opened + timedelta(hours=5) if status == "closed" else None,
                    outcome=outcome,
                )
            )
        await add_contact(s, a.id, "topic", "opvang", now=DAY - timedelta(days=11))
        await add_contact(s, a.id, "topic", "geld", now=DAY - timedelta(days=10))
        await add_contact(s, a.id, "topic", "opvang", now=DAY)
        await add_contact(s, a.id, "not_helped", "opvang", now=DAY)
    return a, b, c


async def _queue(db, **wanted) -> list[str]:
    async with db.transaction() as s:
        return [r.case.reason for r in await casework.queue(s, CaseFilter(**wanted))]


async def _closed(db, **wanted) -> list[str]:
    async with db.transaction() as s:
        rows = await casework.recently_closed(s, wanted=CaseFilter(**wanted))
        return [r.case.reason for r in rows]


async def test_each_filter_narrows_the_queue_and_the_closed_list(database):
    a, b, _ = await _world(database)
    assert await _queue(database) == ["suicide", "no_bed", "asked_for_person"]
    assert await _queue(database, language="ar") == ["no_bed"]
    assert await _queue(database, reason="suicide") == ["suicide"]
    assert await _queue(database, priority="normal") == ["asked_for_person"]
    assert await _queue(database, worker="fatima") == ["asked_for_person"]
    assert await _queue(database, worker="noor", priority="urgent") == ["suicide"]
    assert await _queue(database, q=a.pseudonym[-4:].lower()) == ["no_bed"]
    assert await _queue(database, q="%") == await _queue(database)  # no wildcard tricks
    # Days in Amsterdam, both ends included; the queue by opening, the closed list by closing.
    assert await _queue(database, since=date(2026, 12, 2)) == ["suicide", "asked_for_person"]
    assert await _queue(database, until=date(2026, 12, 1)) == ["no_bed"]
    assert await _closed(database) == ["no_food", "eviction"]
    assert await _closed(database, worker="fatima", language="nl") == ["no_food"]
    assert await _closed(database, since=date(2026, 11, 25), until=date(2026, 11, 28)) == [
        "no_food"
    ]
    assert await _closed(database, q=b.pseudonym) == ["no_food"]
    assert await _closed(database, worker="nobody") == []


def test_the_filter_from_a_query_string_refuses_nonsense():
    wanted = CaseFilter.from_query({"q": " Bew ", "priority": "high", "from": "2026-12-01"})
    assert (wanted.q, wanted.priority, wanted.since) == ("Bew", "high", date(2026, 12, 1))
    assert wanted.as_query() == {"q": "Bew", "priority": "high", "from": "2026-12-01"}
    assert wanted.active and not CaseFilter().active
    for bad in ({"priority": "hoog"}, {"from": "gisteren"}, {"language": "<script>"}):
        with pytest.raises(ValueError):
            CaseFilter.from_query(bad)


async def test_a_residents_history_has_earlier_cases_and_the_flows_used(database):
    a, _, c = await _world(database)
    async with database.transaction() as s:
        now = await casework.queue(s, CaseFilter(language="ar"))
        found = await history.of_resident(s, a.id, besides=now[0].case.id)
        none = await history.of_resident(s, c.id)
    assert [(x.reason, x.outcome) for x in found.cases] == [("eviction", "helped")]
    assert [(f.flow, f.times) for f in found.flows] == [("opvang", 2), ("geld", 1)]
    assert [x.reason for x in none.cases] == ["suicide"] and none.flows == []
