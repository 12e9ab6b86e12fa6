"""What a channel hands to the conversation path, and what it gets back when the database fails
while a crisis reply waits."""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n import Rendered


@dataclass(frozen=True)
class Inbound:
    """A message from a resident as a channel received it."""

    channel: str
    external_id: str
    text: str | None = None
    payload: str | None = None  # a pressed button
    media: str | None = None  # a photo, voice note, sticker ...: its kind; `text` is its caption
    language_hint: str | None = None  # e.g. Telegram's language_code
    crisis_sent: bool = False  # held while storage was down; its crisis lines went out then
    key: str | None = None  # the channel's id for it: bot id and update_id, the page's id
    # The media's file, downloaded once by the channel (bot/conversation/attachments.py:
    # `carry`): {"data": base64} or {"refused": "too_large"}.
    attachment: dict[str, str] | None = None


class DeliverDirectly(Exception):
    """The database failed, but these crisis replies must reach the resident anyway: the
    channel sends them at once, outside the outbox."""

    def __init__(self, replies: list[Rendered]) -> None:
        super().__init__("crisis reply without storage")
        self.replies = replies
