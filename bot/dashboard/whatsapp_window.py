"""WhatsApp's 24-hour window as the case page shows it: open until when, or closed with how
many replies wait for the resident to write (bot/channels/whatsapp/window.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.channels.whatsapp.window import CHANNEL, closes_at, is_open
from storage import deliveries
from storage.residents import Resident


@dataclass(frozen=True)
class WindowState:
    open: bool
    closes_at: datetime  # or closed at
    held: int  # replies waiting until the resident writes


async def window_state(s: AsyncSession, resident: Resident, now: datetime) -> WindowState | None:
    """None for a resident on another channel."""
    if resident.channel != CHANNEL or resident.id is None:
        return None
    last = resident.last_seen_at
    held = await deliveries.held_for_window(s, resident.id)
    return WindowState(is_open(last, now), closes_at(last), held)
