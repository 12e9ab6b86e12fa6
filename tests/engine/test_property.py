"""Whatever a resident sends, in whatever order, the shipped flows never crash the engine, every
message gets an answer, and the conversation is always left waiting for the resident."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.engine import (
    MENU,
    Env,
    Escalate,
    Press,
    Say,
    State,
    Text,
    WaitForInput,
    load,
    resume,
    start,
)

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = load(ROOT / "flows")
TEST_FLOWS = load(Path(__file__).parent / "runtime_flows")

words = st.sampled_from(
    [
        "ja",
        "nee",
        "1",
        "2",
        "3",
        "9",
        "0",
        "/menu",
        "/start",
        "/hulp",
        "/mens",
        "/stop",
        "/x",
        "€ 1.500",
        "21-11-2026",
        "morgen",
        "1234 AB",
        "Hulp bij de huur",
        "Ik weet het niet",
        "",
        "نعم",
        "ኣይፋል",
        "\u202e\u2066",
        "\x00",
        "💊",
        "a" * 5000,
    ]
)
inputs = st.lists(
    st.one_of(
        words.map(Text),
        st.text(max_size=60).map(Text),
        st.integers(1, 12).map(lambda n: ("press", n)),  # press the n-th button shown
        st.text(max_size=20).map(Press),  # forged payloads
    ),
    max_size=25,
)


def _check(flows, sequence) -> None:
    clock = datetime(2026, 11, 21, tzinfo=UTC)
    env = Env(now=lambda: clock)
    state, events = start(flows, env=env)
    for item in sequence:
        if isinstance(item, tuple):
            shown = [b for e in events if isinstance(e, Say) for b in e.buttons]
            item = Press(shown[(item[1] - 1) % len(shown)].payload) if shown else Text("?")
        state, events = resume(flows, state, item, env=env)
        # A case (Escalate) is answered by the caller with its own message.
        assert any(isinstance(e, Say | Escalate) for e in events), f"no answer to {item!r}"
        if state.idle:
            continue  # the next message shows the menu
        waits = [e for e in events if isinstance(e, WaitForInput)]
        assert waits, f"left without a question after {item!r}"
        if state.flow != MENU:
            node = flows.node(state.flow, state.node)
            assert node is not None and node.waits
        assert State.from_dict(state.to_dict()) == state


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inputs)
def test_shipped_flows_never_crash_and_always_wait(sequence):
    _check(SHIPPED, sequence)


@settings(max_examples=200, deadline=None)
@given(inputs)
def test_test_flows_never_crash_and_always_wait(sequence):
    _check(TEST_FLOWS, sequence)
