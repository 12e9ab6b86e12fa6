"""The conversation path through a real database: state, transcript and outbox change together,
and a restart (a new `Conversations` over the same database) continues where the resident was."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import select

from bot.conversation import LANGUAGE_ASK, LANGUAGE_SET, Conversations, Inbound
from bot.engine import load, texts
from bot.i18n import SWITCH_OFFER, Catalogs
from storage import outbox as outbox_db
from storage import residents as resident_db
from storage import states as state_db
from storage import transcripts as transcript_db
from storage.cases import Case
from storage.handled import HandledMessage
from storage.outbox import OutboxMessage
from storage.residents import Resident

ROOT = Path(__file__).resolve().parents[1]
# Test-owned flows: these tests are about the conversation path, not about the content.
FLOWS = load(ROOT / "tests" / "engine" / "runtime_flows")
NOW = datetime(2026, 11, 21, 10, tzinfo=UTC)


async def begin(c: Conversations, chat: str) -> list:
    """A new resident says hello and picks Dutch: the menu is open."""
    await c.receive(Inbound("telegram", chat, text="hallo"))
    return await c.receive(Inbound("telegram", chat, text="Nederlands", payload="lang:nl"))


def conversations(database) -> Conversations:
    return Conversations(database, FLOWS, Catalogs.empty(), clock=lambda: NOW)


def text(chat: str, body: str) -> Inbound:
    return Inbound("telegram", chat, text=body)


async def test_first_message_greets_and_offers_languages_and_everything_is_stored(database):
    c = conversations(database)
    first = await c.receive(Inbound("telegram", "100", text="hallo", language_hint="ar-SY"))
    assert [r.text for r in first] == [texts.GREETING, LANGUAGE_ASK]
    assert [b[0] for b in first[-1].buttons] == ["العربية", "Nederlands", "ትግርኛ", "English"]
    replies = await c.receive(Inbound("telegram", "100", text="Nederlands", payload="lang:nl"))
    assert [r.text for r in replies] == [LANGUAGE_SET, texts.MENU_ASK]
    assert replies[-1].buttons[-1][0] == texts.HUMAN_BUTTON
    async with database.transaction() as s:
        resident = (await s.exec(select(Resident))).one()
        assert resident.pseudonym and "100" not in resident.pseudonym
        assert resident.language == "nl"
        entries = await transcript_db.transcript(s, resident.id)
        assert [(e.direction, e.text) for e in entries] == [
            ("in", "hallo"),
            ("out", texts.GREETING),
            ("out", LANGUAGE_ASK),
            ("in", "Nederlands"),
            ("out", LANGUAGE_SET),
            ("out", texts.MENU_ASK),
        ]
        outbox = (await s.exec(select(OutboxMessage).order_by(OutboxMessage.id))).all()
        assert [m.text for m in outbox] == [
            texts.GREETING,
            LANGUAGE_ASK,
            LANGUAGE_SET,
            texts.MENU_ASK,
        ]
        assert outbox[-1].buttons[0][0] == "Geldzorgen en schulden"
        assert all(m.status == "pending" and m.transcript_id for m in outbox)
        assert (await state_db.load_state(s, resident.id))["flow"] == "_menu"


async def test_a_first_message_that_is_a_command_does_what_it_says(database):
    c = conversations(database)
    replies = await c.receive(text("101", "/mens"))
    assert "medewerker" in replies[0].text
    async with database.transaction() as s:
        assert (await s.exec(select(Case))).one().reason == "asked_for_person"


async def test_typing_a_menu_title_after_the_greeting_starts_that_flow(database):
    c = conversations(database)
    await c.receive(text("102", "hallo"))
    replies = await c.receive(text("102", "geldzorgen en schulden"))
    assert replies[-1].text == "Wat speelt er?"


async def test_writing_in_another_script_offers_to_switch_once(database):
    c = conversations(database)
    await begin(c, "103")
    replies = await c.receive(text("103", "مرحبا"))
    offer = replies[-1]
    assert offer.text == SWITCH_OFFER or "لغ" in offer.text
    assert ("العربية", "lang:ar") in offer.buttons
    again = await c.receive(text("103", "مرحبا"))
    assert all(("العربية", "lang:ar") not in r.buttons for r in again)


async def test_a_restart_continues_where_the_resident_was(database):
    first = conversations(database)
    await begin(first, "7")
    replies = await first.receive(text("7", "1"))
    assert replies[-1].text == "Wat speelt er?"
    payload = replies[-1].buttons[0][1]
    # A new process: nothing in memory survives, only the database.
    second = conversations(database)
    pressed = Inbound("telegram", "7", text="Ik heb achterstanden", payload=payload)
    replies = await second.receive(pressed)
    assert replies[0].text == "Je bent niet de enige."
    assert replies[-1].text == "Hoeveel schuld heb je ongeveer, in euro?"


async def test_residents_do_not_see_each_others_state(database):
    c = conversations(database)
    await begin(c, "1")
    await c.receive(text("1", "1"))
    replies = await c.receive(text("2", "1"))
    assert replies[0].text == texts.GREETING  # resident 2 is new, not in resident 1's flow


async def test_asking_for_a_person_opens_a_case(database):
    c = conversations(database)
    await begin(c, "5")
    replies = await c.receive(text("5", "/mens"))
    assert "medewerker" in replies[-1].text
    async with database.transaction() as s:
        case = (await s.exec(select(Case))).one()
        assert (case.reason, case.priority, case.status) == (
            "asked_for_person",
            "normal",
            "waiting",
        )


async def test_flow_escalate_node_opens_a_case_with_its_priority(database):
    c = conversations(database)
    await begin(c, "9")
    replies = await c.receive(text("9", "1"))
    payload = replies[-1].buttons[1][1]
    pressed = Inbound("telegram", "9", text="De deurwaarder staat voor de deur", payload=payload)
    replies = await c.receive(pressed)
    assert replies[0].text == "Dit is dringend."
    assert "medewerker" in replies[-1].text
    async with database.transaction() as s:
        case = (await s.exec(select(Case))).one()
        assert (case.reason, case.priority) == ("eviction_or_seizure", "high")


async def test_language_can_be_chosen_and_is_kept(database):
    c = conversations(database)
    await begin(c, "3")
    replies = await c.receive(text("3", "/taal"))
    assert [b[0] for b in replies[-1].buttons] == ["Nederlands", "العربية", "ትግርኛ", "English"]
    await c.receive(Inbound("telegram", "3", text="English", payload="lang:en"))
    async with database.transaction() as s:
        resident = (await s.exec(select(Resident))).one()
        assert resident.language == "en"


async def test_hostile_text_is_stored_and_answered(database):
    c = conversations(database)
    body = "\x00\u202e" + "ሰላም مرحبا 💊 " * 300
    replies = await c.receive(text("66", body[:4096]))
    assert replies
    async with database.transaction() as s:
        resident = (await s.exec(select(Resident))).one()
        entries = await transcript_db.transcript(s, resident.id)
        assert entries[0].direction == "in" and "ሰላም" in entries[0].text


# --- a message delivered twice (storage/handled.py) -----------------------------------------


async def incoming(database, chat: str) -> list[str]:
    async with database.transaction() as s:
        resident = await resident_db.find_resident(s, "telegram", chat)
        return [
            e.text for e in await transcript_db.transcript(s, resident.id) if e.direction == "in"
        ]


async def queued(database) -> int:
    async with database.transaction() as s:
        return len((await s.exec(select(OutboxMessage))).all())


async def test_a_message_delivered_twice_is_handled_once(database):
    c = conversations(database)
    await begin(c, "20")
    update = Inbound("telegram", "20", text="1", key="5001")
    first = await c.receive(update)
    assert first[-1].text == "Wat speelt er?"
    rows = await queued(database)
    assert await c.receive(update) == []  # Telegram sent it again
    assert await incoming(database, "20") == ["hallo", "Nederlands", "1"]
    assert await queued(database) == rows
    async with database.transaction() as s:
        resident = await resident_db.find_resident(s, "telegram", "20")
        assert (await state_db.load_state(s, resident.id))["node"] == "situation"  # moved once
        keys = (await s.exec(select(HandledMessage))).all()
    assert [(k.channel, k.key, k.handled_at) for k in keys] == [("telegram", "5001", NOW)]
    # The same words in a new message (a new key) are an answer of their own.
    again = await c.receive(Inbound("telegram", "20", text="1", key="5002"))
    assert again[0].text == "Je bent niet de enige."


async def test_without_a_key_every_delivery_is_handled(database):
    c = conversations(database)
    await begin(c, "21")
    await c.receive(text("21", "1"))
    again = await c.receive(text("21", "1"))
    assert again[0].text == "Je bent niet de enige."  # "1" answered the next question too
    assert await incoming(database, "21") == ["hallo", "Nederlands", "1", "1"]
    async with database.transaction() as s:
        assert (await s.exec(select(HandledMessage))).all() == []


async def test_a_delivery_whose_handling_failed_is_handled_when_it_comes_again(
    database, monkeypatch
):
    c = conversations(database)
    await begin(c, "22")
    update = Inbound("telegram", "22", text="1", key="6001")
    real = outbox_db.add_replies

    async def broken(*args, **kwargs):
        raise RuntimeError("the process dies before its commit")

    monkeypatch.setattr(outbox_db, "add_replies", broken)
    with pytest.raises(RuntimeError):
        await c.receive(update)
    monkeypatch.setattr(outbox_db, "add_replies", real)
    # The key was rolled back with the turn: the second delivery is the one that counts.
    replies = await c.receive(update)
    assert replies[-1].text == "Wat speelt er?"
    assert await incoming(database, "22") == ["hallo", "Nederlands", "1"]


async def test_two_deliveries_at_the_same_moment_are_handled_once(database):
    """Two processes given the same update (a webhook re-sent while the first was still being
    handled): one waits for the other's transaction and then finds the key."""
    c = conversations(database)
    await begin(c, "23")
    update = Inbound("telegram", "23", text="1", key="7001")
    results = await asyncio.gather(c.receive(update), conversations(database).receive(update))
    assert sorted(bool(replies) for replies in results) == [False, True]  # one answered
    assert await incoming(database, "23") == ["hallo", "Nederlands", "1"]
