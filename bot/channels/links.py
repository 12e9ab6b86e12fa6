"""Phone numbers and web addresses in a message, for channels that mark them up: Telegram
gets them as message entities (`phone_number`, `url`), so that clients make them tappable
whatever their own detection does with Dutch numbers such as 0800-0113 or a bare 112. The
web chat finds the same patterns in the page (static/links.js) and builds the links as DOM
nodes. A worker's name before their reply ("Sanne (buurtteam):") is bold.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_EDGE = "[^\\s<>\"'\u2066-\u2069]"
_TAIL = "[^\\s<>\"'\u2066-\u2069.,;:!?)\\]»]"
_URL = f"https?://{_EDGE}*{_TAIL}"
_DOMAIN = (
    r"(?:www\.)?[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:nl|com|org|net|eu|info)"
    f"(?:/(?:{_EDGE}*{_TAIL})?)?(?!\\w)"
)
_PHONE = r"(?<![\d€.,/-])(?:0\d{2,3}-\d{4,7}|0\d{9}|11[23])(?!\d|[.,]\d)"
PATTERN = re.compile(rf"(?<![\w@./-])({_URL}|{_DOMAIN})|({_PHONE})", re.IGNORECASE)
SIGNED = re.compile("^\u2068?[^\n:]{1,40} \\(buurtteam\\):\u2069?")


@dataclass(frozen=True)
class Entity:
    """Telegram's MessageEntity fields; offsets and lengths in UTF-16 code units."""

    type: str
    offset: int
    length: int


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def links(text: str) -> list[tuple[str, int, int]]:
    """(kind "url" or "phone", start, end) of each link in `text`, in Python indexes."""
    return [("url" if m.group(1) else "phone", m.start(), m.end()) for m in PATTERN.finditer(text)]


def entities(text: str) -> list[Entity]:
    """The entities Telegram needs to show `text` with its name bold and its links tappable."""
    found = []
    signed = SIGNED.match(text)
    if signed:
        found.append(Entity("bold", 0, _units(signed.group(0))))
    for kind, start, end in links(text):
        if signed and start < signed.end():
            continue
        found.append(
            Entity(
                "url" if kind == "url" else "phone_number",
                _units(text[:start]),
                _units(text[start:end]),
            )
        )
    return found
