"""What a resident can send the engine, and what the engine gets from its caller."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime


@dataclass(frozen=True)
class Text:
    """Something the resident typed (commands such as `/menu` included)."""

    text: str


@dataclass(frozen=True)
class Press:
    """A button the resident pressed: the `payload` of an `events.Button`."""

    payload: str


Input = Text | Press


def _no_aliases(msgid: str, context: str) -> Sequence[str]:
    return ()


def _counter() -> Callable[[], str]:
    count = itertools.count(1)
    return lambda: format(next(count), "x")


@dataclass(frozen=True)
class Env:
    """What the engine needs from outside, passed in so a run replays identically in a test.

    - `now`: the clock (aware datetime).
    - `new_id`: short unique ids for questions (they end up in button payloads).
    - `aliases`: other spellings of a translatable text, e.g. a button label in the
      resident's language, so that typing the label works in every language.
    - `on_duty`: whether workers are on duty now (office hours); flows read it as the name
      `kantoortijd` in an `if:`, so a night path never promises a worker tonight.
    """

    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    new_id: Callable[[], str] = field(default_factory=_counter)
    aliases: Callable[[str, str], Sequence[str]] = _no_aliases
    on_duty: Callable[[], bool] = lambda: True


OFFICE_HOURS = "kantoortijd"  # the name flows use in `if:` for `Env.on_duty`
