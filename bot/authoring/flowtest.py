"""Transcript tests for flows: what the resident types or presses, and what the bot must say.

A test file in `flows/tests/` holds a list of tests, each a list of steps:

    tests:
      - name: Deurwaarder aan de deur
        langs: [nl, en]            # optional; default [nl]
        steps:
          - bot: Waar kan ik je mee helpen?
          - press: Geldzorgen en schulden
          - type: 5000
          - escalate: high

`bot:` and `press:` may use the Dutch source text or the text in the test's language, so one
test runs in every language; in a language other than Dutch every message must also really be
in that language (no fallback).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.authoring import author_lang
from bot.config import Config
from bot.engine import (
    Env,
    Escalate,
    FlowEnded,
    FlowSet,
    Press,
    Say,
    State,
    Text,
    check,
    resume,
    start,
)
from bot.engine.fold import fold
from bot.i18n import LANGUAGES, SOURCE, Catalogs, Rendered
from bot.understanding.route import Router, load_router
from bot.yamldoc import Doc, Problem, YamlPath, read

STEP_KINDS = ("bot", "press", "type", "buttons", "escalate", "ended", "saved")
TEST_KEYS = ("name", "lang", "langs", "today", "kantoortijd", "steps")


@dataclass
class Outcome:
    name: str
    lang: str
    failure: Problem | None = None

    @property
    def passed(self) -> bool:
        return self.failure is None


@dataclass
class _Run:
    """What one test has seen so far."""

    flows: FlowSet
    catalogs: Catalogs
    lang: str
    env: Env
    state: State = field(default_factory=State)
    said: list[tuple[Say, Rendered]] = field(default_factory=list)
    escalations: list[Escalate] = field(default_factory=list)
    ended: bool = False
    cursor: int = 0  # `bot:` steps match messages in order, from here on

    def feed(self, events: list) -> None:
        for event in events:
            if isinstance(event, Say):
                self.said.append((event, self.catalogs.render(event, self.lang)))
            elif isinstance(event, Escalate):
                self.escalations.append(event)
            elif isinstance(event, FlowEnded):
                self.ended = True


def run_directory(flows_dir: Path, locales_dir: Path) -> tuple[list[Outcome], list[Problem]]:
    """Run every test file in `flows_dir/tests`. Returns outcomes and problems that kept tests
    from running (broken flows or broken test files)."""
    flows, problems = check(flows_dir)
    if flows is None:
        return [], problems
    catalogs = Catalogs.load(locales_dir)
    # Typed messages are understood as in the conversation (bot/understanding).
    router = load_router(flows, catalogs.aliases, intents_dir=flows_dir / "intents")
    outcomes: list[Outcome] = []
    files = sorted((flows_dir / "tests").glob("*.y*ml"))
    for path in files:
        doc, file_problems = read(path)
        problems.extend(file_problems)
        if doc is None or file_problems:
            continue
        tests = doc.data.get("tests") if isinstance(doc.data, dict) else None
        if not isinstance(tests, list):
            problems.append(doc.problem((), "a test file needs a list 'tests:'"))
            continue
        for i, test in enumerate(tests):
            outcomes.extend(_run_test(doc, ("tests", i), test, flows, catalogs, problems, router))
    return outcomes, [p for p in problems if p.severity == "error"]


def _run_test(
    doc: Doc,
    where: YamlPath,
    test: Any,
    flows: FlowSet,
    catalogs: Catalogs,
    problems: list[Problem],
    router: Router | None = None,
) -> list[Outcome]:
    if not isinstance(test, dict) or not isinstance(test.get("steps"), list):
        problems.append(doc.problem(where, "a test needs 'name:' and a list 'steps:'"))
        return []
    for key in test:
        if key not in TEST_KEYS:
            problems.append(
                doc.problem((*where, key), f"unknown key '{key}' (use {', '.join(TEST_KEYS)})")
            )
    langs = test.get("langs") or [test.get("lang") or SOURCE]
    bad = [lang for lang in langs if lang not in LANGUAGES]
    if bad:
        problems.append(
            doc.problem(
                (*where, "langs"), f"unknown language {bad[0]!r} (use {', '.join(LANGUAGES)})"
            )
        )
        return []
    today = test.get("today")
    clock = (
        datetime.fromisoformat(str(today)).replace(tzinfo=UTC)
        if today
        else datetime(2026, 1, 15, 10, tzinfo=UTC)
    )
    name = str(test.get("name") or f"test {where[-1] + 1}")
    router = router or load_router(flows, catalogs.aliases)
    outcomes = []
    for lang in langs:
        duty = test.get("kantoortijd", True) is not False  # `kantoortijd: false`: at night
        env = Env(now=lambda c=clock: c, on_duty=lambda d=duty: d)
        run = _Run(flows, catalogs, lang, router.env(env))
        state, events = start(flows, env=run.env)
        run.state = state
        run.feed(events)
        failure = None
        for j, step in enumerate(test["steps"]):
            failure = _step(doc, (*where, "steps", j), step, run)
            if failure:
                break
        outcomes.append(Outcome(name, lang, failure))
    return outcomes


def _step(doc: Doc, where: YamlPath, step: Any, run: _Run) -> Problem | None:
    if not isinstance(step, dict) or len(step) != 1:
        return doc.problem(where, f"a step is one of {', '.join(STEP_KINDS)}, e.g. '- bot: Hallo'")
    ((kind, value),) = step.items()
    here = (*where, kind)
    if kind in ("type", "press"):
        if kind == "type":
            received: Text | Press = Text(str(value))
        else:
            payload = _button(run, str(value))
            if payload is None:
                return doc.problem(
                    here, f"no button {value!r}; the buttons are: {_buttons(run)}", at="value"
                )
            received = Press(payload)
        run.cursor = len(run.said)
        run.state, events = resume(run.flows, run.state, received, env=run.env)
        run.feed(events)
        return None
    if kind == "bot":
        return _expect_text(doc, here, str(value), run)
    if kind == "buttons":
        shown = _last_buttons(run)
        wanted = [str(v) for v in value] if isinstance(value, list) else [str(value)]
        missing = [
            w for w in wanted if not any(_same(w, say_b, r_label) for say_b, r_label in shown)
        ]
        if missing:
            return doc.problem(
                here, f"no button {missing[0]!r}; the buttons are: {_buttons(run)}", at="value"
            )
        return None
    if kind == "escalate":
        if not any(str(value) in (e.priority, e.reason) for e in run.escalations):
            seen = ", ".join(f"{e.priority}/{e.reason}" for e in run.escalations) or "none"
            return doc.problem(here, f"expected a case ({value}), cases opened: {seen}", at="value")
        return None
    if kind == "ended":
        if bool(value) != run.ended:
            return doc.problem(
                here, f"expected the flow {'to have ended' if value else 'to go on'}", at="value"
            )
        return None
    if kind == "saved":
        for name, expected in (value or {}).items():
            actual = run.state.vars.get(name)
            if actual != expected:
                return doc.problem(
                    (*here, name), f"expected {name} = {expected!r}, got {actual!r}", at="value"
                )
        return None
    return doc.problem(here, f"unknown step '{kind}' (use {', '.join(STEP_KINDS)})")


def _expect_text(doc: Doc, where: YamlPath, wanted: str, run: _Run) -> Problem | None:
    target = fold(wanted)
    for index in range(run.cursor, len(run.said)):
        say, rendered = run.said[index]
        if target in fold(say.msgid) or target in fold(rendered.text):
            run.cursor = index  # the next `bot:` may check the same message further
            if run.lang != SOURCE and rendered.language != run.lang:
                return doc.problem(
                    where,
                    f"this message is not translated into {run.lang}: {say.msgid!r}",
                    at="value",
                )
            return None
    recent = " | ".join(r.text for _, r in run.said[run.cursor :]) or "(nothing)"
    return doc.problem(
        where, f"expected the bot to say {wanted!r}, but it said: {recent}", at="value"
    )


def _last_buttons(run: _Run) -> list[tuple[str, str]]:
    for say, rendered in reversed(run.said):
        if say.buttons:
            return [
                (b.msgid, label)
                for b, (label, _) in zip(say.buttons, rendered.buttons, strict=True)
            ]
    return []


def _same(wanted: str, msgid: str, label: str) -> bool:
    w = fold(wanted)
    return w in (fold(msgid), fold(label))


def _button(run: _Run, wanted: str) -> str | None:
    for say, rendered in reversed(run.said):
        if not say.buttons:
            continue
        for button, (label, payload) in zip(say.buttons, rendered.buttons, strict=True):
            if _same(wanted, button.msgid, label):
                return payload
        return None
    return None


def _buttons(run: _Run) -> str:
    return ", ".join(repr(label) for _, label in _last_buttons(run)) or "(none)"


BROKEN = 2  # exit code: the flows themselves are broken, no test could run


def run_cli(flows_dir: Path, config: Config) -> int:
    flows, found = check(flows_dir)
    dutch = author_lang.language() == "nl"
    if flows is None:  # not "0 passed, 0 failed": nothing ran at all
        errors = [p for p in sorted(found) if p.severity == "error"]
        for problem in errors:
            print(author_lang.problem_text(problem))
        if dutch:
            said = (
                f"{flows_dir}: geen enkele test kon draaien, want de flows hebben "
                f"{len(errors)} fout(en) (hierboven; ook met `buurtbot flows validate`). "
                "Verbeter ze en draai de tests opnieuw."
            )
        else:
            said = (
                f"{flows_dir}: no test could run, because the flows have {len(errors)} "
                "error(s) (above; also `buurtbot flows validate`). Fix them and run the "
                "tests again."
            )
        print(said, file=sys.stderr)
        return BROKEN
    outcomes, problems = run_directory(flows_dir, config.locales_dir)
    for problem in sorted(problems):
        print(author_lang.problem_text(problem))
    for outcome in outcomes:
        if outcome.failure:
            print(f"{outcome.failure} [test: {outcome.name}, {outcome.lang}]")
    passed = sum(o.passed for o in outcomes)
    failed = len(outcomes) - passed
    if dutch:
        print(f"{passed} geslaagd, {failed} mislukt", file=sys.stderr)
    else:
        print(f"{passed} passed, {failed} failed", file=sys.stderr)
    if not outcomes and not problems:
        print(f"no transcript tests in {flows_dir / 'tests'}", file=sys.stderr)
    return 1 if failed or problems else 0
