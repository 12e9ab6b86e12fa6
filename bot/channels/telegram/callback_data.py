"""Button payloads as Telegram callback data, which must be 1 to 64 bytes.

Payloads from the flow engine are short and go through unchanged. Anything that does not fit
(or that starts with the marker) goes as `#` and a hash of the payload; pressing such a button
finds the payload again among the buttons recently sent to that resident, which the outbox
keeps. A press whose data is unknown is passed on as it came, and the conversation treats it as
a stale button.
"""

from __future__ import annotations

import base64
import hashlib

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.outbox import OutboxMessage
from storage.residents import Resident

MAX_BYTES = 64
MARKER = "#"
_LOOK_BACK = 50  # outbox rows of the resident searched for a hashed payload


def encode(payload: str) -> str:
    size = len(payload.encode("utf-8", "surrogatepass"))
    if 0 < size <= MAX_BYTES and not payload.startswith(MARKER):
        return payload
    return _hashed(payload)


def _hashed(payload: str) -> str:
    digest = hashlib.sha256(payload.encode("utf-8", "surrogatepass")).digest()
    return MARKER + base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def is_hashed(data: str) -> bool:
    return data.startswith(MARKER)


async def decode(s: AsyncSession, channel: str, external_id: str, data: str) -> str | None:
    """The payload behind hashed `data`, from the buttons recently sent to this resident."""
    query = (
        select(OutboxMessage.buttons)
        .join(Resident, col(Resident.id) == OutboxMessage.resident_id)
        .where(
            Resident.channel == channel,
            Resident.external_id == external_id,
            col(OutboxMessage.buttons).is_not(None),
        )
        .order_by(col(OutboxMessage.id).desc())
        .limit(_LOOK_BACK)
    )
    for buttons in (await s.exec(query)).all():
        for button in buttons or []:
            if isinstance(button, list | tuple) and len(button) == 2:
                payload = str(button[1])
                if _hashed(payload) == data:
                    return payload
    return None
