"""Follow-up answers (issue 20) reach the figures: helped, a bit, not, each counted once in
the area of the case they belong to, or the resident's."""

from __future__ import annotations

from sqlmodel import select

from bot.followups.sender import send_due
from storage import followups as followup_db
from storage import signals
from storage.followups import FollowUp
from storage.outbox import OutboxMessage
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
