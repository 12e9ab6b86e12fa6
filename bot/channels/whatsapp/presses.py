"""A pressed reply button or list row: its id is the button's payload (hashed when long, as
Telegram's callback data), and its label is found again among the buttons recently sent to
that resident, so the transcript shows the whole label even when WhatsApp showed it folded."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.channels.telegram import callback_data
from storage.outbox import OutboxMessage
from storage.residents import Resident

LOOK_BACK = 50  # outbox rows of the resident searched


async def pressed(
    s: AsyncSession, channel: str, external_id: str, data: str
) -> tuple[str, str] | None:
    """(payload, label) of the button sent with id `data`; None when none was."""
    query = (
        select(OutboxMessage.buttons)
        .join(Resident, col(Resident.id) == OutboxMessage.resident_id)
        .where(
            Resident.channel == channel,
            Resident.external_id == external_id,
            col(OutboxMessage.buttons).is_not(None),
        )
        .order_by(col(OutboxMessage.id).desc())
        .limit(LOOK_BACK)
    )
    for buttons in (await s.exec(query)).all():
        for button in buttons or []:
            if isinstance(button, list | tuple) and len(button) == 2:
                label, payload = str(button[0]), str(button[1])
                if callback_data.encode(payload) == data:
                    return payload, label
    return None
