"""Which of a question's buttons a resident picked: pressed, its number typed, or its label
typed (in any language; case, accents and punctuation do not count)."""

from __future__ import annotations

from bot.engine.fold import digits, fold
from bot.engine.inputs import Env, Input, Press
from bot.engine.state import State


def choose(
    labels: list[tuple[str, str]], state: State, received: Input, env: Env, *, partial: bool = True
) -> int | None:
    """Which of `labels` the resident picked: 0-based index, -1 for a stale button, None for
    no match. A button, the label typed (any language, case and accents ignored), or its
    number all count; with `partial`, also words of one label."""
    if isinstance(received, Press):
        wait, _, choice = received.payload.partition(":")
        if wait != state.wait or not choice.isdigit():
            return -1
        index = int(choice) - 1
        return index if 0 <= index < len(labels) else -1
    typed = fold(digits(received.text))
    if typed.isdigit():
        index = int(typed) - 1
        return index if 0 <= index < len(labels) else None
    return match_label(labels, received.text, env, partial=partial)


def match_label(
    labels: list[tuple[str, str]], text: str, env: Env, *, partial: bool = True
) -> int | None:
    """The label the resident typed: the whole label, or else words that stand in exactly
    one label ("huur" for "Hulp bij de huur"). Ambiguous words match nothing."""
    typed = fold(text)
    if not typed:
        return None
    spellings = [[fold(s) for s in (msgid, *env.aliases(msgid, ctx))] for msgid, ctx in labels]
    for index, folded in enumerate(spellings):
        if typed in folded:
            return index
    words = set(typed.split())
    # Two letters say too little, except in Ge'ez, where each letter is a syllable ("ገና").
    if (len(typed) < 3 and not any("\u1200" <= c <= "\u137f" for c in typed)) or not partial:
        return None
    hits = {i for i, folded in enumerate(spellings) if any(words <= set(f.split()) for f in folded)}
    return hits.pop() if len(hits) == 1 else None
