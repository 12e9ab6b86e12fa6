"""Edges of the escalation decisions that mutation testing found unguarded (docs/mutation.md):
what each decision says and opens, the 14-day boundary of repeated contact, what the resident
is told when a repeated contact or "this did not help" opens a case, and office hours."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot import escalation as e
from bot.conversation import Conversations
from bot.engine import load as load_flows
from bot.escalation import Contact, OfficeHours, RepeatRule
from bot.i18n import Catalogs
from tests.test_conversation_risk import (
    FRIDAY_AFTERNOON,
    RISK,
    ROOT,
    SATURDAY_NIGHT,
    conversations,
    msg,
    only_case,
)

NOW = datetime(2026, 11, 20, 15, tzinfo=UTC)  # a Friday, 16:00 in Amsterdam


def contact(kind: str, topic: str, age: timedelta) -> Contact:
    return Contact(kind, topic, NOW - age)


def amsterdam(y: int, mo: int, d: int, h: int, mi: int = 0, s: int = 0, us: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, us, tzinfo=ZoneInfo("Europe/Amsterdam"))


# --- on_risk: what is said, what is opened, what the worker reads -------------------------


def test_every_level_shows_the_worker_each_matched_phrase_once() -> None:
    matched = ["alle pillen", "ik wil dood", "alle pillen"]
    for level in ("urgent", "high", "check"):
        assert e.on_risk(level, ["suicide"], matched).detail == "alle pillen, ik wil dood"


@pytest.mark.parametrize("category", ["no_bed", "eviction", "cutoff", "acute_debt"])
def test_urgent_without_a_crisis_line_of_its_own_gets_112_and_a_person(category: str) -> None:
    d = e.on_risk("urgent", [category], ["p"])
    assert d.say == (e.CRISIS_OTHER,)
    assert (d.crisis, d.priority, d.reason) == (True, "urgent", category)


def test_urgent_with_no_category_still_gets_112_and_an_empty_reason() -> None:
    d = e.on_risk("urgent", [], ["p"])
    assert (d.say, d.priority, d.reason) == ((e.CRISIS_OTHER,), "urgent", "")


def test_check_keeps_the_category_and_phrase_for_the_case_a_yes_opens() -> None:
    d = e.on_risk("check", ["suicide"], ["ik zie het niet meer zitten"])
    assert (d.reason, d.detail) == ("suicide", "ik zie het niet meer zitten")
    assert not d.opens_case


# --- repeated contact ----------------------------------------------------------------------


def test_a_contact_exactly_14_days_old_still_counts() -> None:
    days = timedelta(days=1)
    history = [contact("topic", "geld", age) for age in (14 * days, 5 * days, timedelta(0))]
    d = e.repeated(history, RepeatRule(), NOW)
    assert (d.priority, d.reason, d.detail) == ("normal", "repeated_contact", "geld: 3x in 14 days")
    older = [contact("topic", "geld", 14 * days + timedelta(seconds=1)), *history[1:]]
    assert e.repeated(older, RepeatRule(), NOW) == e.NOTHING


def test_twice_did_not_help_opens_a_normal_case_and_says_a_person_comes() -> None:
    history = [
        contact("not_helped", "geld", timedelta(days=14)),
        contact("not_helped", "toeslagen", timedelta(0)),
    ]
    d = e.repeated(history, RepeatRule(), NOW)
    assert d.opens_case
    assert (d.say, d.priority, d.reason) == ((e.PERSON_COMING,), "normal", "not_helped_repeatedly")


def test_a_repeated_topic_says_a_person_comes() -> None:
    history = [contact("topic", "geld", timedelta(days=d)) for d in (2, 1, 0)]
    assert e.repeated(history, RepeatRule(), NOW).say == (e.PERSON_COMING,)


# --- what the resident is told (the conversation path, real database) ---------------------


async def test_a_repeated_topic_tells_the_resident_a_person_comes(database) -> None:
    start = FRIDAY_AFTERNOON - timedelta(days=2)
    told = []
    for day in range(3):
        c = conversations(database, now=start + timedelta(days=day), repeat_rule=RepeatRule())
        await c.receive(msg("21", "/menu"))
        told.append([r.text for r in await c.receive(msg("21", "1"))])
    assert all(e.PERSON_COMING not in texts for texts in told[:2])
    assert e.PERSON_COMING in told[2]
    assert (await only_case(database)).priority == "normal"


async def test_off_duty_a_repeated_topic_also_says_when_a_person_reads_it(database) -> None:
    start = SATURDAY_NIGHT - timedelta(days=2)
    for day in range(3):
        c = conversations(database, now=start + timedelta(days=day), repeat_rule=RepeatRule())
        await c.receive(msg("22", "/menu"))
        replies = [r.text for r in await c.receive(msg("22", "1"))]
    assert e.PERSON_COMING in replies
    assert any("112" in text and "0800-0113" in text for text in replies)  # OFF_DUTY


HELPED_FLOW = """\
flow: hulp
title: Hulp
menu: 1
start: vraag
nodes:
  vraag:
    ask: Heb je hier iets aan gehad?
    save: geholpen
    options:
      - label: Ja
        value: ja
        next: einde
      - label: Nee
        value: nee
        next: einde
  einde:
    say: Dank je.
    end: true
"""


async def test_twice_did_not_help_opens_a_case_and_tells_the_resident(database, tmp_path) -> None:
    (tmp_path / "hulp.yaml").write_text(HELPED_FLOW, encoding="utf-8")
    flows = load_flows(tmp_path)
    # Two topics, so only "did not help" can open the case (a topic needs three starts).
    c = Conversations(
        database,
        flows,
        Catalogs.load(ROOT / "locales"),
        risk=RISK,
        office=OfficeHours.parse("ma-vr 09:00-17:00"),
        clock=lambda: FRIDAY_AFTERNOON,
    )
    told = []
    for _ in range(2):
        await c.receive(msg("23", "/menu"))
        await c.receive(msg("23", "1"))
        told.append([r.text for r in await c.receive(msg("23", "Nee"))])
    assert e.PERSON_COMING not in told[0]
    assert e.PERSON_COMING in told[1]
    case = await only_case(database)
    assert (case.priority, case.reason) == ("normal", "not_helped_repeatedly")


# --- office hours --------------------------------------------------------------------------


@pytest.mark.parametrize("spec", ["altijd", "always", "24/7", " Always "])
def test_always_on_duty_from_midnight_to_the_last_minute(spec: str) -> None:
    hours = OfficeHours.parse(spec)
    for moment in (amsterdam(2026, 11, 22, 0, 30), amsterdam(2026, 11, 22, 23, 59, 30)):
        assert hours.on_duty(moment), moment


def test_the_zone_is_kept() -> None:
    assert OfficeHours.parse("altijd", zone="UTC").zone == "UTC"
    hours = OfficeHours.parse("ma-vr 09:00-17:00", zone="UTC")
    assert hours.zone == "UTC"
    assert hours.on_duty(datetime(2026, 11, 20, 16, 30, tzinfo=UTC))  # 17:30 in Amsterdam


def test_a_day_range_starts_at_its_first_day() -> None:
    hours = OfficeHours.parse("wo-vr 09:00-17:00")
    assert not hours.on_duty(amsterdam(2026, 11, 23, 10))  # Monday
    assert not hours.on_duty(amsterdam(2026, 11, 24, 10))  # Tuesday
    assert hours.on_duty(amsterdam(2026, 11, 25, 10))  # Wednesday


def test_a_typo_lists_the_day_names() -> None:
    with pytest.raises(ValueError, match="days: ma, di, wo, do, vr, za, zo"):
        OfficeHours.parse("maandag 09:00-17:00")


def test_a_day_range_may_wrap_over_the_weekend() -> None:
    hours = OfficeHours.parse("vr-ma 09:00-17:00")
    assert hours.days == frozenset({4, 5, 6, 0})
    assert hours.on_duty(amsterdam(2026, 11, 22, 10))  # Sunday
    assert not hours.on_duty(amsterdam(2026, 11, 24, 10))  # Tuesday
    assert hours.next_start(amsterdam(2026, 11, 24, 18)) == amsterdam(2026, 11, 27, 9)


@pytest.mark.parametrize(
    ("spec", "says"),
    [
        ("ma-vr 09:00-17:00-18:00", "write e.g."),
        ("ma-vr 0900", "write e.g."),
        ("ma-vr 17:00-09:00", "not after the start"),
        ("ma-vr 09:00-09:00", "not after the start"),
    ],
)
def test_malformed_or_reversed_hours_are_refused_with_an_example(spec: str, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        OfficeHours.parse(spec)


def test_always_includes_the_last_second_of_the_day() -> None:
    hours = OfficeHours.parse("altijd")
    assert hours.on_duty(amsterdam(2026, 11, 22, 23, 59, 59, 999999))


def test_hours_without_a_working_day_say_so() -> None:
    hours = OfficeHours(frozenset(), time(9), time(17))
    with pytest.raises(ValueError, match=r"^office hours have no working day$"):
        hours.next_start(amsterdam(2026, 11, 20, 18))


def test_the_next_start_is_counted_in_the_offices_own_days() -> None:
    # Tuesday 00:30 in Amsterdam is still Monday in UTC; today's 00:15 has passed, so the next
    # start is a week later.
    hours = OfficeHours.parse("di 00:15-00:20")
    now = datetime(2026, 11, 23, 23, 30, tzinfo=UTC)
    assert hours.next_start(now) == amsterdam(2026, 12, 1, 0, 15)
