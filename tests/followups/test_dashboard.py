"""The worker's side over real HTTP through the real app factory: scheduling a follow-up on
the case page (audited, checked), the question after closing and its answer, and a resident
who comes back within 14 days."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from bot.app import CONVERSATIONS, DB
from bot.conversation import Inbound
from bot.followups import texts
from storage import users
from storage.audit import AuditEntry
from storage.cases import Case
from storage.feedback import CaseFeedback
from storage.followups import FollowUp
from storage.outbox import OutboxMessage
from storage.types import utcnow
from tests.dashboard.conftest import Worker, only_open_case, resident_says


async def _claimed_case(client, add_user, name: str = "fatima") -> tuple[Worker, Case]:
    await add_user(name)
    worker = await Worker.login(client, name)
    await resident_says(client.app, "r1", "hallo")
    await resident_says(client.app, "r1", "/mens")
    case = await only_open_case(client.app)
    await worker.post(f"/dashboard/cases/{case.id}/claim")
    async with client.app[DB].transaction() as s:
        claimed = await s.get(Case, case.id)
    assert claimed is not None and claimed.worker_id is not None
    return worker, claimed


async def _all(app, table) -> list:
    async with app[DB].transaction() as s:
        return list((await s.exec(select(table).order_by(col(table.id)))).all())


async def test_a_worker_schedules_a_follow_up_from_the_case_page(client, add_user):
    fatima, case = await _claimed_case(client, add_user)
    status, html = await fatima.page(f"/dashboard/cases/{case.id}")
    assert status == 200
    for hook in ("follow-up-days", "follow-up-text", "follow-up-schedule"):
        assert f'data-testid="{hook}"' in html
    before = utcnow()
    response = await fatima.post(f"/dashboard/cases/{case.id}/follow-up", {"days": "3", "text": ""})
    assert response.status == 200 and response.url.path == f"/dashboard/cases/{case.id}"
    [row] = await _all(client.app, FollowUp)
    assert (row.case_id, row.resident_id, row.source, row.status) == (
        case.id,
        case.resident_id,
        "worker",
        "scheduled",
    )
    assert (row.text, row.context) == (texts.DEFAULT_QUESTION, texts.CONTEXT)
    assert before + timedelta(days=3) <= row.due_at <= utcnow() + timedelta(days=3)
    assert 'data-testid="follow-up" data-status="scheduled"' in await response.text()
    [audited] = [a for a in await _all(client.app, AuditEntry) if a.action == "follow_up"]
    assert (audited.case_id, audited.user_name, audited.detail) == (case.id, "fatima", "in 3 days")
    # The worker's own words go as written.
    await fatima.post(
        f"/dashboard/cases/{case.id}/follow-up", {"days": "7", "text": "Lukt het met de brief?"}
    )
    own = (await _all(client.app, FollowUp))[-1]
    assert (own.text, own.context) == ("Lukt het met de brief?", None)


async def test_bad_days_and_strangers_are_refused(client, second_client, add_user):
    fatima, case = await _claimed_case(client, add_user)
    for days in ("0", "91", "drie", ""):
        response = await fatima.post(f"/dashboard/cases/{case.id}/follow-up", {"days": days})
        assert response.status == 400, days
        assert "Kies een aantal dagen van 1 tot en met 90." in await response.text()
    await add_user("sem")
    sem = await Worker.login(second_client, "sem")
    response = await sem.post(f"/dashboard/cases/{case.id}/follow-up", {"days": "3"})
    assert response.status == 403
    response = await fatima.post("/dashboard/cases/999999/follow-up", {"days": "3"})
    assert response.status == 404
    assert await _all(client.app, FollowUp) == []


async def test_closing_asks_once_whether_it_helped_and_keeps_the_answer(client, add_user):
    fatima, case = await _claimed_case(client, add_user)
    await fatima.post(f"/dashboard/cases/{case.id}/close", {"outcome": "referred"})
    [asked] = await _all(client.app, CaseFeedback)
    assert (asked.case_id, asked.outcome, asked.reason, asked.answer) == (
        case.id,
        "referred",
        case.reason,
        None,
    )
    last = (await _all(client.app, OutboxMessage))[-1]
    assert last.text == texts.FEEDBACK_ASK
    assert [b[1] for b in last.buttons] == [f"fb:{asked.id}:{c}" for c in ("y", "b", "n")]
    replies = await client.app[CONVERSATIONS].receive(_press("r1", f"fb:{asked.id}:n"))
    assert replies[0].text == texts.FEEDBACK_NO_THANKS
    again = await client.app[CONVERSATIONS].receive(_press("r1", f"fb:{asked.id}:y"))
    assert again[0].text == texts.ALREADY
    [answered] = await _all(client.app, CaseFeedback)
    assert answered.answer == "not_helped" and answered.answered_at is not None


async def test_no_question_when_the_resident_never_answered(client, add_user):
    fatima, case = await _claimed_case(client, add_user)
    await fatima.post(f"/dashboard/cases/{case.id}/close", {"outcome": "no_reply"})
    assert await _all(client.app, CaseFeedback) == []


async def test_back_within_14_days_the_case_reopens_with_the_same_worker(client, add_user):
    fatima, case = await _claimed_case(client, add_user)
    await fatima.post(f"/dashboard/cases/{case.id}/close", {"outcome": "helped"})
    replies = await resident_says(client.app, "r1", "/mens")
    assert replies[-1].text == (
        "Je gesprek met Fatima van het buurtteam is weer geopend. Fatima leest je bericht en "
        "antwoordt hier."
    )
    [again] = await _all(client.app, Case)
    assert (again.id, again.status, again.worker_id) == (case.id, "claimed", case.worker_id)
    assert again.reopened_at is not None and again.outcome is None
    status, html = await fatima.page("/dashboard/")
    assert status == 200 and f"/dashboard/cases/{case.id}" in html


async def test_a_worker_who_left_or_a_late_return_gets_a_new_case(client, add_user):
    fatima, case = await _claimed_case(client, add_user)
    await fatima.post(f"/dashboard/cases/{case.id}/close", {"outcome": "helped"})
    async with client.app[DB].transaction() as s:
        worker = await s.get(users.User, case.worker_id)
        await users.disable(s, worker, now=utcnow())
    replies = await resident_says(client.app, "r1", "/mens")
    assert texts.LINKED in [r.text for r in replies]
    first, second = await _all(client.app, Case)
    assert (first.status, second.status, second.previous_case_id) == ("closed", "waiting", case.id)
    # Closed more than 14 days ago: a fresh case, not linked.
    async with client.app[DB].transaction() as s:
        for old in (await s.exec(select(Case))).all():
            old.status, old.closed_at = "closed", utcnow() - timedelta(days=15)
            s.add(old)
    replies = await resident_says(client.app, "r1", "/mens")
    assert texts.LINKED not in [r.text for r in replies]
    assert (await _all(client.app, Case))[-1].previous_case_id is None


def _press(chat: str, payload: str) -> Inbound:
    return Inbound("web", chat, text="", payload=payload)
