"""Follow-up answers (issue 20) reach the figures: helped, a bit, not, each counted once in
the area of the case they belong to, or the resident's."""

from __future__ import annotations

from sqlmodel import select

from bot.app import CONVERSATIONS, DB
from bot.conversation import Inbound
from bot.followups.sender import send_due
from storage import followups as followup_db
from storage import signals, teams
from storage.feedback import CaseFeedback
from storage.followups import FollowUp
from storage.outbox import OutboxMessage
from storage.types import utcnow
from tests.dashboard.conftest import Worker, only_open_case, resident_says
from tests.followups.conftest import MONDAY, Clock, at_menu, conversations, press


async def _answers(database) -> dict[str, int]:
    async with database.transaction() as s:
        rows = await signals.counts(s)
    return {m: n for _day, _area, m, n in rows if m.startswith(("follow_up.", "after_close."))}


async def test_each_answer_is_counted_once(database):
    c = conversations(database, Clock())
    await at_menu(c, "301")
    async with database.transaction() as s:
        rid = (await s.exec(select(OutboxMessage.resident_id))).first()
        for _ in range(3):
            await followup_db.schedule(
                s, rid, due_at=MONDAY, text="Gelukt?", source="worker", now=MONDAY
            )
    assert await send_due(database, c, now=MONDAY) == 3
    async with database.transaction() as s:
        ids = sorted((await s.exec(select(FollowUp.id))).all())
    for ident, key in zip(ids, "ybn", strict=True):
        await press(c, "301", f"fu:{ident}:{key}")
    await press(c, "301", f"fu:{ids[0]}:n")  # already answered: not counted again
    assert await _answers(database) == {
        "follow_up.helped": 1,
        "follow_up.a_bit": 1,
        "follow_up.not": 1,
    }


async def test_the_answer_after_a_close_counts_in_the_cases_team(client, add_user):
    async with client.app[DB].transaction() as s:
        noord = await teams.add_team(s, "Noord", postcodes="1020-1039", now=utcnow())
    worker = await add_user("fatima")
    async with client.app[DB].transaction() as s:
        await teams.set_teams_of(s, worker.id, ["Noord"])
    fatima = await Worker.login(client, "fatima")
    await resident_says(client.app, "r1", "hallo")
    await resident_says(client.app, "r1", "/mens")
    await resident_says(client.app, "r1", "1023")
    case = await only_open_case(client.app)
    assert case.team_id == noord.id
    await fatima.post(f"/dashboard/cases/{case.id}/claim")
    await fatima.post(f"/dashboard/cases/{case.id}/close", {"outcome": "referred"})
    async with client.app[DB].transaction() as s:
        [asked] = (await s.exec(select(CaseFeedback))).all()
    press = Inbound("web", "r1", text="", payload=f"fb:{asked.id}:b")
    await client.app[CONVERSATIONS].receive(press)
    await client.app[CONVERSATIONS].receive(press)  # answered already: not counted again
    async with client.app[DB].transaction() as s:
        rows = await signals.counts(s)
    assert [(a, m, n) for _d, a, m, n in rows if m.startswith("after_close.")] == [
        ("Noord", "after_close.a_bit", 1)
    ]
