"""Case work in storage, on SQLite and PostgreSQL: the queue's order, claims that race, taking
the next case, releasing, reassigning and closing, and who may do what."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from storage import casework, notes, users
from storage import residents as resident_db
from storage.cases import open_case
from storage.casework import Actor
from storage.db import Database

T0 = datetime(2026, 11, 20, 14, tzinfo=UTC)


async def a_case(db: Database, chat: str, priority: str = "normal", minutes: int = 0) -> int:
    async with db.transaction() as s:
        resident = await resident_db.get_or_create_resident(s, "telegram", chat, now=T0)
        case = await open_case(
            s,
            resident.id,
            reason="asked_for_person",
            priority=priority,
            now=T0 + timedelta(minutes=minutes),
            detail="ik wil een mens",
            language="nl",
        )
        return case.id


async def a_worker(db: Database, name: str, role: str = "worker") -> Actor:
    async with db.transaction() as s:
        user = await users.add_user(s, name, role, "not-a-real-hash", now=T0)
    return Actor(user.id, user.name, user.role)


async def test_the_queue_is_urgent_first_then_longest_waiting(database):
    late_normal = await a_case(database, "1", "normal", minutes=0)
    urgent = await a_case(database, "2", "urgent", minutes=30)
    high_old = await a_case(database, "3", "high", minutes=5)
    high_new = await a_case(database, "4", "high", minutes=20)
    async with database.transaction() as s:
        rows = await casework.queue(s)
    assert [r.case.id for r in rows] == [urgent, high_old, high_new, late_normal]
    assert all(r.pseudonym.startswith("Bewoner-") for r in rows)
    assert not any(r.pseudonym == "1" for r in rows)  # never the chat id


async def test_two_workers_claiming_at_once_one_wins_and_the_other_hears_who(database):
    case_id = await a_case(database, "1")
    fatima = await a_worker(database, "fatima")
    noor = await a_worker(database, "noor")

    async def try_claim(actor: Actor):
        async with database.transaction() as s:
            return await casework.claim(s, case_id, actor, now=T0)

    for _ in range(5):  # again and again: never two winners
        results = await asyncio.gather(try_claim(fatima), try_claim(noor), return_exceptions=True)
        won = [r for r in results if not isinstance(r, Exception)]
        lost = [r for r in results if isinstance(r, casework.AlreadyClaimed)]
        assert len(won) == 1 and len(lost) == 1, results
        winner = fatima if won[0].worker_id == fatima.id else noor
        assert lost[0].holder == winner.name
        async with database.transaction() as s:
            await casework.release(s, case_id, winner)


async def test_many_workers_taking_the_next_case_each_get_a_different_one(database):
    ids = {await a_case(database, str(i), minutes=i) for i in range(4)}
    workers = [await a_worker(database, f"w{i}") for i in range(6)]

    async def take(actor: Actor):
        async with database.transaction() as s:
            return await casework.claim_next(s, actor, now=T0)

    taken = await asyncio.gather(*(take(w) for w in workers))
    got = [c.id for c in taken if c is not None]
    assert sorted(got) == sorted(ids)  # each case once, the rest got nothing
    assert taken.count(None) == 2


async def test_claiming_ones_own_case_again_is_fine_and_a_closed_case_cannot_be_claimed(
    database,
):
    case_id = await a_case(database, "1")
    fatima = await a_worker(database, "fatima")
    async with database.transaction() as s:
        await casework.claim(s, case_id, fatima, now=T0)
    async with database.transaction() as s:
        assert (await casework.claim(s, case_id, fatima, now=T0)).worker_id == fatima.id
    async with database.transaction() as s:
        await casework.close(s, case_id, fatima, "helped", now=T0)
    with pytest.raises(casework.CaseClosed):
        async with database.transaction() as s:
            await casework.claim(s, case_id, fatima, now=T0)
    with pytest.raises(casework.CaseNotFound):
        async with database.transaction() as s:
            await casework.claim(s, 999, fatima, now=T0)


async def test_only_the_holder_or_an_admin_releases_reassigns_and_closes(database):
    case_id = await a_case(database, "1")
    fatima = await a_worker(database, "fatima")
    noor = await a_worker(database, "noor")
    anne = await a_worker(database, "anne", role="admin")
    async with database.transaction() as s:
        await casework.claim(s, case_id, fatima, now=T0)
    for action in (
        lambda s: casework.release(s, case_id, noor),
        lambda s: casework.close(s, case_id, noor, "helped", now=T0),
        lambda s: casework.for_reply(s, case_id, noor),
    ):
        with pytest.raises(casework.NotHolder) as refused:
            async with database.transaction() as s:
                await action(s)
        assert refused.value.holder == "fatima"
    async with database.transaction() as s:
        noor_user = await users.get_user(s, noor.id)
        case = await casework.reassign(s, case_id, fatima, noor_user, now=T0)
    assert case.worker_id == noor.id and case.status == "claimed"
    async with database.transaction() as s:
        case = await casework.release(s, case_id, anne)  # an admin may
    assert case.status == "waiting" and case.worker_id is None
    with pytest.raises(casework.InvalidAction):
        async with database.transaction() as s:
            await casework.close(s, case_id, anne, "gone fishing", now=T0)
    async with database.transaction() as s:
        case = await casework.close(s, case_id, anne, "not_needed", now=T0)
    assert (case.status, case.outcome) == ("closed", "not_needed")


async def test_disabling_a_worker_puts_their_cases_back_in_the_queue(database):
    first, second = await a_case(database, "1"), await a_case(database, "2")
    fatima = await a_worker(database, "fatima")
    async with database.transaction() as s:
        await casework.claim(s, first, fatima, now=T0)
        await casework.claim(s, second, fatima, now=T0)
        user = await users.get_user(s, fatima.id)
        await users.disable(s, user, now=T0)
        released = await casework.release_all(s, fatima.id)
    assert sorted(released) == sorted([first, second])
    async with database.transaction() as s:
        rows = await casework.queue(s)
    assert {r.case.status for r in rows} == {"waiting"}


async def test_notes_belong_to_their_case(database):
    case_id = await a_case(database, "1")
    other = await a_case(database, "2")
    async with database.transaction() as s:
        await notes.add_note(s, case_id, None, "belt morgen terug", now=T0)
        await notes.add_note(s, other, None, "iets anders", now=T0)
    async with database.transaction() as s:
        found = await notes.notes_of(s, case_id)
    assert [n.text for n in found] == ["belt morgen terug"]


async def test_concurrent_failed_logins_are_all_counted(database):
    async def fail():
        async with database.transaction() as s:
            return await users.record_failure(s, "user:x", 5, now=T0)

    await asyncio.gather(*(fail() for _ in range(7)))
    async with database.transaction() as s:
        row = await s.get(users.LoginFailure, "user:x")
        assert row.failures == 7 and row.locked_until == T0 + users.LOCK
