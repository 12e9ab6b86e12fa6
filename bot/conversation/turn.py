"""One message's turn, like mailroom's scene: what the message is, what the risk check made of
it, and everything it leads to, gathered in one place while it is handled: the replies in order
with their priority, the flow state and the conversation's own data to store, the case open for
the resident, and the session every write goes through (case changes, contacts, the language),
so that all of it is committed together or not at all.

`Context` is what every step may use and no message changes: flows, catalogs and rules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.conversation.inbound import Inbound
from bot.conversation.privacy import Privacy, Request
from bot.engine import Env, Event, FlowSet, Say, State, repeat
from bot.escalation import Decision, OfficeHours, RepeatRule
from bot.i18n import Catalogs, Rendered
from bot.risk import Assessment
from storage.cases import Case
from storage.outbox import PRIORITY_NORMAL
from storage.residents import Resident

CONTEXT = "escalation"  # the msgctxt of the conversation path's own texts


@dataclass
class Turn:
    """What one message leads to, gathered before it is written."""

    inbound: Inbound
    assessment: Assessment
    decision: Decision
    now: datetime
    lang: str
    script: str | None = None  # the language of the message's script (Arabic, Ge'ez), if any
    replies: list[tuple[Rendered, int]] = field(default_factory=list)  # (message, priority)
    again: bool = False  # the message was handled before; only its crisis lines are sent again
    s: AsyncSession | None = None  # the transaction everything of this turn is written in
    resident: Resident | None = None
    state: State = field(default_factory=State)
    data: dict[str, Any] = field(default_factory=dict)  # stored beside the state ("check", ...)
    open_case: Case | None = None
    erased: bool = False  # /vergeet emptied the resident: no state is stored after this turn
    # Read off the message before the steps run (bot/conversation/pipeline.py):
    check_answer: bool | None = None  # the answer to a waiting risk question
    asked: Request | None = None  # what it asks of /vergeet and /gegevens
    attachment: str | None = None  # stored, too_large, wrong_type (bot/conversation/attachments)

    def add(self, rendered: Rendered, priority: int = PRIORITY_NORMAL) -> None:
        self.replies.append((rendered, priority))

    @property
    def session(self) -> AsyncSession:
        assert self.s is not None, "a turn without a transaction"
        return self.s

    @property
    def rid(self) -> int:
        assert self.resident is not None and self.resident.id is not None
        return self.resident.id


@dataclass(frozen=True)
class Context:
    """The conversation path's fixed parts, for the steps."""

    flows: FlowSet
    catalogs: Catalogs
    office: OfficeHours
    repeat_rule: RepeatRule
    privacy: Privacy
    env: Callable[[], Env]
    new_id: Callable[[], str]
    signals: bool = True  # count for the neighbourhood figures (bot/signals); not the simulator

    def say(self, msgid: str, lang: str, **params: object) -> Rendered:
        return self.catalogs.render(Say(msgid, CONTEXT, params=params), lang)

    def render(self, events: Iterable[Event], lang: str) -> list[Rendered]:
        """The texts among `events`, in `lang`."""
        return [self.catalogs.render(e, lang) for e in events if isinstance(e, Say)]

    def ask_again(self, turn: Turn, state: State) -> State:
        """Show the open question of `state` again, in the turn's language."""
        state, events = repeat(self.flows, state, env=self.env())
        for rendered in self.render(events, turn.lang):
            turn.add(rendered)
        return state
