"""The Cloud API's webhook payload read into plain values: the residents' messages and the
status reports of ours. Pure; anything of an unknown shape is skipped, never raised on, so a
payload that is partly new to us still has its known parts handled.

Shape (Meta's webhook reference, docs/whatsapp.md): `entry[].changes[].value` with
`messages[]` (`from`, `id` = the wamid, `type`, and per type `text.body`,
`interactive.button_reply|list_reply.{id,title}`, `button.{payload,text}` from a template,
`image|audio|document|video|sticker.{id,mime_type,caption}`) and `statuses[]` (`id`,
`status`, `recipient_id`, `errors[].{code,title}`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

MEDIA = ("image", "audio", "voice", "document", "video", "sticker")
# What the conversation path calls each (Inbound.media), as Telegram's handlers do.
MEDIA_NAMES = {"image": "photo", "audio": "voice", "voice": "voice", "document": "document"}


@dataclass(frozen=True)
class Message:
    """One message from a resident."""

    wa_id: str
    id: str  # the wamid: the idempotency key
    kind: str  # text, press, media, other
    text: str | None = None
    payload: str | None = None  # a pressed button's or list row's id
    media: str | None = None  # photo, voice, document, video, sticker, location ...
    media_id: str | None = None
    mime_type: str | None = None


@dataclass(frozen=True)
class Status:
    """What became of a message we sent."""

    id: str
    status: str  # sent, delivered, read, failed
    codes: tuple[int, ...] = ()
    error: str | None = None


def _values(data: Any, phone_number_id: str | None) -> Iterator[dict[str, Any]]:
    """The changes' values; with `phone_number_id`, only those for that business number (an
    app with several numbers gets the posts of all of them)."""
    if not isinstance(data, dict):
        return
    for entry in data.get("entry") or []:
        if not isinstance(entry, dict):
            continue
        for change in entry.get("changes") or []:
            value = change.get("value") if isinstance(change, dict) else None
            if not isinstance(value, dict):
                continue
            metadata = value.get("metadata") if isinstance(value.get("metadata"), dict) else {}
            if phone_number_id and str(metadata.get("phone_number_id")) != phone_number_id:
                continue
            yield value


def messages(data: Any, phone_number_id: str | None = None) -> list[Message]:
    found = []
    for value in _values(data, phone_number_id):
        for raw in value.get("messages") or []:
            message = _message(raw)
            if message is not None:
                found.append(message)
    return found


def statuses(data: Any, phone_number_id: str | None = None) -> list[Status]:
    found = []
    for value in _values(data, phone_number_id):
        for raw in value.get("statuses") or []:
            if not isinstance(raw, dict) or not raw.get("id") or not raw.get("status"):
                continue
            errors = [e for e in raw.get("errors") or [] if isinstance(e, dict)]
            codes = tuple(int(e["code"]) for e in errors if isinstance(e.get("code"), int))
            reason = "; ".join(
                f"{e.get('code')}: {e.get('title') or e.get('message') or ''}".strip()
                for e in errors
            )
            found.append(Status(str(raw["id"]), str(raw["status"]), codes, reason or None))
    return found


def _message(raw: Any) -> Message | None:
    if not isinstance(raw, dict) or not raw.get("from") or not raw.get("id"):
        return None
    wa_id, wamid, kind = str(raw["from"]), str(raw["id"]), raw.get("type")
    content = raw.get(kind) if isinstance(kind, str) else None
    content = content if isinstance(content, dict) else {}
    if kind == "text":
        return Message(wa_id, wamid, "text", text=str(content.get("body") or ""))
    if kind == "interactive":
        reply = content.get("button_reply") or content.get("list_reply")
        if isinstance(reply, dict) and reply.get("id"):
            title = reply.get("title")
            return Message(
                wa_id, wamid, "press", text=str(title) if title else None, payload=str(reply["id"])
            )
    if kind == "button" and content.get("payload"):  # a template's quick reply
        return Message(
            wa_id, wamid, "press", text=content.get("text"), payload=str(content["payload"])
        )
    if kind in MEDIA:
        caption = content.get("caption")
        return Message(
            wa_id,
            wamid,
            "media",
            text=str(caption) if caption else None,
            media=MEDIA_NAMES.get(kind, kind),
            media_id=str(content["id"]) if content.get("id") else None,
            mime_type=content.get("mime_type"),
        )
    # A location, a contact card, a reaction, something new: noted as media of that kind.
    return Message(wa_id, wamid, "media", media=str(kind or "other"))
