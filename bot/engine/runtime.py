"""Running the flows: `start` and `resume` turn a state and an input into a new state and events.

Pure and synchronous: nothing is sent or stored here, and the clock and ids come from `Env`.
"""

from __future__ import annotations

from dataclasses import replace

from bot.engine import texts
from bot.engine.answers import InvalidAnswer, parse_answer
from bot.engine.choosing import choose, match_label
from bot.engine.errors import UnknownFlow
from bot.engine.events import (
    Button,
    Error,
    Escalate,
    Event,
    FlowEnded,
    FollowUpDue,
    Msg,
    Saved,
    Say,
    WaitForInput,
)
from bot.engine.expr import EvalError, evaluate
from bot.engine.inputs import OFFICE_HOURS, Env, Input, Press, Text
from bot.engine.model import Flow, FlowSet, Node
from bot.engine.questions import HUMAN, MENU_BTN, menu_labels, menu_question, params, question
from bot.engine.state import MENU, State
from bot.engine.typed import choices_to, drop_question, menu_flows, saved, waiting

MAX_STEPS = 100
"""Nodes passed without waiting for the resident before a run counts as a runaway."""

MAX_TRIES = 3
"""Invalid answers to one question before a person is offered."""

COMMANDS = {
    "start": "start",
    "menu": "menu",
    "hulp": "help",
    "help": "help",
    "mens": "human",
    "human": "human",
    "stop": "stop",
}
"""Global commands the engine handles. `/taal` and `/vergeet` belong to the caller."""
WORDS = {"back": "menu", "menu": "menu", "help": "help", "stop": "stop"}
"""Global words typed as a whole message (`Env.command`) and the command each one is."""
SWITCH = 0.9
"""How sure the router must be that a message at a question is another flow's topic."""


Result = tuple[State, list[Event]]


def start(
    flows: FlowSet, state: State | None = None, flow: str | None = None, *, env: Env
) -> Result:
    """Begin `flow` (or the main menu, with the greeting, when `flow` is None)."""
    state = state or State()
    events: list[Event] = []
    if flow is None:
        events.append(Say(texts.GREETING))
        return _show_menu(flows, state, events, env)
    if flow not in flows.flows:
        raise UnknownFlow(flow)
    return _run(flows, _at(state, None, None), flow, flows.flows[flow].start, events, env)


def resume(flows: FlowSet, state: State, received: Input, *, env: Env) -> Result:
    """Take one message or button press from the resident and go as far as the flows go."""
    command = _command(received)
    if command is None and isinstance(received, Text):
        command = WORDS.get(env.command(received.text) or "")
    if command is not None:
        return _global(flows, state, command, env)
    if state.idle:
        # Idle: an old button press is stale; a typed menu title (not a number) starts its
        # flow, and so does a topic in the resident's own words.
        for partial in (False, True):  # the words of a title ("geld") only after the router
            chosen = _menu_by_title(flows, received, env, partial) if state.wait else None
            if chosen is not None:
                return _run(flows, _at(state, None, None), chosen.id, chosen.start, [], env)
            routed = None if partial else _routed(flows, state, received, env, greet=not state.wait)
            if routed is not None:
                return routed
        if not state.wait:  # never spoken before: introduce ourselves
            return start(flows, state, env=env)
        return _show_menu(flows, state, [], env)
    if state.flow == MENU:
        return _answer_menu(flows, state, received, env)
    node = flows.node(state.flow, state.node or "")
    if node is None or not node.waits:
        problem = Error(
            "missing_node",
            f"the conversation waited at '{state.flow}.{state.node}', which no longer exists",
            state.flow,
            state.node,
        )
        return _restart(flows, state, [problem], env)
    if node.options:
        return _answer_options(flows, state, node, received, env)
    return _answer_input(flows, state, node, received, env)


def repeat(flows: FlowSet, state: State, *, env: Env) -> Result:
    """Ask the open question again (e.g. after the resident changed language); the menu when
    nothing is open."""
    if state.idle:
        return _show_menu(flows, state, [], env)
    if state.flow != MENU and flows.node(state.flow or "", state.node or "") is None:
        return _restart(flows, state, [], env)
    return _ask_again(flows, state, [])


# --- global commands -------------------------------------------------------------------------


def _command(received: Input) -> str | None:
    raw = received.payload if isinstance(received, Press) else received.text
    raw = raw.strip()
    if not raw.startswith("/"):
        return None
    word = raw[1:].split(maxsplit=1)[0] if len(raw) > 1 else ""
    word = word.split("@", 1)[0].casefold()  # "/menu@BuurtBot" in groups
    return COMMANDS.get(word, "unknown")


def _global(flows: FlowSet, state: State, command: str, env: Env) -> Result:
    events: list[Event] = []
    if command == "start":
        return start(flows, State(), env=env)
    if command == "menu":
        _leave(state, "restarted", events)
        return _show_menu(flows, state, events, env)
    if command == "stop":
        _leave(state, "stopped", events)
        events.append(Say(texts.STOPPED))
        return State(wait=state.wait or env.new_id()), events
    if command == "human":
        events.append(Escalate("asked_for_person", "normal", state.flow, state.node))
        _leave(state, "escalated", events)
        return _at(state, None, None), events
    if command == "help":
        events.append(Say(texts.HELP))
    else:
        events.append(Say(texts.UNKNOWN_COMMAND))
    return _ask_again(flows, state, events)


def _leave(state: State, outcome: str, events: list[Event]) -> None:
    if state.flow not in (None, MENU):
        events.append(FlowEnded(state.flow, outcome))


# --- the main menu ---------------------------------------------------------------------------


def _show_menu(flows: FlowSet, state: State, events: list[Event], env: Env) -> Result:
    wait = env.new_id()
    events.extend(menu_question(flows, wait))
    return replace(state, flow=MENU, node="menu", wait=wait, tries=0), events


def _menu_by_title(flows: FlowSet, received: Input, env: Env, partial: bool) -> Flow | None:
    if not isinstance(received, Text):
        return None
    index = match_label(menu_labels(flows), received.text, env, partial=partial)
    return flows.menu()[index] if index is not None else None


def _answer_menu(flows: FlowSet, state: State, received: Input, env: Env) -> Result:
    index = choose(menu_labels(flows), state, received, env, partial=False)
    if index is None:
        routed = _routed(flows, state, received, env)
        if routed is not None:
            return routed
        index = choose(menu_labels(flows), state, received, env)
    if index is None:
        return _not_understood(flows, state, received, [], texts.NOT_UNDERSTOOD)
    if index < 0:
        return _ask_again(flows, state, [Say(texts.STALE_BUTTON)])
    chosen = flows.menu()[index]
    return _run(flows, _at(state, None, None), chosen.id, chosen.start, [], env)


def _routed(
    flows: FlowSet, state: State, received: Input, env: Env, *, greet: bool = False
) -> Result | None:
    """A typed message in own words at the menu: a topic starts its flow at its node, saying
    so; a person (or a call back) opens a case; greetings and thanks get the menu."""
    understood = env.route(received.text) if isinstance(received, Text) else None
    if understood is None:
        return None
    events: list[Event] = [Say(texts.GREETING)] if greet else []
    if understood.person:
        reason = "asked_for_callback" if understood.callback else "asked_for_person"
        where = (understood.flow, understood.node)
        events.append(Escalate(reason, "normal", *where, detail=understood.text))
        return _at(state, None, None), events
    flow = menu_flows(flows).get(understood.flow or "")
    if flow is not None:
        topic = Msg(flow.title or flow.id, flow.title_context)
        events.append(Say(texts.UNDERSTOOD, params={"topic": topic}))
        return _enter(flows, _at(state, None, None), flow, understood.node, events, env)
    if understood.intent in ("greeting", "thanks"):
        said = texts.THANKS_BACK if understood.intent == "thanks" else texts.GREETING
        return _show_menu(flows, state, [Say(said)], env)
    return None


def _other_topic(flows: FlowSet, state: State, received: Input, env: Env) -> Result | None:
    """Not an answer, but clearly another flow's topic ("ik heb schulden" in toeslagen)."""
    understood = env.route(received.text) if isinstance(received, Text) else None
    if understood is None or understood.flow in (None, state.flow) or understood.score < SWITCH:
        return None
    events: list[Event] = []
    _leave(state, "restarted", events)
    new_state, more = _routed(flows, _at(state, None, None), received, env) or (state, [])
    return new_state, [*events, *more]


def _enter(
    flows: FlowSet, state: State, flow: Flow, node_id: str | None, events: list[Event], env: Env
) -> Result:
    """Start `flow`, answering the questions on the way to `node_id` as if pressed."""
    choices = (choices_to(flow, node_id) or {}) if node_id else {}
    state, events = _run(flows, state, flow.id, flow.start, events, env)
    while choices and state.flow == flow.id and state.node in choices:
        node = flow.nodes[state.node]
        index = choices.pop(node.id)
        drop_question(events, node)
        values, more = saved(node, index)
        state = state.with_vars(**values) if values else state
        events.extend(more)
        next_id = node.options[index].next
        state, events = _run(flows, _at(state, None, None), flow.id, next_id, events, env)
    return state, events


# --- answering questions ---------------------------------------------------------------------


def _answer_options(flows: FlowSet, state: State, node: Node, received: Input, env: Env) -> Result:
    labels = [(o.label, node.context) for o in node.options]
    index = choose(labels, state, received, env)
    if index is None and isinstance(received, Text):
        picked = list(env.pick(received.text, node))
        if len(picked) > 1:  # two answers fit: ask which one, with their own buttons
            buttons = tuple(
                Button(node.options[i].label, node.context, f"{state.wait}:{i + 1}") for i in picked
            )
            return state, [Say(texts.WHICH_ONE, buttons=buttons), WaitForInput(*waiting(node))]
        index = picked[0] if picked else None
    if index is None:
        return _other_topic(flows, state, received, env) or _not_understood(
            flows, state, received, [], texts.NOT_UNDERSTOOD
        )
    if index < 0:
        return _ask_again(flows, state, [Say(texts.STALE_BUTTON)])
    option = node.options[index]
    events: list[Event] = []
    if node.save:
        value = option.value if option.value is not None else option.label
        state = state.with_vars(**{node.save: value})
        events.append(Saved(node.flow, node.id, node.save, value))
    return _run(flows, _at(state, None, None), node.flow, option.next, events, env)


def _answer_input(flows: FlowSet, state: State, node: Node, received: Input, env: Env) -> Result:
    kind = node.input or "text"
    if isinstance(received, Press):
        wait, _, choice = received.payload.partition(":")
        if kind != "yes_no" or wait != state.wait or choice not in ("y", "n"):
            return _ask_again(flows, state, [Say(texts.STALE_BUTTON)])
        value: object = choice == "y"
    else:
        try:
            value = parse_answer(kind, received.text, env.now().date())
        except InvalidAnswer as invalid:
            return _not_understood(flows, state, received, [], invalid.msgid)
    events: list[Event] = []
    if node.save:
        state = state.with_vars(**{node.save: value})
        events.append(Saved(node.flow, node.id, node.save, value))
    return _run(flows, _at(state, None, None), node.flow, node.next or "", events, env)


def _not_understood(
    flows: FlowSet, state: State, received: Input, events: list[Event], explanation: str
) -> Result:
    state = replace(state, tries=state.tries + 1)
    events.append(Say(texts.OFFER_HUMAN if state.tries >= MAX_TRIES else explanation))
    return _ask_again(flows, state, events)


def _ask_again(flows: FlowSet, state: State, events: list[Event]) -> Result:
    """Repeat the open question with its buttons (same `wait`, so they stay valid)."""
    if state.idle:
        return state, events
    if state.flow == MENU:
        events.extend(menu_question(flows, state.wait))
        return state, events
    node = flows.node(state.flow or "", state.node or "")
    if node is None or not node.waits:
        return state, events
    events.extend(question(node, state.wait, state, flows))
    return state, events


# --- walking the graph -----------------------------------------------------------------------


def _at(state: State, flow: str | None, node: str | None) -> State:
    return replace(state, flow=flow, node=node, tries=0)


def _run(
    flows: FlowSet, state: State, flow_id: str, node_id: str, events: list[Event], env: Env
) -> Result:
    """Walk from `flow_id.node_id` until a question waits or the flow ends."""
    for _ in range(MAX_STEPS):
        node = flows.node(flow_id, node_id)
        if node is None:
            problem = Error("missing_node", f"no node '{flow_id}.{node_id}'", flow_id, node_id)
            return _restart(flows, state, [*events, problem], env)
        if node.switch:
            target = _switch(node, state, events, env)
            if target is None:
                return _restart(flows, state, events, env)
            node_id = target
            continue
        if node.say:
            events.append(Say(node.say, node.context, params=params(flows, state)))
        if node.follow_up:
            due = node.follow_up
            events.append(FollowUpDue(due.days, due.ask, node.context, flow_id, node.id))
        if node.ask is not None:
            wait = env.new_id()
            events.extend(question(node, wait, state, flows))
            return replace(state, flow=flow_id, node=node.id, wait=wait, tries=0), events
        if node.escalate:
            events.append(Escalate(node.escalate.reason, node.escalate.priority, flow_id, node.id))
            if not node.next:
                events.append(FlowEnded(flow_id, "escalated"))
                return _at(state, None, None), events
        if node.goto:
            flow_id, node_id = node.goto, flows.flows[node.goto].start
            continue
        if node.next:
            node_id = node.next
            continue
        events.append(FlowEnded(flow_id, "end"))
        events.append(Say(texts.END_HINT, buttons=(MENU_BTN, HUMAN)))
        return _at(state, None, None), events
    events.append(
        Error("runaway", f"more than {MAX_STEPS} steps without a question", flow_id, node_id, True)
    )
    events.append(FlowEnded(flow_id, "failed"))
    events.append(Say(texts.SOMETHING_WRONG, buttons=(MENU_BTN, HUMAN)))
    return _at(state, None, None), events


def _switch(node: Node, state: State, events: list[Event], env: Env) -> str | None:
    known = {**state.vars, OFFICE_HOURS: env.on_duty()}  # `if: kantoortijd`
    for case in node.switch:
        if case.expr is None:
            return case.next
        try:
            if evaluate(case.expr, known):
                return case.next
        except EvalError as exc:
            events.append(Error("expression", f"{case.source}: {exc.message}", node.flow, node.id))
    events.append(Error("switch", "no branch of the switch applies", node.flow, node.id))
    return None


def _restart(flows: FlowSet, state: State, events: list[Event], env: Env) -> Result:
    """An author's mistake met at run time: apologise and go back to the menu."""
    events.append(Say(texts.SOMETHING_WRONG))
    return _show_menu(flows, _at(state, None, None), events, env)
