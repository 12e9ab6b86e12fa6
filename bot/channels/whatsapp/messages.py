"""Outgoing WhatsApp messages as Cloud API request bodies: text, interactive reply buttons
(up to 3), interactive lists (up to 10 rows a message) and the template that reopens the
24-hour window. Pure: no HTTP, no database.

The API's limits (checked against Meta's reference, docs/whatsapp.md): a text body 4096
characters, an interactive body 1024, a reply button title 20, a list row title 24 and its
description 72, the list's own button 20, ids 200 (rows) and 256 (buttons).

A label that does not fit is folded, never cut blind: a list row gets the label's first words
as its title (ending in "…") and the whole label as its description, so the resident reads it
in full. Options that need more room than reply buttons give go as a list.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.channels.telegram import callback_data
from bot.channels.telegram.sending import split_text

MAX_TEXT = 4096
MAX_BODY = 1024
MAX_REPLY_BUTTONS = 3
MAX_BUTTON_TITLE = 20
MAX_ROWS = 10
MAX_ROW_TITLE = 24
MAX_ROW_DESCRIPTION = 72
LIST_BUTTON = "☰"  # the list's own button: a sign every language reads; the body asks
MORE = "⋯"  # the body of a second list message (a body is required)
ELLIPSIS = "…"

Body = dict[str, Any]


def fold(label: str, limit: int) -> str:
    """`label` in at most `limit` characters: whole when it fits, else its first words and
    "…" (cut inside a word only when the first word alone is too long)."""
    label = " ".join(label.split())
    if len(label) <= limit:
        return label
    room = label[: limit - 1]
    cut = len(room) if label[limit - 1] == " " else room.rfind(" ")  # a word ends at the cut
    if cut >= limit // 3:
        room = room[:cut]
    return room.rstrip(" ,.;:-") + ELLIPSIS


def row(label: str, payload: str) -> Body:
    title = fold(label, MAX_ROW_TITLE)
    found: Body = {"id": callback_data.encode(payload), "title": title}
    whole = " ".join(label.split())
    if title != whole:
        found["description"] = fold(whole, MAX_ROW_DESCRIPTION)
    return found


def fits_reply_buttons(buttons: Sequence[tuple[str, str]]) -> bool:
    titles = [" ".join(label.split()) for label, _ in buttons]
    return (
        0 < len(buttons) <= MAX_REPLY_BUTTONS
        and all(0 < len(t) <= MAX_BUTTON_TITLE for t in titles)
        and len(set(titles)) == len(titles)  # the API refuses two buttons alike
    )


def _envelope(to: str, kind: str, content: Body) -> Body:
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": kind,
        kind: content,
    }


def text(to: str, body: str) -> Body:
    return _envelope(to, "text", {"body": body, "preview_url": False})


def reply_buttons(to: str, body: str, buttons: Sequence[tuple[str, str]]) -> Body:
    action = {
        "buttons": [
            {
                "type": "reply",
                "reply": {"id": callback_data.encode(payload), "title": " ".join(label.split())},
            }
            for label, payload in buttons
        ]
    }
    return _envelope(
        to, "interactive", {"type": "button", "body": {"text": body}, "action": action}
    )


def option_list(to: str, body: str, buttons: Sequence[tuple[str, str]]) -> Body:
    action = {
        "button": LIST_BUTTON,
        "sections": [{"rows": [row(label, payload) for label, payload in buttons]}],
    }
    return _envelope(to, "interactive", {"type": "list", "body": {"text": body}, "action": action})


def bodies(to: str, message: str, buttons: Sequence[tuple[str, str]]) -> list[Body]:
    """The request bodies for one outbox row, in the order they go out: the text (in parts
    when long), the options under its last part."""
    buttons = [(label.strip() or payload or ELLIPSIS, payload) for label, payload in buttons]
    if not buttons:
        return [text(to, part) for part in split_text(message, MAX_TEXT)]
    parts = split_text(message, MAX_TEXT) or [MORE]
    last = parts.pop()
    if len(last) > MAX_BODY:  # an interactive body is shorter than a text
        more = split_text(last, MAX_BODY)
        last = more.pop()
        parts.extend(more)
    found = [text(to, part) for part in parts]
    if fits_reply_buttons(buttons):
        found.append(reply_buttons(to, last, buttons))
        return found
    for start in range(0, len(buttons), MAX_ROWS):
        found.append(
            option_list(to, last if start == 0 else MORE, buttons[start : start + MAX_ROWS])
        )
    return found


def template(to: str, name: str, language: str) -> Body:
    """The approved template `name` in `language` (Meta's language code)."""
    return _envelope(to, "template", {"name": name, "language": {"code": language}})
