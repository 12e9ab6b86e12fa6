"""`buurtbot flows route`: one typed message per stdin line in, one JSON object per line out,
`{"text", "flow", "node", "person", "score"}`: where the main menu sends it.

The decision is the conversation's own: the engine at the main menu takes the line (a button's
number or label first, then the router), and a request for a person is read as the flows step
reads it. Risk is not part of it: in the conversation risk runs first, and wins.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from bot.engine import MENU, Env, Escalate, FlowSet, Say, Text, check, resume, start, texts
from bot.engine.typed import Understood
from bot.escalation import asks_for_person
from bot.i18n import Catalogs
from bot.understanding.route import Router, load_router

PERSON_REASONS = ("asked_for_person", "asked_for_callback")


def route(stdin: TextIO, stdout: TextIO, *, flows_dir: Path, locales_dir: Path) -> int:
    """Route every line of `stdin`; exit code 0, or 2 when the flows are broken."""
    flows, problems = check(flows_dir)
    if flows is None:
        for problem in problems:
            if problem.severity == "error":
                print(problem)
        return 2
    catalogs = Catalogs.load(locales_dir)
    router = load_router(flows, catalogs.aliases, intents_dir=flows_dir / "intents")
    for stream in (stdin, stdout):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="utf-8", errors="replace")
    for line in stdin:
        text = line.rstrip("\r\n")
        stdout.write(json.dumps(decide(flows, router, text), ensure_ascii=False) + "\n")
        stdout.flush()
    return 0


def decide(flows: FlowSet, router: Router, text: str) -> dict[str, object]:
    """Where the main menu sends `text`, as the JSON object of `flows route`."""
    seen: list[Understood] = []

    def routed(typed: str) -> Understood | None:
        seen.append(router.route(typed))
        return seen[-1]

    env = router.env(Env(new_id=lambda: "w"))
    env = replace(env, route=routed)
    menu, _ = start(flows, env=env)
    state, events = resume(flows, menu, Text(text), env=env)
    understood = seen[-1] if seen else None
    escalated = any(isinstance(e, Escalate) and e.reason in PERSON_REASONS for e in events)
    person = escalated or asks_for_person(text)
    flow = state.flow if state.flow not in (None, MENU) else None
    entered = any(isinstance(e, Say) and e.msgid == texts.UNDERSTOOD for e in events)
    if understood is not None and (entered or person):
        flow = understood.flow  # entered, even when that node ended the flow at once
    node = understood.node if understood is not None and flow == understood.flow else None
    score = understood.score if understood is not None else 1.0
    return {"text": text, "flow": flow, "node": node, "person": person, "score": round(score, 3)}
