"""`follow_up:` in a flow: the engine reports it as an event when the node is passed, and
only then; it stores and sends nothing itself."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.engine import Env, FollowUpDue, Press, Say, load, resume, start

FLOWS = load(Path(__file__).parent / "flows")
NOW = datetime(2026, 12, 7, 10, tzinfo=UTC)


def _choose(label: str) -> list:
    env = Env(now=lambda: NOW)
    state, events = start(FLOWS, None, env=env)
    state, events = resume(FLOWS, state, Press(_payload(events, "Toeslag aanvragen")), env=env)
    state, events = resume(FLOWS, state, Press(_payload(events, label)), env=env)
    return events


def _payload(events: list, label: str) -> str:
    for event in events:
        if isinstance(event, Say):
            for button in event.buttons:
                if button.msgid == label:
                    return button.payload
    raise AssertionError(f"no button {label!r} in {events!r}")


def test_passing_the_node_reports_the_follow_up_in_days() -> None:
    events = _choose("Ja")
    due = [e for e in events if isinstance(e, FollowUpDue)]
    assert due == [FollowUpDue(14, "Is het gelukt met je aanvraag?", "check.site", "check", "site")]


def test_another_way_reports_none() -> None:
    assert not [e for e in _choose("Nee") if isinstance(e, FollowUpDue)]
