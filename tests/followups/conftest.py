"""Shared parts of the follow-up tests: test-owned flows, a settable clock, a resident who
reached the menu."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.conversation import Conversations, Inbound
from bot.engine import load
from bot.escalation import OfficeHours
from bot.i18n import Catalogs, Rendered
from tests.dashboard.conftest import (  # noqa: F401  (the dashboard's fixtures, for its tests here)
    add_user,
    app,
    client,
    config,
    quick_passwords,
    second_client,
)

FLOWS = load(Path(__file__).parent / "flows")
LOCALES = Path(__file__).resolve().parents[2] / "locales"
MONDAY = datetime(2026, 12, 7, 10, tzinfo=UTC)  # 11:00 in Amsterdam, office hours


@dataclass
class Clock:
    now: datetime = MONDAY

    def __call__(self) -> datetime:
        return self.now


def conversations(database, clock: Clock, *, catalogs: Catalogs | None = None) -> Conversations:
    return Conversations(
        database,
        FLOWS,
        catalogs or Catalogs.empty(),
        office=OfficeHours.parse("ma-vr 09:00-17:00"),
        clock=clock,
    )


def payload(replies: list[Rendered], label: str) -> str:
    for reply in replies:
        for shown, sent in reply.buttons:
            if shown == label:
                return sent
    raise AssertionError(f"no button {label!r} in {[r.buttons for r in replies]}")


async def at_menu(c: Conversations, chat: str, lang: str = "nl") -> list[Rendered]:
    await c.receive(Inbound("telegram", chat, text="hallo"))
    return await c.receive(Inbound("telegram", chat, text=lang, payload=f"lang:{lang}"))


async def press(c: Conversations, chat: str, sent: str) -> list[Rendered]:
    return await c.receive(Inbound("telegram", chat, text="", payload=sent))


async def say(c: Conversations, chat: str, text: str) -> list[Rendered]:
    return await c.receive(Inbound("telegram", chat, text=text))
