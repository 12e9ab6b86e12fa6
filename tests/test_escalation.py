"""The pure escalation decisions: what each risk level does, typed requests for a person,
repeated contact and office hours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot import escalation as e
from bot.escalation import Contact, OfficeHours, RepeatRule

NOW = datetime(2026, 11, 20, 15, tzinfo=UTC)  # a Friday, 16:00 in Amsterdam


def test_urgent_suicide_gets_the_crisis_lines_first_and_an_urgent_case():
    d = e.on_risk("urgent", ["suicide"], ["alle pillen", "alle pillen"])
    assert d.crisis and d.priority == "urgent" and d.reason == "suicide"
    assert d.say == (e.CRISIS_SUICIDE,)
    assert d.detail == "alle pillen"
    for number in ("112", "113", "0800-0113", "113.nl"):  # FACTS.md, Help lines
        assert number in e.CRISIS_SUICIDE


def test_urgent_violence_gets_veilig_thuis_and_112():
    d = e.on_risk("urgent", ["violence"], ["hij slaat me"])
    assert d.say == (e.CRISIS_VIOLENCE,) and d.priority == "urgent"
    assert "0800-2000" in e.CRISIS_VIOLENCE and "112" in e.CRISIS_VIOLENCE


def test_suicide_and_violence_together_get_both_lines():
    d = e.on_risk("urgent", ["violence", "suicide"], ["x"])
    assert d.say == (e.CRISIS_VIOLENCE, e.CRISIS_SUICIDE)


@pytest.mark.parametrize(
    ("category", "text"),
    [
        ("no_bed", e.HELP_NO_BED),
        ("eviction", e.HELP_MONEY),
        ("cutoff", e.HELP_CUTOFF),
        ("acute_debt", e.HELP_MONEY),
        ("violence", e.HELP_VIOLENCE),
    ],
)
def test_high_opens_a_high_case_with_the_relevant_help(category, text):
    d = e.on_risk("high", [category], ["p"])
    assert (d.priority, d.crisis, d.say, d.reason) == ("high", False, (text,), category)


def test_check_asks_directly_and_none_does_nothing():
    d = e.on_risk("check", ["suicide"], ["zie het niet meer zitten"])
    assert d.ask_check and not d.opens_case and d.say == (e.CHECK_QUESTION,)
    assert e.on_risk("none", [], []) == e.NOTHING


@pytest.mark.parametrize(
    "text",
    [
        "Ik wil een mens spreken",
        "ik wil met iemand praten!",
        "Can I talk to a human please",
        "أريد التحدث مع شخص",
        "بدي احكي مع حدا",
        "ምስ ሰብ ክዛረብ እደሊ",
        "IK WIL EEN MENS",
    ],
)
def test_asking_for_a_person_in_four_languages(text):
    assert e.asks_for_person(text)


@pytest.mark.parametrize(
    "text", ["ik ben ook maar een mens", "mensen zijn aardig", "human rights", ""]
)
def test_not_every_mention_of_people_is_a_request(text):
    assert not e.asks_for_person(text)


def contact(kind: str, topic: str, days_ago: float) -> Contact:
    return Contact(kind, topic, NOW - timedelta(days=days_ago))


def test_three_times_the_same_topic_within_14_days_opens_a_case():
    history = [contact("topic", "geld", d) for d in (13, 5, 0)]
    d = e.repeated(history, RepeatRule(), NOW)
    assert d.priority == "normal" and d.reason == "repeated_contact" and "geld: 3x" in d.detail


def test_contacts_spread_out_or_on_other_topics_do_not():
    assert (
        e.repeated([contact("topic", "geld", d) for d in (20, 5, 0)], RepeatRule(), NOW)
        == e.NOTHING
    )
    mixed = [contact("topic", t, 0) for t in ("geld", "opvang", "toeslagen")]
    assert e.repeated(mixed, RepeatRule(), NOW) == e.NOTHING


def test_twice_this_did_not_help_opens_a_case():
    history = [contact("not_helped", "geld", 3), contact("not_helped", "toeslagen", 0)]
    assert e.repeated(history, RepeatRule(), NOW).reason == "not_helped_repeatedly"
    assert e.repeated(history[:1], RepeatRule(), NOW) == e.NOTHING


def test_the_rule_is_configurable():
    history = [contact("topic", "geld", d) for d in (1, 0)]
    assert e.repeated(history, RepeatRule(times=2, days=3), NOW).opens_case


def amsterdam(y, mo, d, h, mi=0) -> datetime:
    from zoneinfo import ZoneInfo

    return datetime(y, mo, d, h, mi, tzinfo=ZoneInfo("Europe/Amsterdam"))


def test_office_hours():
    hours = OfficeHours.parse("ma-vr 09:00-17:00")
    assert hours.on_duty(amsterdam(2026, 11, 20, 16, 59))
    assert not hours.on_duty(amsterdam(2026, 11, 20, 17, 0))
    assert hours.next_start(amsterdam(2026, 11, 20, 17, 30)) == amsterdam(2026, 11, 23, 9)
    assert hours.next_start(amsterdam(2026, 11, 23, 7)) == amsterdam(2026, 11, 23, 9)
    # Summer time: 09:00 in Amsterdam is 07:00 UTC.
    assert hours.on_duty(datetime(2026, 7, 1, 7, 0, tzinfo=UTC))
    assert OfficeHours.parse("altijd").on_duty(amsterdam(2026, 11, 22, 3))
    assert OfficeHours.parse("ma,wo 10:00-12:00").on_duty(amsterdam(2026, 11, 25, 11))


def test_office_hours_typo_says_how_to_write_it():
    with pytest.raises(ValueError, match="ma-vr 09:00-17:00"):
        OfficeHours.parse("maandag tot vrijdag")
