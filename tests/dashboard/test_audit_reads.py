"""Every read of case content leaves an audit row: the case page, the updates a page polls for
when they bring something new, the close page and the queue's rows. Polls are recorded at most
once per worker and case in ten minutes, so the log is not flooded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import update

from bot.app import DB
from storage.audit import AuditEntry
from tests.dashboard.conftest import Worker, only_open_case, resident_says
from tests.dashboard.test_cases import audit_rows


async def _eleven_minutes_on(app) -> None:
    async with app[DB].transaction() as s:
        await s.exec(update(AuditEntry).values(at=datetime.now(UTC) - timedelta(minutes=11)))


async def _worker_and_case(client, add_user):
    await add_user("fatima")
    await add_user("noor")
    noor = await Worker.login(client, "noor")
    await resident_says(client.app, "r1", "/mens")
    await resident_says(client.app, "r1", "Ik heb een vraag over mijn huur.")
    return noor, await only_open_case(client.app)


async def test_reading_a_case_through_its_updates_stream_is_audited(client, add_user):
    _, case = await _worker_and_case(client, add_user)
    response = await client.get(f"/dashboard/cases/{case.id}/updates?after=0&notes_after=0")
    assert response.status == 200
    assert "vraag over mijn huur" in (await response.json())["messages"]
    rows = await audit_rows(client.app, "view_case_updates")
    assert [(r.user_name, r.case_id) for r in rows] == [("noor", case.id)]
    assert rows[0].detail.endswith("0 notes") and "vraag" not in rows[0].detail


async def test_polls_are_recorded_once_per_case_in_ten_minutes(client, add_user):
    _, case = await _worker_and_case(client, add_user)
    for _ in range(5):
        await client.get(f"/dashboard/cases/{case.id}/updates?after=0&notes_after=0")
    assert len(await audit_rows(client.app, "view_case_updates")) == 1
    # Nothing new: not a read of anything, no row either way.
    await _eleven_minutes_on(client.app)
    await client.get(f"/dashboard/cases/{case.id}/updates?after=999999&notes_after=999999")
    assert len(await audit_rows(client.app, "view_case_updates")) == 1
    # Ten minutes on, the same content read again is a new row.
    await client.get(f"/dashboard/cases/{case.id}/updates?after=0&notes_after=0")
    assert len(await audit_rows(client.app, "view_case_updates")) == 2


async def test_a_case_page_view_covers_the_polls_that_follow(client, add_user):
    noor, case = await _worker_and_case(client, add_user)
    await noor.page(f"/dashboard/cases/{case.id}")
    await resident_says(client.app, "r1", "Nog iets.")
    await client.get(f"/dashboard/cases/{case.id}/updates?after=0&notes_after=0")
    assert [r.action for r in await audit_rows(client.app) if r.case_id == case.id] == ["view_case"]


async def test_the_close_page_and_the_queue_rows_are_audited(client, add_user):
    noor, case = await _worker_and_case(client, add_user)
    status, _ = await noor.page(f"/dashboard/cases/{case.id}/close")
    assert status == 200
    assert [(r.action, r.case_id) for r in await audit_rows(client.app, "view_close")] == [
        ("view_close", case.id)
    ]
    for _ in range(3):
        assert (await client.get("/dashboard/queue/rows")).status == 200
    # The queue page itself was recorded at login; its rows within ten minutes are covered.
    assert await audit_rows(client.app, "view_queue_rows") == []
    await _eleven_minutes_on(client.app)
    for _ in range(3):
        await client.get("/dashboard/queue/rows")
    assert len(await audit_rows(client.app, "view_queue_rows")) == 1
