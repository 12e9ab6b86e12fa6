"""Typed messages in the conversation (issue 17), through the engine with the shipped flows,
catalogs and router, and through `Conversations` with a real database."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import select

from bot.conversation import Conversations, Inbound
from bot.engine import (
    Env,
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
from bot.engine.events import Msg
from bot.engine.typed import Understood, choices_to
from bot.i18n import Catalogs
from bot.understanding.route import load_router
from storage.cases import Case

ROOT = Path(__file__).resolve().parents[2]
FLOWS = load(ROOT / "flows")
CATALOGS = Catalogs.load(ROOT / "locales")
ROUTER = load_router(FLOWS, CATALOGS.aliases)
NOW = datetime(2026, 11, 21, 10, tzinfo=UTC)


def env() -> Env:
    return ROUTER.env(Env(now=lambda: NOW))


def at_menu() -> tuple[State, Env]:
    e = env()
    state, _ = start(FLOWS, env=e)
    return state, e


def typed(state: State, e: Env, *texts_: str) -> tuple[State, list]:
    events: list = []
    for t in texts_:
        state, events = resume(FLOWS, state, Text(t), env=e)
    return state, events


def asked(events: list) -> list[str]:
    return [e.msgid for e in events if isinstance(e, Say)]


def test_a_topic_starts_its_flow_at_the_node_it_points_at_and_says_so() -> None:
    state, e = at_menu()
    state, events = typed(state, e, "ik kreeg een brief van de gemeente over geld")
    said = [e for e in events if isinstance(e, Say)]
    assert said[0].msgid == texts.UNDERSTOOD
    assert said[0].params["topic"] == Msg("Geldzorgen en schulden", "geld.title")
    # The first question ("Wat speelt er?") is answered for the resident, not asked.
    assert (state.flow, state.node) == ("geld", "brief_vraag")
    assert "Wat speelt er?" not in asked(events)
    assert CATALOGS.render(said[0], "en").text.startswith("Your question is about: Money")


def test_a_clear_topic_with_an_unclear_node_starts_the_flow() -> None:
    state, e = at_menu()
    state, events = typed(state, e, "toeslagen")
    assert (state.flow, state.node) == ("toeslagen", "onderwerp")
    assert asked(events)[-1] == "Waar gaat je vraag over?"


def test_terug_undoes_a_wrong_guess_and_works_in_every_state() -> None:
    state, e = at_menu()
    state, _ = typed(state, e, "slaapplek")
    assert state.flow == "opvang"
    state, events = typed(state, e, "terug")
    assert FlowEnded("opvang", "restarted") in events
    assert asked(events)[-1] == texts.MENU_ASK
    for word, said in (("help", texts.HELP), ("ارجع", texts.MENU_ASK), ("stop", texts.STOPPED)):
        state, e2 = at_menu()
        state, _ = typed(state, e2, "toeslagen")
        _, events = typed(state, e2, word)
        assert said in asked(events)


def test_a_greeting_is_greeted_back_with_the_menu_and_thanks_are_answered() -> None:
    state, e = at_menu()
    _, events = typed(state, e, "goedemorgen")
    assert asked(events) == [texts.GREETING, texts.MENU_ASK]
    _, events = typed(state, e, "شكرا جزيلا")
    assert asked(events) == [texts.THANKS_BACK, texts.MENU_ASK]


def test_a_call_back_at_the_menu_escalates_with_its_reason_and_the_words() -> None:
    state, e = at_menu()
    _, events = typed(state, e, "3ayto liya 3afakom")
    (escalate,) = [x for x in events if isinstance(x, Escalate)]
    assert (escalate.reason, escalate.detail) == ("asked_for_callback", "3ayto liya 3afakom")


def test_an_answer_in_other_words_is_understood() -> None:
    state, e = at_menu()
    state, _ = typed(state, e, "1")  # toeslagen: "Waar gaat je vraag over?"
    state, _ = typed(state, e, "huurtoeslag")
    assert (state.flow, state.node) == ("toeslagen", "huur_vraag")
    state, _ = typed(state, e, "ايوه")  # yes, in Arabic, to "Huur je een huis of een kamer?"
    assert state.vars["toeslag_huurt"] == "ja"


def test_two_answers_that_fit_are_asked_about_with_their_buttons() -> None:
    state, e = at_menu()
    state, _ = typed(state, e, "1")
    before = state
    state, events = typed(state, e, "aanvragen of wijziging")
    assert state == before  # still the same question, its buttons still valid
    (which,) = [x for x in events if isinstance(x, Say)]
    assert which.msgid == texts.WHICH_ONE
    assert [b.msgid for b in which.buttons] == [
        "Een toeslag aanvragen",
        "Er verandert iets bij mij",
    ]
    state, _ = resume(FLOWS, state, Press(which.buttons[0].payload), env=e)
    assert (state.flow, state.node) == ("toeslagen", "digid")


async def test_a_call_back_request_opens_a_case_that_says_so(database) -> None:
    c = Conversations(database, FLOWS, CATALOGS, clock=lambda: NOW)
    await c.receive(Inbound("telegram", "31", text="hallo"))
    await c.receive(Inbound("telegram", "31", text="Nederlands", payload="lang:nl"))
    await c.receive(Inbound("telegram", "31", text="ik heb schulden, kan iemand mij bellen?"))
    async with database.transaction() as s:
        case = (await s.exec(select(Case))).one()
    assert (case.reason, case.priority) == ("asked_for_callback", "normal")


async def test_a_first_message_with_a_topic_starts_the_flow(database) -> None:
    c = Conversations(database, FLOWS, CATALOGS, clock=lambda: NOW)
    replies = await c.receive(Inbound("telegram", "32", text="ik heb een vraag over zorgtoeslag"))
    assert any("Toeslagen" in r.text for r in replies)


def test_entering_at_a_node_answers_and_saves_the_questions_on_the_way() -> None:
    def route(text: str) -> Understood:
        return Understood(text, "topic", "opvang", "vannacht_zoeken")

    e = Env(now=lambda: NOW, route=route)
    state, _ = start(FLOWS, env=e)
    state, events = resume(FLOWS, state, Text("geen bed vannacht"), env=e)
    assert Saved("opvang", "wanneer", "opvang_wanneer", "vannacht") in events
    assert state.vars["opvang_wanneer"] == "vannacht"
    answered = choices_to(FLOWS.flows["opvang"], "vannacht_zoeken")
    assert answered and "wanneer" in answered
    waits = [x.node for x in events if isinstance(x, WaitForInput)]
    assert not set(waits) & set(answered)  # the answered questions were not asked
    assert "Wanneer heb je een slaapplek nodig?" not in asked(events)


def test_the_which_one_question_waits_at_the_same_question() -> None:
    state, e = at_menu()
    state, _ = typed(state, e, "1")
    _, events = typed(state, e, "aanvragen of wijziging")
    assert events[-1] == WaitForInput("toeslagen", "onderwerp", "options")


def test_the_way_to_a_node_is_the_shortest_and_none_when_there_is_none() -> None:
    geld = FLOWS.flows["geld"]
    assert choices_to(geld, "deurwaarder") == {"welkom": 0, "dringend": 2}
    assert choices_to(geld, "welkom") == {}
    assert choices_to(geld, "no_such_node") is None


def test_another_flows_clear_topic_at_a_question_goes_there() -> None:
    state, e = at_menu()
    state, _ = typed(state, e, "1")  # toeslagen: "Waar gaat je vraag over?"
    state, events = typed(state, e, "ik heb schulden")
    assert FlowEnded("toeslagen", "restarted") in events
    assert texts.UNDERSTOOD in asked(events)
    assert (state.flow, state.node) == ("geld", "dringend_check")
    state, _ = typed(state, e, "qqq zzz")  # nonsense is still asked again
    assert (state.flow, state.node) == ("geld", "dringend_check")
