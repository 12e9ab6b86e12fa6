"""The engine's behaviour, step by step: what each input does to state and events."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.engine import (
    MENU,
    Env,
    Error,
    Escalate,
    FlowEnded,
    Press,
    Saved,
    Say,
    State,
    Text,
    WaitForInput,
    load,
    resume,
    start,
    texts,
)
from bot.engine.model import FlowSet, Node
from bot.engine.runtime import MAX_STEPS

HERE = Path(__file__).parent
FLOWS = load(HERE / "runtime_flows")
NOW = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)


def env(**aliases: list[str]) -> Env:
    return Env(now=lambda: NOW, aliases=lambda msgid, ctx: aliases.get(msgid, []))


def says(events) -> list[str]:
    return [e.msgid for e in events if isinstance(e, Say)]


def last_say(events) -> Say:
    return [e for e in events if isinstance(e, Say)][-1]


def walk(*inputs, e: Env | None = None, state: State | None = None):
    """Start (greeting + menu) and feed inputs; returns final state and the last events."""
    e = e or env()
    st, events = start(FLOWS, state, env=e)
    for item in inputs:
        st, events = resume(FLOWS, st, Text(item) if isinstance(item, str) else item, env=e)
    return st, events


def press(state: State, label: str, events) -> Press:
    """The payload of the button with `label` on the last message with buttons."""
    for say in reversed([e for e in events if isinstance(e, Say) and e.buttons]):
        for b in say.buttons:
            if b.msgid == label:
                return Press(b.payload)
    raise AssertionError(f"no button {label!r}")


def test_first_contact_says_it_is_a_bot_and_offers_a_person():
    state, events = start(FLOWS, env=env())
    assert says(events)[0] == texts.GREETING
    assert "geen mens" in texts.GREETING and "/mens" in texts.GREETING
    menu = last_say(events)
    assert [b.msgid for b in menu.buttons] == [
        "Geldzorgen en schulden",
        "Een slaapplek",
        texts.HUMAN_BUTTON,
    ]
    assert events[-1] == WaitForInput(MENU, "menu", "options")
    assert state.flow == MENU


def test_a_resident_may_press_type_the_label_or_type_the_number():
    e = env()
    st, events = start(FLOWS, env=e)
    by_button = resume(FLOWS, st, press(st, "Geldzorgen en schulden", events), env=e)
    by_label = resume(FLOWS, st, Text("  GELDZORGEN en schulden! "), env=e)
    by_number = resume(FLOWS, st, Text("1"), env=e)
    for new_state, new_events in (by_button, by_label, by_number):
        assert (new_state.flow, new_state.node) == ("geld", "situation")
        assert says(new_events) == ["Wat speelt er?"]


def test_accents_and_case_are_ignored_and_translations_count():
    e = env(**{"Één vraag over de energie": ["سؤال عن الطاقة"]})
    st, _ = walk("1", e=e)
    assert resume(FLOWS, st, Text("een VRAAG over de energie"), env=e)[0].node == "energy"
    assert resume(FLOWS, st, Text("سؤال عن الطاقة"), env=e)[0].node == "energy"
    assert resume(FLOWS, st, Text("٣"), env=e)[0].node == "energy"  # Arabic-Indic 3


@pytest.mark.parametrize(
    ("typed", "lands_at"),
    [
        ("achterstanden", "amount"),  # unique word: picked
        ("ENERGIE", "energy"),
        ("de", "situation"),  # in several labels: not a choice, asked again
        ("over deur", "situation"),  # words from two labels: no choice
    ],
)
def test_a_word_that_stands_in_one_label_only_picks_it(typed, lands_at):
    st, _ = walk("1", typed)
    assert st.node == lands_at


def test_option_value_is_saved():
    st, events = walk("1", "3")
    assert st.vars["topic"] == "energie"
    assert Saved("geld", "situation", "topic", "energie") in events
    st, _ = walk("1", "1")
    assert st.vars["topic"] == "Ik heb achterstanden"


def test_number_input_switch_and_goto_into_another_flow():
    st, events = walk("1", "1", "€ 7.500")
    assert st.vars["debt_total"] == 7500
    assert says(events) == [
        "Bij {debt_total} euro kan de gemeente helpen.",
        "Heb je vannacht een slaapplek?",
    ]
    assert all(e.params["debt_total"] == 7500 for e in events if isinstance(e, Say))
    assert (st.flow, st.node) == ("opvang", "vannacht")


def test_switch_else_and_end():
    st, events = walk("1", "1", "1200")
    assert says(events)[0] == "Je kunt het zelf oplossen."
    assert FlowEnded("geld", "end") in events
    assert st.idle and st.vars["debt_total"] == 1200
    assert says(events)[-1] == texts.END_HINT


def test_escalate_node_opens_a_case_and_ends_the_flow():
    st, events = walk("1", "De deurwaarder staat voor de deur")
    assert Escalate("eviction_or_seizure", "high", "geld", "bailiff") in events
    assert FlowEnded("geld", "escalated") in events
    assert st.idle


def test_escalate_with_next_goes_on():
    st, events = walk("2", "nee")
    assert Escalate("no_bed", "high", "opvang", "geen_bed") in events
    assert (st.flow, st.node) == ("opvang", "naam")
    st, events = resume(FLOWS, st, Text("Samira"), env=env())
    assert says(events)[0] == "Dank je, {naam}." and st.vars["naam"] == "Samira"


def test_yes_no_has_buttons_and_accepts_them():
    e = env()
    st, events = walk("2", e=e)
    question = last_say(events)
    assert [b.msgid for b in question.buttons] == [texts.YES, texts.NO]
    st, _ = resume(FLOWS, st, Press(question.buttons[0].payload), env=e)
    assert st.vars["heeft_bed"] is True


@pytest.mark.parametrize(
    ("answers", "node", "saved"),
    [
        (["21-11-2026", "1234 ab"], "done", {"cutoff_date": "2026-11-21", "pc": "1234AB"}),
        (["morgen", "9999XX"], "done", {"cutoff_date": "2026-11-22", "pc": "9999XX"}),
    ],
)
def test_date_and_postcode_inputs(answers, node, saved):
    st, events = walk("1", "3", *answers)
    for name, value in saved.items():
        assert st.vars[name] == value
    assert FlowEnded("geld", "end") in events


def test_invalid_answer_is_asked_again_with_an_explanation_then_a_person_is_offered():
    e = env()
    st, events = walk("1", "1", e=e)
    for attempt in (1, 2):
        st, events = resume(FLOWS, st, Text("veel"), env=e)
        assert st.tries == attempt and st.node == "amount"
        assert says(events)[0] != texts.OFFER_HUMAN
        assert says(events)[-1] == "Hoeveel schuld heb je ongeveer, in euro?"
        assert events[-1] == WaitForInput("geld", "amount", "number")
    st, events = resume(FLOWS, st, Text("heel veel"), env=e)
    assert says(events)[0] == texts.OFFER_HUMAN
    assert st.node == "amount"  # still answerable
    st, _ = resume(FLOWS, st, Text("300"), env=e)
    assert st.vars["debt_total"] == 300 and st.tries == 0


def test_unknown_option_text_is_asked_again():
    st, events = walk("1", "iets heel anders")
    assert says(events) == [texts.NOT_UNDERSTOOD, "Wat speelt er?"]
    assert st.node == "situation" and st.tries == 1
    st, events = walk("1", "9")  # a number that is not a button
    assert says(events)[0] == texts.NOT_UNDERSTOOD


def test_stale_and_forged_buttons_do_not_act():
    e = env()
    st, menu_events = start(FLOWS, env=e)
    old = press(st, "Geldzorgen en schulden", menu_events)
    st, _ = resume(FLOWS, st, Text("1"), env=e)  # now in geld.situation
    for forged in (
        old,
        Press("zzz:1"),
        Press("::"),
        Press(st.wait + ":99"),
        Press(""),
        Press("x" * 500),
    ):
        new_state, events = resume(FLOWS, st, forged, env=e)
        assert new_state.node == "situation"
        assert says(events) == [texts.STALE_BUTTON, "Wat speelt er?"]


@pytest.mark.parametrize("command", ["/menu", "/MENU", "/menu@BuurtBot", "/start"])
def test_menu_and_start_work_in_every_state(command):
    st, _ = walk("1", "1")
    st, events = resume(FLOWS, st, Text(command), env=env())
    assert st.flow == MENU
    assert says(events)[-1] == texts.MENU_ASK
    if command == "/start":
        assert says(events)[0] == texts.GREETING and not st.vars
    else:
        assert FlowEnded("geld", "restarted") in events


def test_help_repeats_the_open_question():
    st, events = walk("1", "/hulp")
    assert says(events) == [texts.HELP, "Wat speelt er?"]
    assert st.node == "situation"


def test_human_opens_a_case_from_anywhere():
    for inputs in ([], ["1"], ["1", "1"]):
        st, events = walk(*inputs, "/mens")
        assert any(isinstance(e, Escalate) and e.reason == "asked_for_person" for e in events)
        assert st.idle


def test_the_human_button_is_under_every_question_with_options():
    _, events = walk("1")
    assert last_say(events).buttons[-1].msgid == texts.HUMAN_BUTTON
    st, events = walk("1")
    st, events = resume(FLOWS, st, press(st, texts.HUMAN_BUTTON, events), env=env())
    assert any(isinstance(e, Escalate) for e in events)


def test_stop_forgets_the_answers():
    st, events = walk("1", "1", "200", "/stop")
    assert st.idle and not st.vars
    assert says(events) == [texts.STOPPED]


def test_unknown_command():
    _st, events = walk("1", "/foo")
    assert says(events) == [texts.UNKNOWN_COMMAND, "Wat speelt er?"]


def test_idle_text_shows_the_menu_or_starts_a_flow_by_its_title():
    st, _ = walk("1", "1", "100")  # ended
    assert st.idle
    st2, events = resume(FLOWS, st, Text("hallo"), env=env())
    assert st2.flow == MENU and texts.GREETING not in says(events)
    st3, _ = resume(FLOWS, st, Text("een slaapplek"), env=env())
    assert st3.flow == "opvang"
    st4, _ = resume(FLOWS, st, Text("1"), env=env())  # a bare number is not a choice when idle
    assert st4.flow == MENU


def test_state_pointing_at_a_removed_node_restarts_kindly():
    broken = State(flow="geld", node="weg", wait="a")
    st, events = resume(FLOWS, broken, Text("hallo"), env=env())
    assert any(isinstance(e, Error) and e.code == "missing_node" for e in events)
    assert says(events)[0] == texts.SOMETHING_WRONG and st.flow == MENU


def test_expression_error_at_run_time_is_an_error_event_and_the_else_applies():
    st = State(flow="geld", node="amount", wait="w", vars={"debt_total": "veel"})
    # A string where a number is compared: the author's if fails, else is taken.
    from bot.engine.runtime import _run

    _st2, events = _run(FLOWS, st, "geld", "route", [], env())
    assert any(isinstance(e, Error) and e.code == "expression" for e in events)
    assert says(events)[0] == "Je kunt het zelf oplossen."


def test_a_runaway_ends_with_a_failure_event():
    # The loader rejects loops without a question; build one by hand to test the cap.
    nodes = {"a": Node("a", "loop", say="a", next="b"), "b": Node("b", "loop", say="b", next="a")}
    from bot.engine.model import Flow

    spin = FlowSet({"loop": Flow("loop", "Loop", "a", nodes)})
    st, events = start(spin, flow="loop", env=env())
    errors = [e for e in events if isinstance(e, Error)]
    assert errors and errors[0].code == "runaway" and errors[0].fatal
    assert FlowEnded("loop", "failed") in events
    assert len(says(events)) == MAX_STEPS + 1 and st.idle


def test_state_round_trips_as_plain_data():
    st, _ = walk("1", "1", "7500")
    assert State.from_dict(st.to_dict()) == st
    assert State.from_dict(None) == State()


def test_same_inputs_same_events():
    a = walk("1", "1", "7500", "nee", e=env())
    b = walk("1", "1", "7500", "nee", e=env())
    assert a == b


# --- golden transcripts ----------------------------------------------------------------------

GOLDEN = {
    "debt_high_amount": ["1", "1", "€ 7.500", "nee", "Samira"],
    "typed_mistakes_then_person": ["geld", "1", "veel", "heel veel", "tja", "/mens"],
    "bailiff_escalates": ["Geldzorgen en schulden", "2"],
    "stale_button_and_help": [
        "1",
        Press("old:1"),
        "/hulp",
        "3",
        "31-02-2026",
        "1-3",
        "12345",
        "1234 AB",
    ],
}


def _transcript(inputs) -> str:
    e = env()
    st, events = start(FLOWS, env=e)
    lines = [f"= {ev!r}" for ev in events]
    for item in inputs:
        received = item if isinstance(item, Press) else Text(item)
        st, events = resume(FLOWS, st, received, env=e)
        lines.append(f"> {received!r}")
        lines += [f"= {ev!r}" for ev in events]
        lines.append(f"~ {st.to_dict()!r}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_golden_transcript(name):
    """Whole conversations against recorded transcripts. After an intended change, rewrite them
    with BUURTBOT_UPDATE_GOLDEN=1 and read the diff."""
    path = HERE / "golden" / f"{name}.txt"
    actual = _transcript(GOLDEN[name])
    if os.environ.get("BUURTBOT_UPDATE_GOLDEN") == "1":
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"no golden file {path}; run with BUURTBOT_UPDATE_GOLDEN=1 once"
    assert actual == path.read_text(encoding="utf-8")
