"""Crisis lines before a file is fetched. A photo or voice note is downloaded before its
message goes to the conversation path (the file is stored in the message's transaction), and a
download may take seconds. When the caption shows acute risk, the crisis lines go out first,
directly, and the message follows marked `crisis_sent` (rule 1 of DESIGN.md), as a message
held while storage was down does."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace

from bot.conversation import Conversations, Inbound
from bot.i18n import Rendered

logger = logging.getLogger(__name__)

SendNow = Callable[[list[Rendered]], Awaitable[bool]]


async def crisis_before_download(
    conversations: Conversations, inbound: Inbound, send_now: SendNow
) -> Inbound:
    """`inbound` as it goes on: marked `crisis_sent` when its crisis lines went out here."""
    lines = await conversations.crisis_replies(inbound)
    if not lines:
        return inbound
    if await send_now(lines):
        return replace(inbound, crisis_sent=True)
    logger.error("crisis lines before a download could not be sent; they go through the outbox")
    return inbound
