"""Follow-ups through the real conversation path and a real database: a flow schedules one,
the sender asks it within office hours only, the answers do what they say, "stop" cancels,
/gegevens lists and /vergeet erases."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.conversation import Inbound
from bot.followups import texts
from bot.followups.sender import send_due
from bot.i18n import Catalogs
from storage import followups as followup_db
from storage.cases import Case
from storage.contacts import ContactEvent
from storage.followups import FollowUp
from storage.outbox import OutboxMessage
from storage.residents import Resident
from tests.followups.conftest import (
    LOCALES,
    MONDAY,
    Clock,
    at_menu,
    conversations,
    payload,
    press,
    say,
)

QUESTION = "Is het gelukt met je aanvraag?"


async def _through_the_flow(c, chat: str) -> None:
    menu = await at_menu(c, chat)
    asked = await press(c, chat, payload(menu, "Toeslag aanvragen"))
    await press(c, chat, payload(asked, "Ja"))


async def _rows(database) -> list[FollowUp]:
    async with database.transaction() as s:
        return list((await s.exec(select(FollowUp).order_by(FollowUp.id))).all())


async def _outbox(database, resident_id: int) -> list[OutboxMessage]:
    async with database.transaction() as s:
        query = select(OutboxMessage).where(OutboxMessage.resident_id == resident_id)
        return list((await s.exec(query.order_by(OutboxMessage.id))).all())


async def test_a_flow_schedules_it_and_it_is_sent_in_office_hours_only(database):
    clock = Clock()
    c = conversations(database, clock)
    await _through_the_flow(c, "200")
    [row] = await _rows(database)
    assert (row.status, row.context, row.source, row.flow) == (
        "scheduled",
        "check.site",
        "flow",
        "check",
    )
    assert row.due_at == MONDAY + timedelta(days=14)
    # Passing the node again does not double it.
    await _through_the_flow(c, "200")
    assert len(await _rows(database)) == 1

    assert await send_due(database, c, now=MONDAY + timedelta(days=13)) == 0  # not due
    evening = MONDAY + timedelta(days=14, hours=10)  # 21:00 in Amsterdam
    assert await send_due(database, c, now=evening) == 0
    saturday = MONDAY + timedelta(days=19)
    assert await send_due(database, c, now=saturday) == 0
    before = len(await _outbox(database, row.resident_id))
    tuesday = MONDAY + timedelta(days=15)
    assert await send_due(database, c, now=tuesday) == 1
    assert await send_due(database, c, now=tuesday) == 0  # once
    [sent] = (await _outbox(database, row.resident_id))[before:]
    assert sent.text == QUESTION
    assert sent.buttons == [
        [texts.HELPED, f"fu:{row.id}:y"],
        [texts.A_BIT, f"fu:{row.id}:b"],
        [texts.NOT_HELPED, f"fu:{row.id}:n"],
        [texts.STOP_ASKING, f"fu:{row.id}:s"],
    ]
    [row] = await _rows(database)
    assert (row.status, row.sent_at, row.outbox_id) == ("sent", tuesday, sent.id)


async def test_not_helped_opens_a_case_and_a_second_press_changes_nothing(database):
    clock = Clock()
    c = conversations(database, clock)
    await _through_the_flow(c, "201")
    clock.now = MONDAY + timedelta(days=14)
    await send_due(database, c, now=clock.now)
    [row] = await _rows(database)
    replies = await press(c, "201", f"fu:{row.id}:n")
    assert replies[0].text == texts.NOT_HELPED_CASE
    async with database.transaction() as s:
        [case] = (await s.exec(select(Case))).all()
        topics = (await s.exec(select(ContactEvent.kind))).all()
    assert (case.reason, case.priority, case.status) == (
        "follow_up_not_helped",
        "normal",
        "waiting",
    )
    assert case.detail == QUESTION
    assert "not_helped" in topics
    [row] = await _rows(database)
    assert (row.status, row.answer, row.answered_at) == ("answered", "not_helped", clock.now)
    again = await press(c, "201", f"fu:{row.id}:y")
    assert again[0].text == texts.ALREADY
    assert (await _rows(database))[0].answer == "not_helped"


async def test_helped_and_a_bit_thank_the_resident_and_open_nothing(database):
    clock = Clock()
    c = conversations(database, clock)
    await at_menu(c, "202")
    async with database.transaction() as s:
        rid = (await s.exec(select(OutboxMessage.resident_id))).first()
        for _ in range(2):
            await followup_db.schedule(
                s, rid, due_at=MONDAY, text="Gelukt?", source="worker", now=MONDAY
            )
    assert await send_due(database, c, now=MONDAY) == 2
    first, second = await _rows(database)
    assert (await press(c, "202", f"fu:{first.id}:y"))[0].text == texts.THANKS_HELPED
    assert (await press(c, "202", f"fu:{second.id}:b"))[0].text == texts.THANKS_A_BIT
    assert [r.answer for r in await _rows(database)] == ["helped", "a_bit"]
    async with database.transaction() as s:
        assert (await s.exec(select(Case))).all() == []


async def test_another_residents_button_answers_nothing(database):
    clock = Clock()
    c = conversations(database, clock)
    await _through_the_flow(c, "203")
    await at_menu(c, "204")
    await send_due(database, c, now=MONDAY + timedelta(days=14))
    [row] = await _rows(database)
    assert (await press(c, "204", f"fu:{row.id}:n"))[0].text == texts.ALREADY
    assert (await _rows(database))[0].status == "sent"


async def test_stop_typed_or_pressed_cancels_every_follow_up(database):
    clock = Clock()
    c = conversations(database, clock)
    await _through_the_flow(c, "205")
    [row] = await _rows(database)
    async with database.transaction() as s:
        await followup_db.schedule(
            s, row.resident_id, due_at=MONDAY, text="Gelukt?", source="worker", now=MONDAY
        )
    replies = await say(c, "205", "stop")
    assert texts.STOPPED in [r.text for r in replies]
    assert [r.status for r in await _rows(database)] == ["cancelled", "cancelled"]
    assert await send_due(database, c, now=MONDAY + timedelta(days=15)) == 0
    # A button's stop does the same; a stop with nothing waiting says nothing about it.
    async with database.transaction() as s:
        await followup_db.schedule(
            s, row.resident_id, due_at=MONDAY, text="Gelukt?", source="worker", now=MONDAY
        )
    await send_due(database, c, now=MONDAY)
    last = (await _rows(database))[-1]
    assert (await press(c, "205", f"fu:{last.id}:s"))[0].text == texts.STOPPED
    assert (await _rows(database))[-1].status == "cancelled"
    assert texts.STOPPED not in [r.text for r in await say(c, "205", "stop")]


async def test_mydata_lists_them_and_forget_erases_them(database):
    clock = Clock()
    c = conversations(database, clock)
    await _through_the_flow(c, "206")
    listed = await c.receive(Inbound("telegram", "206", text="/gegevens"))
    assert (
        "- vragen die ik je later nog stel, om te horen hoe het ging: 1, de eerste op "
        "21 december 2026. Typ stop als je ze niet wilt."
    ) in listed[0].text
    asked = await c.receive(Inbound("telegram", "206", text="/vergeet"))
    await press(c, "206", payload(asked, "Ja, wis alles"))
    assert await _rows(database) == []


async def test_it_is_asked_in_the_residents_language(database):
    """A worker's standard question and its buttons reach an English- and an Arabic-speaking
    resident in their language (the draft catalogs)."""
    clock = Clock()
    c = conversations(database, clock, catalogs=Catalogs.load(LOCALES))
    for chat, lang in (("207", "en"), ("208", "ar")):
        await at_menu(c, chat, lang)
    async with database.transaction() as s:
        for rid in (await s.exec(select(Resident.id).order_by(Resident.id))).all():
            await followup_db.schedule(
                s,
                rid,
                due_at=MONDAY,
                text=texts.DEFAULT_QUESTION,
                context=texts.CONTEXT,
                source="worker",
                now=MONDAY,
            )
    assert await send_due(database, c, now=MONDAY) == 2
    english, arabic = await _rows(database)
    [en] = (await _outbox(database, english.resident_id))[-1:]
    assert en.text.startswith("How are things now?")
    assert [b[0] for b in en.buttons] == [
        "Yes, it worked",
        "A little",
        "No, it did not",
        "Stop asking",
    ]
    [ar] = (await _outbox(database, arabic.resident_id))[-1:]
    assert ar.text.startswith("كيف حالك الآن")
    assert ar.buttons[0][0] == "نعم، نجح"
