"""Attachments as the conversation path takes them: a channel downloads the file once and
hands it in with the message (`Inbound.attachment`, see `carry`); here its type is checked from
its content, never its name or the type it claims, its size is limited, and it is stored with
the transcript entry that notes it, in the message's own transaction (storage/attachments.py).

Pure except for `store`, which writes through the turn's session.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from storage import attachments as attachment_db

MAX_BYTES = 10 * 1024 * 1024  # 10 MB: a phone photo of a letter is 1-4 MB
MAX_MB = MAX_BYTES // (1024 * 1024)
TOO_LARGE = "too_large"
WRONG_TYPE = "wrong_type"
STORED = "stored"

# What may be stored, by kind; each type is recognised by its first bytes.
IMAGES = ("image/jpeg", "image/png", "image/webp")
DOCUMENTS = ("application/pdf",)
AUDIO = ("audio/ogg", "audio/mp4", "audio/mpeg", "audio/amr")
KIND_OF = {**dict.fromkeys(IMAGES, "photo"), **dict.fromkeys(DOCUMENTS, "document")}
KIND_OF.update(dict.fromkeys(AUDIO, "voice"))


def sniff(data: bytes) -> str | None:
    """The type of `data` by its content, among those allowed; None for anything else (HTML,
    SVG, executables, an unknown format)."""
    head = data[:16]
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"OggS"):
        return "audio/ogg"  # WhatsApp and Telegram voice notes: Opus in Ogg
    if head[4:8] == b"ftyp" and head[8:11] in (b"M4A", b"mp4", b"iso", b"MP4"):
        return "audio/mp4"
    if head.startswith(b"#!AMR"):
        return "audio/amr"
    if head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "audio/mpeg"
    return None


def carry(data: bytes | None, *, too_large: bool = False) -> dict[str, str]:
    """What a channel puts in `Inbound.attachment`: the bytes (base64, so that a message held
    while the database is away can be spooled as JSON), or that the file was too large to
    fetch."""
    if too_large or data is None or len(data) > MAX_BYTES:
        return {"refused": TOO_LARGE}
    return {"data": base64.b64encode(data).decode("ascii")}


def unpack(carried: dict[str, Any] | None) -> tuple[bytes | None, str | None]:
    """(the bytes, why they are refused): one of them is None."""
    if not carried:
        return None, None
    if carried.get("refused") == TOO_LARGE:
        return None, TOO_LARGE
    try:
        data = base64.b64decode(str(carried.get("data") or ""), validate=True)
    except (binascii.Error, ValueError):
        return None, WRONG_TYPE
    if len(data) > MAX_BYTES:
        return None, TOO_LARGE
    if sniff(data) is None:
        return None, WRONG_TYPE
    return data, None


async def store(
    turn: Any, entry_id: int | None, case_id: int | None, details: dict[str, Any]
) -> str | None:
    """Check and store the turn's attachment with its transcript entry; notes the outcome
    in `details` (the entry's data) and returns it (None: the message carried none)."""
    data, refused = unpack(turn.inbound.attachment)
    if refused is not None:
        details["refused"] = refused
        return refused
    if data is None:
        return None
    mime = sniff(data)
    assert mime is not None
    found = await attachment_db.add(
        turn.session,
        resident_id=turn.rid,
        transcript_id=entry_id,
        case_id=case_id,
        kind=KIND_OF[mime],
        mime=mime,
        data=data,
        now=turn.now,
    )
    details.update(attachment=found.id, mime=mime, size=len(data))
    return STORED
