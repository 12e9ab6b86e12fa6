"""The counts as things happen, on SQLite and PostgreSQL: through the real conversation path
and the dashboard's actions; what is in a row (nothing that points at anybody); and that the
counts stay after `/vergeet` and the retention purge."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import inspect
from sqlmodel import select

from bot.conversation import Conversations, Inbound, privacy
from bot.dashboard import accounts, actions
from bot.engine import load
from bot.escalation import OfficeHours
from bot.i18n import Catalogs
from bot.risk import load as load_risk
from bot.signals import record
from bot.signals.area import UNKNOWN
from storage import signals
from storage.cases import Case
from storage.casework import Actor
from storage.privacy import Retention, purge

ROOT = Path(__file__).resolve().parents[2]
FLOWS = load(ROOT / "flows")
RISK = load_risk(ROOT / "flows" / "risk")
START = datetime(2026, 11, 16, 10, tzinfo=UTC)  # a Monday, 11:00 in Amsterdam
PERSON = "Ik wil met een mens praten over de zwartgeblakerde schuur"


class Clock:
    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def conversations(database, clock: Clock | None = None) -> Conversations:
    return Conversations(
        database,
        FLOWS,
        Catalogs.load(ROOT / "locales"),
        risk=RISK,
        office=OfficeHours.parse("ma-vr 09:00-17:00"),
        clock=clock or Clock(),
    )


def text(chat: str, body: str) -> Inbound:
    return Inbound("telegram", chat, text=body)


async def counted(database) -> dict[tuple[str, str], int]:
    """(area, measure) -> count, all days together."""
    found: dict[tuple[str, str], int] = {}
    async with database.transaction() as s:
        for _, area, measure, count in await signals.counts(s):
            found[(area, measure)] = found.get((area, measure), 0) + count
    return found


async def test_a_count_is_added_to_and_two_at_once_both_count(database):
    day = date(2026, 12, 1)
    async with database.transaction() as s:
        await signals.add(s, day, "Noord", "case.normal.asked_for_person")
    # Two transactions at once (two processes): an upsert each, neither lost.
    await asyncio.gather(
        *(_add_one(database, day, "Noord", "case.normal.asked_for_person") for _ in range(2))
    )
    async with database.transaction() as s:
        assert await signals.counts(s) == [(day, "Noord", "case.normal.asked_for_person", 3)]
        assert await signals.counts(s, start=day + timedelta(days=1)) == []


async def _add_one(database, day: date, area: str, measure: str) -> None:
    async with database.transaction() as s:
        await signals.add(s, day, area, measure)


async def test_a_row_holds_a_day_an_area_a_measure_and_a_count_only(database):
    async with database.transaction() as s:
        columns = await s.run_sync(
            lambda sync: [c["name"] for c in inspect(sync.connection()).get_columns("signal_count")]
        )
    assert sorted(columns) == ["area", "count", "day", "id", "measure"]


async def test_the_conversation_path_counts_contacts_topics_cases_and_leaving(database):
    clock = Clock()
    c = conversations(database, clock)
    await c.receive(text("1", "hallo"))
    await c.receive(Inbound("telegram", "1", text="Nederlands", payload="lang:nl"))
    await c.receive(text("1", "zorgtoeslag"))  # typed: the router starts the flow
    await c.receive(text("1", "/menu"))  # left at the flow's first question
    await c.receive(text("1", "hallo weer"))  # the same day: no second contact
    clock.now = START + timedelta(days=2)
    await c.receive(text("1", PERSON))  # two days later: a returning contact, and a case
    found = await counted(database)
    topics = {m: n for (_, m), n in found.items() if m.startswith("topic.")}
    assert topics == {"topic.toeslagen.typed": 1}, found
    assert found[(UNKNOWN, "contact.nl.first")] == 1
    assert found[(UNKNOWN, "contact.nl.returning")] == 1
    assert found[(UNKNOWN, "case.normal.asked_for_person")] == 1
    assert [m for (_, m) in found if m.startswith("left.toeslagen.")], found
    assert not [m for (_, m) in found if "schuur" in m]


async def test_urgent_cases_count_by_category(database):
    c = conversations(database)
    await c.receive(text("9", "ik wil niet meer leven"))
    found = await counted(database)
    assert [m for (_, m) in found if m.startswith("case.urgent.")] == ["case.urgent.suicide"]


async def test_claim_first_reply_and_closing_no_bed_are_counted(database):
    c = conversations(database)
    await c.receive(text("5", "ik heb vannacht geen slaapplek"))
    worker = await accounts.add(database, "sanne", "worker", "correct horse battery")
    async with database.transaction() as s:
        case = (await s.exec(select(Case))).one()
        # Opened two hours ago, in office hours.
        case.created_at = datetime.now(UTC) - timedelta(hours=2)
        s.add(case)
    c.office = OfficeHours.parse("altijd")
    work = actions.Work(database, c, Actor(worker.id, worker.name, worker.role), "127.0.0.1")
    await actions.claim(work, case.id)
    await actions.reply(work, case.id, "Ik bel je zo.")
    await actions.reply(work, case.id, "Nog even geduld.")  # not a first reply
    await actions.close(work, case.id, "referred")
    found = await counted(database)
    assert found[(UNKNOWN, "claim.office.1-4u")] == 1
    assert found[(UNKNOWN, "first_reply.office.1-4u")] == 1
    assert found[(UNKNOWN, "no_bed.referred")] == 1
    assert found[(UNKNOWN, "case.high.no_bed")] == 1


async def test_follow_up_answers_are_counted_by_answer(database):
    async with database.transaction() as s:
        await record.follow_up_answer(s, area="Noord", answer="helped", when=START)
        await record.follow_up_answer(s, area="Noord", answer="a_bit", when=START, after_close=True)
    assert await counted(database) == {
        ("Noord", "follow_up.helped"): 1,
        ("Noord", "after_close.a_bit"): 1,
    }


async def test_counts_stay_after_vergeet_and_the_purge(database):
    clock = Clock()
    c = conversations(database, clock)
    await c.receive(text("7", PERSON))
    before = await counted(database)
    assert before[(UNKNOWN, "case.normal.asked_for_person")] == 1
    await c.receive(text("7", "/vergeet"))
    await c.receive(Inbound("telegram", "7", text="Ja", payload=f"{privacy.FORGET_PAYLOAD}y"))
    async with database.transaction() as s:
        assert (await s.exec(select(Case))).all() == []  # the resident's data is gone
    retention = Retention(closed_case_days=1, flow_only_days=1, outbox_days=1, audit_days=1)
    async with database.transaction() as s:
        await purge(s, retention, now=START + timedelta(days=400))
    assert await counted(database) == before


async def test_a_count_that_fails_never_takes_the_message_down(tmp_path, caplog):
    """Counting runs in a savepoint: without its table the resident is still answered and
    the case still opens; the failure is logged."""
    from sqlalchemy import text as sql

    from storage.db import Database

    database = Database(f"sqlite:///{tmp_path / 'broken.db'}")
    try:
        await database.create_all()
        async with database.transaction() as s:
            await s.exec(sql("DROP TABLE signal_count"))
        replies = await conversations(database).receive(text("8", PERSON))
        assert replies
        async with database.transaction() as s:
            assert len((await s.exec(select(Case))).all()) == 1
    finally:
        await database.dispose()
    assert "a neighbourhood signal was not counted" in caplog.text
