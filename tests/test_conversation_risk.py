"""Risk in the conversation path: every message, in every state, through a real database with
the shipped phrase lists. Crisis replies go first, cases open with what matched, and a crisis
reply still comes when the database is down."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from bot import escalation
from bot.config import Config
from bot.conversation import Conversations, DeliverDirectly, Inbound
from bot.engine import load
from bot.escalation import OfficeHours, RepeatRule
from bot.i18n import Catalogs
from bot.risk import load as load_risk
from bot.understanding.route import Router, load_router
from storage import residents as resident_db
from storage import transcripts as transcript_db
from storage.cases import Case
from storage.db import Database
from storage.outbox import OutboxMessage
from storage.residents import Resident

ROOT = Path(__file__).resolve().parents[1]
FLOWS = load(ROOT / "tests" / "engine" / "runtime_flows")
RISK = load_risk(ROOT / "flows" / "risk")
FRIDAY_AFTERNOON = datetime(2026, 11, 20, 14, tzinfo=UTC)  # 15:00 in Amsterdam
SATURDAY_NIGHT = datetime(2026, 11, 21, 23, tzinfo=UTC)

SUICIDE = "ik wil niet meer leven, ik heb alle pillen klaarliggen"


async def begin(c: Conversations, chat: str) -> list:
    """A new resident says hello and picks Dutch: the menu is open."""
    await c.receive(Inbound("telegram", chat, text="hallo"))
    return await c.receive(Inbound("telegram", chat, text="Nederlands", payload="lang:nl"))


def conversations(db, now=FRIDAY_AFTERNOON, risk=RISK, **kw) -> Conversations:
    return Conversations(
        db,
        FLOWS,
        Catalogs.load(ROOT / "locales"),
        risk=risk,
        office=OfficeHours.parse("ma-vr 09:00-17:00"),
        clock=lambda: now,
        **kw,
    )


def msg(chat: str, text: str | None = None, payload: str | None = None) -> Inbound:
    return Inbound("telegram", chat, text=text, payload=payload, language_hint="nl")


async def only_case(db) -> Case:
    async with db.transaction() as s:
        return (await s.exec(select(Case))).one()


async def outbox(db) -> list[OutboxMessage]:
    async with db.transaction() as s:
        query = select(OutboxMessage).order_by(OutboxMessage.priority, OutboxMessage.id)
        return list((await s.exec(query)).all())


async def test_urgent_message_gets_crisis_lines_first_and_an_urgent_case(database):
    c = conversations(database)
    await begin(c, "1")
    await c.receive(msg("1", "1"))  # in the middle of a flow
    replies = await c.receive(msg("1", SUICIDE))
    assert replies[0].text == escalation.CRISIS_SUICIDE
    rows = await outbox(database)
    assert rows[0].text == escalation.CRISIS_SUICIDE and rows[0].priority == 0
    assert all(r.priority == 10 for r in rows[1:])  # everything else waits behind it
    case = await only_case(database)
    assert (case.priority, case.reason) == ("urgent", "suicide")
    assert "ik wil niet meer leven" in case.detail
    async with database.transaction() as s:
        resident = (await s.exec(select(Resident))).one()
        entry = next(e for e in await transcript_db.transcript(s, resident.id) if e.text == SUICIDE)
    assert entry.data["risk"]["level"] == "urgent"


async def test_high_opens_a_high_case_with_help(database):
    c = conversations(database)
    replies = await c.receive(msg("2", "ik heb vannacht geen slaapplek"))
    assert replies[0].text == escalation.HELP_NO_BED
    case = await only_case(database)
    assert (case.priority, case.reason) == ("high", "no_bed")


async def test_harmless_trap_words_run_the_flow(database):
    c = conversations(database)
    replies = await c.receive(msg("3", "mijn telefoon is dood"))
    assert replies[0].text.startswith("Hallo! Ik ben Buurtbot")
    async with database.transaction() as s:
        assert (await s.exec(select(Case))).first() is None


async def test_check_asks_kindly_and_yes_escalates(database):
    c = conversations(database)
    await begin(c, "4")
    replies = await c.receive(msg("4", "ik zie het niet meer zitten"))
    assert replies[-1].text == escalation.CHECK_QUESTION
    assert [b[1] for b in replies[-1].buttons] == ["check:y", "check:n"]
    replies = await c.receive(msg("4", "ja", payload="check:y"))
    assert replies[0].text == escalation.CRISIS_SUICIDE
    assert (await only_case(database)).priority == "urgent"


async def test_check_answered_no_goes_back_to_the_question(database):
    c = conversations(database)
    await begin(c, "5")
    await c.receive(msg("5", "ik zie het niet meer zitten"))
    replies = await c.receive(msg("5", "nee"))
    assert replies[0].text == escalation.CHECK_NO
    assert replies[-1].text == "Waar kan ik je mee helpen?"
    async with database.transaction() as s:
        assert (await s.exec(select(Case))).first() is None


async def test_risk_in_the_answer_to_the_check_question_outranks_the_answer(database):
    c = conversations(database)
    await begin(c, "15")
    await c.receive(msg("15", "ik zie het niet meer zitten"))
    replies = await c.receive(msg("15", "nee, maar " + SUICIDE))
    assert replies[0].text == escalation.CRISIS_SUICIDE
    assert (await only_case(database)).priority == "urgent"


async def test_check_while_a_case_is_open_is_asked_and_yes_raises_the_case(database):
    c = conversations(database)
    await begin(c, "16")
    await c.receive(msg("16", "/mens"))
    replies = await c.receive(msg("16", "ik zie het niet meer zitten"))
    assert replies[-1].text == escalation.CHECK_QUESTION
    await c.receive(msg("16", "ja"))
    assert (await only_case(database)).priority == "urgent"


async def test_while_a_case_is_open_messages_go_to_the_worker_and_risk_raises_it(database):
    c = conversations(database)
    await begin(c, "6")
    await c.receive(msg("6", "/mens"))
    assert (await only_case(database)).priority == "normal"
    first = await c.receive(msg("6", "1"))  # not a menu choice now: it is for the worker
    second = await c.receive(msg("6", "hallo?"))
    assert [r.text for r in first] == [escalation.RELAYED]
    assert second == []  # said once, not after every line
    await c.receive(msg("6", SUICIDE))
    case = await only_case(database)
    assert case.priority == "urgent" and case.reason == "suicide"
    async with database.transaction() as s:
        resident = (await s.exec(select(Resident))).one()
        relayed = [
            e for e in await transcript_db.transcript(s, resident.id) if e.text in ("1", "hallo?")
        ]
    assert relayed and all(e.case_id == case.id for e in relayed)


async def test_typed_request_for_a_person_opens_a_case(database):
    c = conversations(database)
    replies = await c.receive(msg("7", "ik wil een mens spreken"))
    assert replies[0].text == escalation.PERSON_COMING
    assert (await only_case(database)).reason == "asked_for_person"


async def test_off_duty_says_honestly_when_a_person_answers(database):
    c = conversations(database, now=SATURDAY_NIGHT)
    await begin(c, "8")
    replies = await c.receive(msg("8", "/mens"))
    off = replies[-1].text
    assert "maandag 23 november 09:00" in off
    for number in ("112", "113", "0800-0113", "0800-2000"):
        assert number in off


@pytest.mark.parametrize(
    ("text", "day_help", "night_help"),
    [
        ("ik slaap vannacht op straat", escalation.HELP_NO_BED, escalation.HELP_NO_BED_OFF_DUTY),
        ("hij slaat me elke dag", escalation.HELP_VIOLENCE, escalation.HELP_VIOLENCE_OFF_DUTY),
    ],
)
async def test_off_duty_help_promises_no_quick_worker(database, text, day_help, night_help):
    # By day the help line says a worker is asked to help soon; at night nobody works, so the
    # line comes without that promise and the off-duty line says when a person reads it.
    day = conversations(database)
    await begin(day, "81")
    assert day_help in [r.text for r in await day.receive(msg("81", text))]
    night = conversations(database, now=SATURDAY_NIGHT)
    await begin(night, "82")
    said = [r.text for r in await night.receive(msg("82", text))]
    assert night_help in said and day_help not in said
    off = next(t for t in said if t.startswith("Er werkt nu niemand"))
    assert said.index(night_help) < said.index(off)
    assert "maandag 23 november 09:00" in off


async def test_three_times_the_same_topic_opens_a_case(database):
    start = FRIDAY_AFTERNOON - timedelta(days=5)
    for day in range(3):
        c = conversations(database, now=start + timedelta(days=day), repeat_rule=RepeatRule())
        await c.receive(msg("9", "/menu"))
        await c.receive(msg("9", "1"))
    case = await only_case(database)
    assert case.reason == "repeated_contact" and "geld: 3x" in case.detail


async def test_a_pressed_button_is_not_risk_checked_and_the_flow_gives_its_own_help(database):
    # "De deurwaarder staat voor de deur" matches the risk lists, but it is our own button.
    c = conversations(database)
    await begin(c, "11")
    replies = await c.receive(msg("11", "1"))
    label, payload = replies[-1].buttons[1]
    replies = await c.receive(msg("11", label, payload=payload))
    assert replies[0].text == "Dit is dringend."  # the flow's own text, not generic help
    case = await only_case(database)
    assert (case.reason, case.priority) == ("eviction_or_seizure", "high")


async def test_a_typed_answer_that_shows_risk_runs_the_flow_and_keeps_the_case(database):
    c = conversations(database)
    await begin(c, "12")
    await c.receive(msg("12", "1"))
    replies = await c.receive(msg("12", "De deurwaarder staat voor de deur"))
    assert replies[0].text == "Dit is dringend."
    assert (await only_case(database)).priority == "high"


async def test_urgent_text_as_an_answer_still_gets_the_crisis_lines_first(database):
    c = conversations(database)
    await begin(c, "13")
    for body in ("2", "nee"):  # opvang: no bed, then "Hoe mogen we je noemen?"
        await c.receive(msg("13", body))
    replies = await c.receive(msg("13", SUICIDE))
    assert replies[0].text == escalation.CRISIS_SUICIDE
    assert (await only_case(database)).priority == "urgent"


async def test_crisis_in_arabic_script_while_dutch_is_set_comes_in_both(database):
    c = conversations(database)
    await begin(c, "14")
    replies = await c.receive(msg("14", "بدي موت"))
    crisis = [r for r in replies if "0800-0113" in r.text]
    assert [r.language for r in crisis] == ["nl", "ar"]


async def incoming(db, chat: str) -> list[str]:
    async with db.transaction() as s:
        resident = await resident_db.find_resident(s, "telegram", chat)
        return [
            e.text for e in await transcript_db.transcript(s, resident.id) if e.direction == "in"
        ]


async def test_a_crisis_delivered_twice_opens_one_case_and_sends_its_lines_again(database):
    c = conversations(database)
    await begin(c, "15")
    update = replace(msg("15", SUICIDE), key="8001")
    first = await c.receive(update)
    assert first[0].text == escalation.CRISIS_SUICIDE
    # Delivered again: crisis lines at least once; nothing else again, and no second case.
    again = await c.receive(update)
    assert [r.text for r in again] == [escalation.CRISIS_SUICIDE]
    assert await incoming(database, "15") == ["hallo", "Nederlands", SUICIDE]
    crisis_rows = [r for r in await outbox(database) if r.priority == 0]
    assert [r.text for r in crisis_rows] == [escalation.CRISIS_SUICIDE] * 2
    case = await only_case(database)
    assert (case.priority, case.reason) == ("urgent", "suicide")


async def test_a_held_crisis_delivered_again_does_not_lose_its_crisis_lines(database):
    """The lines went out directly while storage was down, and the held message was stored
    (bot/channels/holding.py); the process died before Telegram heard the update was taken, so it
    comes again. Whether the direct send got through is unknown: the lines are queued."""
    c = conversations(database)
    await begin(c, "16")
    update = replace(msg("16", SUICIDE), key="8002")
    await c.receive(replace(update, crisis_sent=True))  # stored after the outage
    assert not [r for r in await outbox(database) if r.priority == 0]
    again = await c.receive(update)
    assert [r.text for r in again] == [escalation.CRISIS_SUICIDE]
    assert [r.text for r in await outbox(database) if r.priority == 0] == [again[0].text]
    assert await incoming(database, "16") == ["hallo", "Nederlands", SUICIDE]
    assert (await only_case(database)).priority == "urgent"
    # A held message handed over twice (after a restart) sent its lines itself: nothing more.
    assert await c.receive(replace(update, crisis_sent=True)) == []
    assert len([r for r in await outbox(database) if r.priority == 0]) == 1


async def test_crisis_reply_comes_even_when_the_database_is_down(tmp_path: Path):
    broken = Database(f"sqlite:///{tmp_path}")  # a folder, not a database file
    c = conversations(broken)
    with pytest.raises(DeliverDirectly) as caught:
        await c.receive(Inbound("telegram", "10", text="بدي موت"))
    assert caught.value.replies[0].language in ("ar", "en", "nl")
    assert "0800-0113" in caught.value.replies[0].text
    with pytest.raises(Exception) as other:  # a harmless message: the channel retries later
        await begin(c, "10")
    assert not isinstance(other.value, DeliverDirectly)
    await broken.dispose()


async def test_the_app_builds_conversations_with_risk_from_config(tmp_path: Path):
    config = Config(database_url=f"sqlite:///{tmp_path / 'x.db'}", flows_dir=ROOT / "flows")
    db = Database(config.database_url)
    built = Conversations.from_config(db, config)
    assert built.risk is not None and built.assess(SUICIDE).level == "urgent"
    await db.dispose()


async def test_the_case_names_the_residents_words_never_the_lists_pattern(database):
    """The lists hold patterns (`wil + niet meer leven`, `deurwaarder*`); the worker reads the
    words the resident typed that matched (issue 18)."""
    c = conversations(database)
    await begin(c, "1")
    await c.receive(msg("1", "Ik WIL gewoon niet meer leven"))
    case = await only_case(database)
    assert case.reason == "suicide"
    assert case.detail == "WIL gewoon niet meer leven"
    assert "+" not in case.detail and "*" not in case.detail


class CountingRouter(Router):
    """The real router over the test flows, counting the messages it is asked to route."""

    def __init__(self) -> None:
        real = load_router(FLOWS, Catalogs.load(ROOT / "locales").aliases)
        super().__init__(real.flows, real.aliases, real.intents, real.heads)
        self.routed: list[str] = []

    def route(self, text: str):
        self.routed.append(text)
        return super().route(text)


async def test_at_the_menu_risk_and_person_requests_are_not_routed(database):
    # Risk and a request for a person win over the router's guess at the menu: it is not
    # even asked for them (issue 17). An ordinary typed message is.
    router = CountingRouter()
    c = conversations(database, router=router)
    for chat in ("20", "21", "22"):
        await begin(c, chat)  # its "hallo" is routed: a greeting
    router.routed.clear()
    replies = await c.receive(msg("20", SUICIDE))
    assert replies[0].text == escalation.CRISIS_SUICIDE
    replies = await c.receive(msg("21", "ik wil een mens spreken"))
    assert replies[0].text == escalation.PERSON_COMING
    assert router.routed == []
    await c.receive(msg("22", "ik heb schulden"))
    assert router.routed == ["ik heb schulden"]
