"""Where a node goes by the resident's answer (`options`) or by a condition (`switch`)."""

from __future__ import annotations

from typing import Any

from bot.engine.expr import Expr, ExprError, parse
from bot.engine.fold import fold
from bot.engine.model import Case, Option
from bot.engine.reader import Context, Reader, kind, node_ref
from bot.engine.words import check_unique, read_words
from bot.yamldoc import YamlPath

OPTION_KEYS = ("label", "next", "value", "words")
CASE_KEYS = ("if", "next", "else")
MAX_OPTIONS = 100
"""Telegram's limit of buttons under one message."""


def read_cases(r: Reader, ctx: Context, path: YamlPath, value: Any) -> tuple[Case, ...]:
    shape = "'- if: <condition>' items with 'next: <node>', and a last '- else: <node>'"
    if not isinstance(value, list) or not value:
        problem = "is empty" if not value else f"must be a list, not {kind(value)}"
        r.error(path, f"{problem} (write {shape})")
        return ()
    cases: list[Case] = []
    has_else = False
    for i, item in enumerate(value):
        ipath = (*path, i)
        if not isinstance(item, dict):
            r.error(ipath, f"each item must be '- if: ...' or '- else: ...', not {kind(item)}")
            continue
        meant = r.keys(ipath, item, CASE_KEYS, {}, "a switch item")
        pos = r.item_pos(ipath)
        if "else" in item:
            has_else = True
            if "if" in item or "next" in item:
                r.error(
                    (*ipath, "else"),
                    "'else' stands alone (write '- else: <node>' as an item of its own)",
                )
            if i != len(value) - 1:
                r.error(
                    (*ipath, "else"),
                    "'else' must be the last item (the items after it are never used; "
                    "move it to the end)",
                )
            target = node_ref(r, ctx, (*ipath, "else"), item["else"])
            if target:
                cases.append(Case(None, None, target, pos))
            continue
        if "if" not in item:
            if not meant:
                r.error(ipath, "add 'if: <condition>' and 'next: <node>', or 'else: <node>'")
            continue
        expr = _condition(r, (*ipath, "if"), item["if"])
        if "next" not in item:
            if "next" not in meant:
                r.error(ipath, "add 'next: <node>' (where to go when the condition holds)")
            continue
        target = node_ref(r, ctx, (*ipath, "next"), item["next"])
        if target and expr:
            cases.append(Case(expr, expr.source, target, pos))
    if not has_else:
        r.error(
            path, "no '- else:' item (add '- else: <node>' as the last item so nobody gets stuck)"
        )
    return tuple(cases)


def _condition(r: Reader, path: YamlPath, value: Any) -> Expr | None:
    if isinstance(value, bool):
        value = "true" if value else "false"
    elif isinstance(value, int | float):
        value = str(value)
    example = "e.g. 'debt_total >= 5000'"
    if not isinstance(value, str) or not value.strip():
        r.error(path, f"must be a condition, not {kind(value)} ({example})", at="value")
        return None
    try:
        expr = parse(value)
    except ExprError as exc:
        r.error_at(path, exc.offset, exc.message)
        return None
    r.conditions.append((path, expr))
    return expr


def read_options(
    r: Reader, ctx: Context, path: YamlPath, value: Any, saves: bool
) -> tuple[Option, ...]:
    if not isinstance(value, list) or not value:
        problem = "has no answers" if not value else f"must be a list of answers, not {kind(value)}"
        r.error(path, f"{problem} (write '- label: <button text>' with 'next: <node>' below it)")
        return ()
    if len(value) > MAX_OPTIONS:
        r.error(
            path,
            f"has {len(value)} answers; Telegram shows at most {MAX_OPTIONS} buttons "
            "(split the question in two)",
        )
    options: list[Option] = []
    seen: dict[str, tuple[int, int]] = {}
    answers: list[tuple[int, str, str | None]] = []
    for i, item in enumerate(value):
        ipath = (*path, i)
        if not isinstance(item, dict):
            fix = (
                f"write '- label: {item}' and 'next: <node>' below it"
                if isinstance(item, str)
                else "write '- label: <button text>' and 'next: <node>' below it"
            )
            r.error(ipath, f"an answer needs 'label:' and 'next:', not {kind(item)} ({fix})")
            continue
        meant = r.keys(ipath, item, OPTION_KEYS, {}, "an answer")
        label = None
        if "label" in item:
            label = r.text((*ipath, "label"), item["label"], label=True)
        elif "label" not in meant:
            r.error(ipath, "answer has no 'label' (add 'label: <button text>')", at="value")
        if label is not None:
            folded = fold(label)
            if folded in seen:
                number, line = seen[folded]
                r.error(
                    (*ipath, "label"),
                    f"same label as answer {number} on line {line} (give each answer its own text)",
                    at="value",
                )
            else:
                seen[folded] = (i + 1, r.line_of((*ipath, "label"), at="value"))
        target = None
        if "next" in item:
            target = node_ref(r, ctx, (*ipath, "next"), item["next"])
        elif "next" not in meant:
            r.error(ipath, "answer has no 'next' (add 'next: <node>')", at="value")
        stored = _value(r, (*ipath, "value"), item, saves)
        words = read_words(r, (*ipath, "words"), item["words"]) if "words" in item else None
        if label is not None:
            answers.append((i, label, words))
        if label is not None and target:
            options.append(Option(label, target, stored, r.item_pos(ipath), words))
    check_unique(r, path, answers)
    return tuple(options)


def _value(r: Reader, path: YamlPath, item: dict, saves: bool) -> Any:
    if "value" not in item:
        return None
    value = item["value"]
    if value is None or isinstance(value, dict | list):
        at = "key" if value is None else "value"
        r.error(path, f"must be a text, a number or true/false, not {kind(value)}", at=at)
        return None
    if not saves:
        r.warning(
            path,
            "is only kept when the question has 'save:' (add 'save: <name>' to the question, "
            "or remove 'value')",
        )
    return value
