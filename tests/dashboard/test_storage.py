"""Accounts, sessions and the audit log in storage, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from storage import audit, casework, users
from storage import residents as resident_db
from storage import transcripts as transcript_db
from storage.cases import open_case

T0 = datetime(2026, 11, 20, 14, tzinfo=UTC)


async def test_users_are_found_by_name_whatever_the_case_and_names_are_unique(database):
    async with database.transaction() as s:
        await users.add_user(s, "Fatima", "worker", "hash", now=T0)
    with pytest.raises(users.UserError, match="already a user 'fatima'"):
        async with database.transaction() as s:
            await users.add_user(s, "FATIMA", "admin", "hash", now=T0)
    with pytest.raises(users.UserError, match="role"):
        async with database.transaction() as s:
            await users.add_user(s, "noor", "boss", "hash", now=T0)
    async with database.transaction() as s:
        found = await users.find_user(s, " fatima ")
    assert found is not None and found.name == "fatima"


async def test_a_session_lives_until_idle_or_absolute_timeout(database):
    async with database.transaction() as s:
        user = await users.add_user(s, "fatima", "worker", "hash", now=T0)
        token, row = await users.new_session(s, user.id, now=T0)
    assert row.token_hash != token and len(row.csrf) >= 40
    async with database.transaction() as s:
        login = await users.find_session(s, token, now=T0 + timedelta(minutes=29))
        assert login is not None and login.user.name == "fatima"
        await users.touch(s, login.session, now=T0 + timedelta(minutes=29))
    async with database.transaction() as s:  # active: the idle clock started again
        assert await users.find_session(s, token, now=T0 + timedelta(minutes=58)) is not None
    async with database.transaction() as s:
        assert await users.find_session(s, token, now=T0 + timedelta(hours=2)) is None
    async with database.transaction() as s:  # and it is gone for good
        assert await s.get(users.WebSession, row.token_hash) is None
        assert await users.find_session(s, "no such token", now=T0) is None


async def test_expired_sessions_are_purged(database):
    async with database.transaction() as s:
        user = await users.add_user(s, "fatima", "worker", "hash", now=T0)
        await users.new_session(s, user.id, now=T0)
        await users.new_session(s, user.id, now=T0 + timedelta(hours=1))
    async with database.transaction() as s:
        assert await users.purge_sessions(s, now=T0 + timedelta(minutes=45)) == 1


async def test_the_audit_log_is_newest_first_and_filters(database):
    async with database.transaction() as s:
        resident = await resident_db.get_or_create_resident(s, "web", "x", now=T0)
        case = await open_case(s, resident.id, reason="no_bed", priority="high", now=T0)
        for i, action in enumerate(["login", "view_case", "claim", "reply", "logout"]):
            await audit.record(
                s,
                action,
                now=T0 + timedelta(seconds=i),
                user_id=1,
                user_name="fatima",
                case_id=case.id if action in ("view_case", "claim", "reply") else None,
            )
        with pytest.raises(ValueError, match="unknown audit action"):
            await audit.record(s, "peek", now=T0)
    async with database.transaction() as s:
        newest = await audit.entries(s, limit=2)
        of_case = await audit.entries(s, case_id=case.id)
        older = await audit.entries(s, before=newest[-1].id)
    assert [e.action for e in newest] == ["logout", "reply"]
    assert [e.action for e in of_case] == ["reply", "claim", "view_case"]
    assert [e.action for e in older] == ["claim", "view_case", "login"]


async def test_the_queue_shows_the_residents_last_message_time(database):
    async with database.transaction() as s:
        resident = await resident_db.get_or_create_resident(s, "web", "x", now=T0)
        await transcript_db.add_transcript(
            s, resident.id, "in", "hallo", now=T0 + timedelta(minutes=3)
        )
        await open_case(s, resident.id, reason="no_bed", priority="high", now=T0)
        rows = await casework.queue(s)
    assert rows[0].last_message_at == T0 + timedelta(minutes=3)
