"""What the engine says happened. The caller renders, sends and stores; the engine does not.

`msgid` is always the Dutch source text; `context` is its msgctxt (`flow.node`, or `engine`
for the engine's own texts). Rendering to the resident's language happens in `bot.i18n`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

ENGINE_CONTEXT = "engine"


@dataclass(frozen=True)
class Button:
    """A button under a message. `payload` comes back as `Press(payload)`; at most 64 bytes."""

    msgid: str
    context: str
    payload: str


@dataclass(frozen=True)
class Msg:
    """A translatable text as a `Say` parameter (e.g. a flow's title inside a sentence)."""

    msgid: str
    context: str


@dataclass(frozen=True)
class Say:
    msgid: str
    context: str = ENGINE_CONTEXT
    params: Mapping[str, object] = field(default_factory=dict)
    buttons: tuple[Button, ...] = ()


@dataclass(frozen=True)
class WaitForInput:
    flow: str
    node: str
    input: str  # "options" or one of model.INPUT_TYPES


@dataclass(frozen=True)
class Saved:
    """An answer was stored under `name` (a node's `save:`)."""

    flow: str
    node: str
    name: str
    value: object


@dataclass(frozen=True)
class Escalate:
    """Open a case. `reason` is a short code (e.g. `asked_for_person`, `eviction_or_seizure`)."""

    reason: str
    priority: str
    flow: str | None = None
    node: str | None = None
    detail: str = ""


@dataclass(frozen=True)
class FollowUpDue:
    """A node's `follow_up:` was passed: ask `msgid` (context `flow.node`) after `days` days.
    The caller stores it; a sender asks it later."""

    days: int
    msgid: str
    context: str
    flow: str
    node: str


@dataclass(frozen=True)
class FlowEnded:
    flow: str
    outcome: str  # "end", "stopped", "escalated", "failed", "restarted"


@dataclass(frozen=True)
class Error:
    """An author's mistake met at run time (the conversation goes on), or with `fatal` set a
    runaway that ended the run. Never shown to a resident as is; it is for logs and authors."""

    code: str
    message: str
    flow: str | None = None
    node: str | None = None
    fatal: bool = False


Event = Say | WaitForInput | Saved | Escalate | FollowUpDue | FlowEnded | Error
