"""One inbound message = one transaction: state, transcript and outbox change together.

Channels (Telegram, web chat, terminal) turn what they receive into an `Inbound` and call
`Conversations.receive`. Nothing is sent from here: replies become outbox rows in the same
transaction as the state change that caused them, and a dispatcher sends them.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.engine import Env, Escalate, FlowSet, Press, Say, State, Text, repeat, resume
from bot.engine.texts import N_
from bot.i18n import LANGUAGES, NATIVE_NAMES, Catalogs, Rendered, supported
from storage import cases, repo
from storage.db import Database
from storage.models import PRIORITY_NORMAL

logger = logging.getLogger(__name__)

LANGUAGE_COMMANDS = frozenset({"taal", "language", "لغة", "ቋንቋ"})
LANGUAGE_ASK = N_("In welke taal wil je praten?")
LANGUAGE_SET = N_("Goed, we praten verder in het Nederlands.")
ESCALATED = N_(
    "Ik heb je doorgestuurd naar een medewerker van het buurtteam. Een mens leest je bericht "
    "en antwoordt hier. Is het dringend? Bel 112 bij direct gevaar."
)


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Inbound:
    """A message from a resident as a channel received it."""

    channel: str
    external_id: str
    text: str | None = None
    payload: str | None = None  # a pressed button
    language_hint: str | None = None  # e.g. Telegram's language_code


class Conversations:
    """The conversation path shared by every channel."""

    def __init__(
        self,
        db: Database,
        flows: FlowSet,
        catalogs: Catalogs,
        *,
        clock: Callable[[], datetime] = _utcnow,
        new_id: Callable[[], str] = lambda: secrets.token_hex(3),
    ) -> None:
        self.db = db
        self.flows = flows
        self.catalogs = catalogs
        self.clock = clock
        self.new_id = new_id

    def env(self) -> Env:
        return Env(now=self.clock, new_id=self.new_id, aliases=self.catalogs.aliases)

    async def receive(self, inbound: Inbound) -> list[Rendered]:
        """Handle one message; returns what was queued for the resident, in order."""
        now = self.clock()
        async with self.db.transaction() as s:
            resident = await repo.get_or_create_resident(
                s, inbound.channel, inbound.external_id, now=now
            )
            lang = resident.language or supported(inbound.language_hint)
            shown = inbound.text if inbound.text is not None else (inbound.payload or "")
            data = {"press": inbound.payload} if inbound.payload else None
            await repo.add_transcript(s, resident.id, "in", shown, now=now, data=data)

            state = State.from_dict(await repo.load_state(s, resident.id))
            chosen = _language_choice(inbound)
            if chosen is not None or _is_language_command(inbound):
                state, replies, lang = await self._language(s, resident.id, state, chosen, lang)
            else:
                received = Press(inbound.payload) if inbound.payload else Text(inbound.text or "")
                state, events = resume(self.flows, state, received, env=self.env())
                replies = [await self._perform(s, resident.id, e, lang) for e in events]
                replies = [r for r in replies if r is not None]
            for rendered in replies:
                await self._queue(s, resident.id, rendered, now)
            await repo.save_state(s, resident.id, state.to_dict(), now=now)
        return replies

    async def _perform(self, s, resident_id: int, event, lang: str) -> Rendered | None:
        if isinstance(event, Say):
            return self.catalogs.render(event, lang)
        if isinstance(event, Escalate):
            logger.info(
                "escalation %s/%s for resident %s", event.priority, event.reason, resident_id
            )
            await cases.open_case(
                s,
                resident_id,
                reason=event.reason,
                priority=event.priority,
                detail=event.detail,
                language=lang,
                now=self.clock(),
            )
            return self.catalogs.render(Say(ESCALATED), lang)
        return None

    async def _language(self, s, resident_id: int, state: State, chosen: str | None, lang: str):
        if chosen is None:
            buttons = tuple((NATIVE_NAMES[code], f"lang:{code}") for code in LANGUAGES)
            ask = self.catalogs.render(Say(LANGUAGE_ASK), lang)
            return state, [Rendered(ask.text, buttons, ask.language)], lang
        await repo.set_language(s, resident_id, chosen)
        replies = [self.catalogs.render(Say(LANGUAGE_SET), chosen)]
        # Show the open question again, now in the chosen language.
        state, events = repeat(self.flows, state, env=self.env())
        replies += [self.catalogs.render(e, chosen) for e in events if isinstance(e, Say)]
        return state, replies, chosen

    async def _queue(self, s, resident_id: int, rendered: Rendered, now: datetime) -> None:
        buttons = [list(b) for b in rendered.buttons] or None
        entry = await repo.add_transcript(
            s,
            resident_id,
            "out",
            rendered.text,
            now=now,
            data={"buttons": buttons} if buttons else None,
        )
        await repo.enqueue(
            s,
            resident_id,
            rendered.text,
            now=now,
            buttons=buttons,
            priority=PRIORITY_NORMAL,
            transcript_id=entry.id,
        )


def _is_language_command(inbound: Inbound) -> bool:
    text = (inbound.text or "").strip()
    word = text[1:] if text.startswith("/") else text
    return word.split("@", 1)[0].casefold() in LANGUAGE_COMMANDS or text.casefold() in {
        "taal",
        "language",
        "لغة",
        "اللغة",
        "ቋንቋ",
    }


def _language_choice(inbound: Inbound) -> str | None:
    payload = inbound.payload or ""
    if payload.startswith("lang:") and payload[5:] in LANGUAGES:
        return payload[5:]
    return None
