"""The retention purge on SQLite and PostgreSQL: what each category removes and keeps, at
times set by the test; the dry run; `buurtbot purge`; the scheduled purge of `buurtbot run`."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp import web
from sqlalchemy import delete
from sqlalchemy.engine import make_url
from sqlmodel import func, select

from bot import cli
from bot.app import CONFIG, DB, init_app
from bot.config import Config
from bot.ops import purge
from storage import audit, cases, contacts, handled, notes
from storage import outbox as outbox_db
from storage import residents as resident_db
from storage import states as state_db
from storage import transcripts as transcript_db
from storage.audit import AuditEntry
from storage.cases import Case
from storage.contacts import ContactEvent
from storage.db import Database
from storage.handled import HandledMessage
from storage.notes import CaseNote
from storage.outbox import OutboxMessage
from storage.privacy import Retention
from storage.residents import Resident
from storage.states import Conversation
from storage.transcripts import TranscriptEntry

NOW = datetime(2026, 11, 21, 10, tzinfo=UTC)
RETENTION = Retention(closed_case_days=90, flow_only_days=21, outbox_days=7, audit_days=365)
TEXT = "mijn huurschuld is 2400 euro"


def ago(days: float, now: datetime = NOW) -> datetime:
    return now - timedelta(days=days)


async def resident(s, chat: str, *, days: list[float], now: datetime = NOW) -> int:
    """A resident who wrote (and was answered) `days` ago, each; last seen at the latest."""
    first = ago(max(days), now)
    rid = (await resident_db.get_or_create_resident(s, "telegram", chat, now=first)).id
    for d in sorted(days, reverse=True):
        await resident_db.get_or_create_resident(s, "telegram", chat, now=ago(d, now))
        await transcript_db.add_transcript(s, rid, "in", TEXT, now=ago(d, now))
        await outbox_db.add_replies(s, rid, [("Dank je.", None, 10)], now=ago(d, now))
        await contacts.add_contact(s, rid, "topic", "geld", now=ago(d, now))
    await state_db.save_state(s, rid, {"flow": None, "vars": {"debt_total": 2400}}, now=first)
    return rid


async def case_of(s, rid: int, *, opened: float, closed: float | None = None) -> int:
    case = await cases.open_case(
        s, rid, reason="asked_for_person", priority="normal", now=ago(opened)
    )
    await notes.add_note(s, case.id, None, "heeft brieven", now=ago(opened))
    if closed is not None:
        case.status, case.closed_at, case.outcome = "closed", ago(closed), "helped"
        s.add(case)
    await s.flush()
    return case.id


async def count(database, table, *where) -> int:
    async with database.transaction() as s:
        return (await s.exec(select(func.count()).select_from(table).where(*where))).one()


async def run(database, dry_run: bool = False):
    return await purge.run(database, RETENTION, now=NOW, dry_run=dry_run)


async def test_flow_only_residents_go_after_their_period_whole_or_in_part(database):
    async with database.transaction() as s:
        idle = await resident(s, "idle", days=[30, 25])
        active = await resident(s, "active", days=[40, 2])
        recent = await resident(s, "recent", days=[20])
    report = await run(database)
    assert report.removed["flow_only"] == {
        "residents": 1,
        "messages": 4 + 2,  # idle's four, and active's two from 40 days ago
        "topics": 2 + 1,
        "outbox": 2,
    }
    async with database.transaction() as s:
        assert await s.get(Resident, idle) is None
        assert await s.get(Conversation, idle) is None
        kept = await transcript_db.transcript(s, active)
        assert [e.created_at for e in kept] == [ago(2), ago(2)]
        assert len(await contacts.recent_contacts(s, active, now=NOW, days=365)) == 1
        assert await state_db.load_state(s, active) is not None
        assert len(await transcript_db.transcript(s, recent)) == 2
    assert await count(database, OutboxMessage, OutboxMessage.resident_id == idle) == 0
    # The delivery records of the active resident's old messages (never sent, in this test)
    # stay until their own period ends, pointing at no message any more.
    async with database.transaction() as s:
        query = select(OutboxMessage).where(OutboxMessage.resident_id == active)
        records = (await s.exec(query.order_by(OutboxMessage.id))).all()
    assert [r.transcript_id is None for r in records] == [True, False]


async def test_closed_cases_go_after_their_period_with_notes_and_then_the_resident(database):
    async with database.transaction() as s:
        old = await resident(s, "old", days=[100])
        old_case = await case_of(s, old, opened=100, closed=95)
        fresh = await resident(s, "fresh", days=[200, 150])
        fresh_case = await case_of(s, fresh, opened=150, closed=10)
        waiting = await resident(s, "waiting", days=[300])
        waiting_case = await case_of(s, waiting, opened=300)
    report = await run(database)
    assert report.removed["closed_cases"] == {"notes": 1, "cases": 1}
    async with database.transaction() as s:
        assert await s.get(Case, old_case) is None
        assert await s.get(Resident, old) is None  # no case left, silent for 100 days
        # A case refers to the whole conversation: kept while the case is.
        assert await s.get(Case, fresh_case) is not None
        assert len(await transcript_db.transcript(s, fresh)) == 4
        assert await s.get(Case, waiting_case) is not None  # open: never purged
        assert len(await transcript_db.transcript(s, waiting)) == 2
        assert len(await notes.notes_of(s, fresh_case)) == 1


async def test_delivery_records_and_audit_rows_go_after_their_periods(database):
    async with database.transaction() as s:
        rid = await resident(s, "r", days=[1])
        await case_of(s, rid, opened=1)  # keeps the messages themselves
        sent_old, sent_new, pending, failed_old = [
            await outbox_db.enqueue(s, rid, "x", now=ago(d)) for d in (9, 1, 30, 10)
        ]
        await outbox_db.mark_sent(s, sent_old.id, now=ago(8))
        await outbox_db.mark_sent(s, sent_new.id, now=ago(1))
        await outbox_db.mark_failed(s, failed_old.id, now=ago(10), error="blocked")
        await audit.record(s, "view_case", now=ago(400), user_name="anna")
        await audit.record(s, "view_case", now=ago(10), user_name="anna")
    report = await run(database)
    assert report.removed["outbox_sent"] == {"outbox": 2}
    assert report.removed["audit"] == {"audit_log": 1}
    async with database.transaction() as s:
        rows = (await s.exec(select(OutboxMessage).where(OutboxMessage.text == "x"))).all()
        assert sorted(r.status for r in rows) == ["pending", "sent"]
        assert pending.id in {r.id for r in rows}
        logged = (await s.exec(select(AuditEntry).order_by(AuditEntry.id))).all()
    assert [a.action for a in logged] == ["view_case", "purge"]
    assert logged[-1].detail == report.describe()
    assert "outbox_sent: outbox=2" in logged[-1].detail


async def test_keys_of_handled_messages_go_after_two_days(database):
    """Telegram re-sends an update for a day at most: after that its key has no use."""
    async with database.transaction() as s:
        for key, days in (("1001", 5), ("1002", 2.1), ("1003", 1.9), ("1004", 0)):
            assert await handled.first_time(s, "telegram", key, now=ago(days))
        assert await handled.first_time(s, "web", "a-uuid", now=ago(3))
    report = await run(database)
    assert report.removed["handled_keys"] == {"keys": 3}
    assert "handled_keys: keys=3" in report.describe()
    async with database.transaction() as s:
        left = (await s.exec(select(HandledMessage.key).order_by(HandledMessage.key))).all()
    assert left == ["1003", "1004"]


async def test_the_row_left_by_vergeet_goes_once_the_confirmation_is_out(database):
    """After `/vergeet` a resident row holds only the confirmation (storage/privacy.erase)."""
    async with database.transaction() as s:
        ids = {}
        for chat, sent in (("sent", True), ("waiting", False), ("just_now", True)):
            when = ago(0.1) if chat == "just_now" else ago(2)
            r = await resident_db.get_or_create_resident(s, "telegram", chat, now=when)
            [out] = await outbox_db.add_replies(s, r.id, [("Klaar.", None, 10)], now=when)
            if sent:
                await outbox_db.mark_sent(s, out.id, now=when)
            ids[chat] = r.id
    report = await run(database)
    assert report.removed["erased"] == {"residents": 1, "messages": 1, "outbox": 1}
    async with database.transaction() as s:
        assert await s.get(Resident, ids["sent"]) is None
        assert await s.get(Resident, ids["waiting"]) is not None  # not sent yet
        assert await s.get(Resident, ids["just_now"]) is not None  # the web chat may show it


async def test_a_dry_run_counts_exactly_and_removes_nothing(database):
    async with database.transaction() as s:
        await resident(s, "idle", days=[30])
        rid = await resident(s, "old", days=[100])
        await case_of(s, rid, opened=100, closed=95)
    before = await count(database, TranscriptEntry)
    dry = await run(database, dry_run=True)
    assert dry.total > 0
    assert await count(database, TranscriptEntry) == before
    assert await count(database, AuditEntry) == 0  # not even the purge row
    real = await run(database)
    assert real.removed == dry.removed
    assert await count(database, TranscriptEntry) == 0


async def test_a_resident_row_deleted_by_hand_takes_everything_with_it(database):
    """The schema's ON DELETE CASCADE, on this backend: what a DBA's `DELETE FROM resident`
    would do. The purge and /vergeet do not rely on it, but nothing may be left dangling."""
    async with database.transaction() as s:
        rid = await resident(s, "r", days=[5])
        case_id = await case_of(s, rid, opened=5)
    async with database.transaction() as s:
        await s.exec(delete(Resident).where(Resident.id == rid))
    for table, column in (
        (TranscriptEntry, TranscriptEntry.resident_id),
        (OutboxMessage, OutboxMessage.resident_id),
        (ContactEvent, ContactEvent.resident_id),
        (Conversation, Conversation.resident_id),
        (Case, Case.resident_id),
    ):
        assert await count(database, table, column == rid) == 0, table
    assert await count(database, CaseNote, CaseNote.case_id == case_id) == 0


def test_retention_comes_from_the_environment_and_must_be_at_least_a_day():
    config = Config.from_env(
        {
            "BUURTBOT_RETENTION_CLOSED_CASE_DAYS": "365",
            "BUURTBOT_RETENTION_FLOW_ONLY_DAYS": "14",
            "BUURTBOT_RETENTION_OUTBOX_DAYS": "2",
            "BUURTBOT_RETENTION_AUDIT_DAYS": "1095",
            "BUURTBOT_PURGE_INTERVAL_HOURS": "0",
        }
    )
    assert purge.retention_of(config) == Retention(365, 14, 2, 1095)
    assert config.purge_interval_hours == 0
    defaults = Config.from_env({})
    assert purge.retention_of(defaults) == Retention(180, 30, 7, 730)
    assert defaults.purge_interval_hours == 6
    with pytest.raises(ValueError, match="flow_only_days"):
        Retention(180, 0, 7, 730)


# --- buurtbot purge, and the scheduled purge ---------------------------------------------------


@pytest.fixture
async def sqlite_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A SQLite database with tables, named by DATABASE_URL as the command reads it."""
    url = f"sqlite:///{tmp_path / 'buurtbot.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    for name in ("CLOSED_CASE", "FLOW_ONLY", "OUTBOX", "AUDIT"):
        monkeypatch.delenv(f"BUURTBOT_RETENTION_{name}_DAYS", raising=False)
    database = Database(url)
    await database.create_all()
    try:
        yield database
    finally:
        await database.dispose()


async def test_buurtbot_purge_prints_counts_per_category_and_no_text(sqlite_file, capsys):
    now = datetime.now(UTC)
    async with sqlite_file.transaction() as s:
        await resident(s, "idle", days=[31], now=now)
        await resident(s, "active", days=[2], now=now)
    code = await asyncio.to_thread(cli.main, ["purge", "--dry-run"])
    out = capsys.readouterr().out
    assert code == 0
    assert out.splitlines()[0] == "Dry run: nothing was removed. A purge now would remove:"
    assert "  flow_only     residents=1 messages=2 topics=1 outbox=1" in out.splitlines()
    assert "  closed_cases  nothing" in out.splitlines()
    assert "  handled_keys  nothing" in out.splitlines()
    assert TEXT not in out and "2400" not in out
    assert await count(sqlite_file, Resident) == 2

    code = await asyncio.to_thread(cli.main, ["purge"])
    out = capsys.readouterr().out
    assert code == 0 and out.startswith("Removed:")
    assert await count(sqlite_file, Resident) == 1


async def test_buurtbot_purge_on_a_database_without_tables_says_what_to_do(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    code = await asyncio.to_thread(cli.main, ["purge"])
    assert code == 1
    assert "buurtbot db upgrade" in capsys.readouterr().err


async def test_buurtbot_run_purges_on_a_schedule(sqlite_file, monkeypatch):
    now = datetime.now(UTC)
    async with sqlite_file.transaction() as s:
        await resident(s, "idle", days=[31], now=now)
    monkeypatch.setattr(purge, "FIRST_DELAY", 0.0)
    app = web.Application()
    app[CONFIG] = Config(database_url="unused", purge_interval_hours=0.01 / 3600)
    app[DB] = sqlite_file
    context = purge.scheduled(app)
    await anext(context)
    try:
        for _ in range(200):
            if await count(sqlite_file, Resident) == 0:
                break
            await asyncio.sleep(0.02)
        assert await count(sqlite_file, Resident) == 0
        await asyncio.sleep(0.05)  # and again: one purge row per round
        assert await count(sqlite_file, AuditEntry, AuditEntry.action == "purge") >= 2
    finally:
        with pytest.raises(StopAsyncIteration):
            await anext(context)


def test_the_app_registers_the_scheduled_purge():
    app = init_app(Config(purge_interval_hours=0))
    assert purge.scheduled in app.cleanup_ctx


async def test_buurtbot_purge_on_a_read_only_database_says_so(sqlite_file, monkeypatch, capsys):
    path = make_url(sqlite_file.url).database
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///file:{path}?mode=ro&uri=true")
    code = await asyncio.to_thread(cli.main, ["purge"])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1
    assert err.startswith("buurtbot purge: the database is read-only")
    assert "db upgrade" not in err


def test_the_dashboard_docs_describe_the_purge_that_exists():
    text = (Path(__file__).resolve().parents[1] / "docs" / "dashboard.md").read_text()
    assert "buurtbot purge" in text and "BUURTBOT_RETENTION_AUDIT_DAYS" in text
    assert "is planned" not in text and "No retention job" not in text
