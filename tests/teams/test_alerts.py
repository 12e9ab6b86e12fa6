"""Alert mails over real SMTP (aiosmtpd): urgent at once, high after a while, repeated until
claimed, nothing of the resident in them, retried when refused, sent once by two senders on
PostgreSQL, and quiet outside office hours unless a team has an on-call address."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.config import Config
from bot.teams.alerts import AlertMail
from storage import alerts, cases, residents, teams
from storage.db import Database
from storage.types import utcnow
from tests.teams.smtp import SmtpServer

WORDS = "Pieter Jansen zette mijn koffer buiten aan de Kalverstraat, help"


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


def sender(db: Database, smtp: SmtpServer, office: str = "altijd") -> AlertMail:
    config = Config(
        smtp_url=smtp.url,
        mail_from="buurtbot@example.org",
        public_url="https://buurt.example.org/",
        office_hours=office,
    )
    return AlertMail(db, config)


async def open_case(
    db: Database, who: str, priority: str, team: str | None, at: datetime | None = None
) -> cases.Case:
    at = at or utcnow()
    async with db.transaction() as s:
        resident = await residents.get_or_create_resident(s, "web", who, now=at)
        case = await cases.open_case(
            s, resident.id, reason="no_bed", priority=priority, detail=WORDS, now=at
        )
        found = await teams.find_team(s, team) if team else None
        await teams.assign_team(s, case, found, why="opened", now=at)
    return case


async def add_teams(db: Database, on_call: str | None = None) -> None:
    async with db.transaction() as s:
        await teams.add_team(
            s,
            "Noord",
            postcodes="1020-1039",
            alert_email="noord@example.org",
            on_call_email=on_call,
            now=utcnow(),
        )
        await teams.add_team(
            s, "Centraal", is_default=True, alert_email="centraal@example.org", now=utcnow()
        )


async def test_urgent_mails_at_once_and_again_until_claimed(database: Database, smtp) -> None:
    await add_teams(database)
    case = await open_case(database, "r1", "urgent", "Noord")
    mail = sender(database, smtp)
    assert await mail.once() == 1
    [got] = smtp.inbox.to("noord@example.org")
    body = got.get_payload()
    assert "Noord" in body and "Urgent" in body and "Geen slaapplek vannacht" in body
    assert f"https://buurt.example.org/dashboard/cases/{case.id}" in body
    assert all(word not in body for word in WORDS.split() if len(word) > 3)
    assert "r1" not in body and got["From"] == "buurtbot@example.org"
    assert await mail.once() == 0  # round 0 is sent; the next comes after the repeat time

    later = case.created_at + timedelta(minutes=16)
    assert await mail.make_due(later) == 1
    assert await mail.send_due(later) == 1
    assert len(smtp.inbox.to("noord@example.org")) == 2

    async with database.transaction() as s:
        row = await s.get(cases.Case, case.id)
        row.status, row.worker_id = "claimed", 1
        s.add(row)
    assert await mail.make_due(case.created_at + timedelta(minutes=31)) == 0
    assert len(smtp.inbox.mails) == 2


async def test_high_waits_its_time_normal_never(database: Database, smtp) -> None:
    await add_teams(database)
    high = await open_case(database, "r1", "high", None)  # no team: no address, no mail
    async with database.transaction() as s:
        await teams.assign_team(s, high, await teams.default_team(s), why="opened", now=utcnow())
    await open_case(database, "r2", "normal", "Noord")
    mail = sender(database, smtp)
    assert await mail.make_due(high.created_at + timedelta(minutes=29)) == 0
    assert await mail.make_due(high.created_at + timedelta(minutes=31)) == 1
    assert await mail.send_due(high.created_at + timedelta(minutes=31)) == 1
    [got] = smtp.inbox.mails
    assert "centraal@example.org" in got["X-Rcpt"] and "Hoog" in got.get_payload()


async def test_outside_office_hours_only_an_on_call_address(database: Database, smtp) -> None:
    sunday = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    await add_teams(database, on_call="nacht@example.org")
    await open_case(database, "r1", "urgent", "Noord", at=sunday)
    await open_case(database, "r2", "urgent", "Centraal", at=sunday)
    mail = sender(database, smtp, office="ma-vr 09:00-17:00")
    assert await mail.make_due(sunday) == 1  # Centraal has no on-call address: no mail
    assert await mail.send_due(sunday) == 1
    [got] = smtp.inbox.mails
    assert got["X-Rcpt"] == "nacht@example.org"


async def test_a_refused_mail_is_kept_and_tried_again(database: Database, smtp) -> None:
    await add_teams(database)
    case = await open_case(database, "r1", "urgent", "Noord")
    smtp.inbox.refuse = 1
    mail = sender(database, smtp)
    now = utcnow()
    await mail.make_due(now)
    assert await mail.send_due(now) == 0
    async with database.transaction() as s:
        [failing] = await alerts.failing(s)
    assert failing.case_id == case.id and "451" in failing.last_error
    assert failing.next_try_at >= now + timedelta(seconds=29)
    assert await mail.send_due(now + timedelta(seconds=10)) == 0  # not before the backoff
    assert await mail.send_due(now + timedelta(seconds=31)) == 1
    async with database.transaction() as s:
        assert await alerts.failing(s) == []
    assert len(smtp.inbox.to("noord@example.org")) == 1


async def test_smtp_away_is_an_error_not_a_crash(database: Database) -> None:
    await add_teams(database)
    await open_case(database, "r1", "urgent", "Noord")
    config = Config(smtp_url="smtp://127.0.0.1:1", office_hours="altijd")
    mail = AlertMail(database, config)
    assert await mail.once() == 0
    async with database.transaction() as s:
        [failing] = await alerts.failing(s)
    assert failing.attempts == 1 and failing.last_error


@pytest.mark.postgres
async def test_two_senders_on_postgresql_send_each_alert_once(
    postgres_url: str, postgres_schema: str, smtp
) -> None:
    first = Database(postgres_url, schema=postgres_schema)
    second = Database(postgres_url, schema=postgres_schema)
    try:
        from sqlalchemy import text
        from sqlmodel import SQLModel

        tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
        async with first.transaction() as s:
            await s.exec(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        await add_teams(first)
        opened = [await open_case(first, f"r{i}", "urgent", "Noord") for i in range(12)]
        a, b = sender(first, smtp), sender(second, smtp)
        for _ in range(3):
            await asyncio.gather(a.once(), b.once(), a.once(), b.once())
        got = smtp.inbox.to("noord@example.org")
        links = sorted(m.get_payload().split("/dashboard/cases/")[1].split()[0] for m in got)
        assert links == sorted(str(c.id) for c in opened)
    finally:
        await first.dispose()
        await second.dispose()


async def test_a_case_from_before_teams_alerts_the_default_and_erasure_takes_the_rows(
    database: Database, smtp
) -> None:
    from storage import privacy

    await add_teams(database)
    case = await open_case(database, "r1", "urgent", None)  # no team: the default's
    assert await sender(database, smtp).once() == 1
    assert smtp.inbox.to("centraal@example.org")
    async with database.transaction() as s:
        await privacy.erase(s, case.resident_id, now=utcnow())
    async with database.transaction() as s:
        assert await alerts.rounds_of(s, [case.id]) == {}


def test_a_bad_smtp_url_is_refused_before_start(monkeypatch, tmp_path, capsys) -> None:
    from bot.cli import main

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'run.db'}")
    monkeypatch.setenv("BUURTBOT_SMTP_URL", "mail.example.org:25")
    assert main(["run"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Mail: BUURTBOT_SMTP_URL: write smtp://") and "Traceback" not in err
