"""What a resident can send the engine, and what the engine gets from its caller."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.engine.model import Node
from bot.engine.typed import Understood


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


def _no_route(text: str) -> Understood | None:
    return None


def _no_command(text: str) -> str | None:
    return None


def _no_pick(text: str, node: Node) -> Sequence[int]:
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
    - `route`: what a typed message asks when no question is open (a topic, a person ...);
      `command`: the global word a whole message is ("back", "menu", "help", "stop").
      `pick`: the answers of question `node` that a typed text means in other words than
      the label's ("huurtoeslag" for "Welke toeslag past bij mij?"), by index.
      All three come from bot/understanding; without them only buttons, labels and numbers
      count.
    """

    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    new_id: Callable[[], str] = field(default_factory=_counter)
    aliases: Callable[[str, str], Sequence[str]] = _no_aliases
    on_duty: Callable[[], bool] = lambda: True
    route: Callable[[str], Understood | None] = _no_route
    command: Callable[[str], str | None] = _no_command
    pick: Callable[[str, Node], Sequence[int]] = _no_pick


OFFICE_HOURS = "kantoortijd"  # the name flows use in `if:` for `Env.on_duty`
