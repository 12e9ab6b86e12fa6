"""Who the resident sees in the web chat: the bot, or a social worker by name.

A worker's reply is a transcript entry with the worker's id (bot/dashboard/actions.py); the page
shows it with their display name and "buurtteam", apart from the bot's messages. The header
names the worker who holds the resident's case now.
"""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from storage import cases as case_db
from storage import users as user_db
from storage.transcripts import TranscriptEntry

OPENING = "/start"  # what the page sends to begin; not a message the resident wrote


async def _names(s: AsyncSession, ids: set[int]) -> dict[int, str]:
    names = {}
    for user_id in ids:
        user = await user_db.get_user(s, user_id)
        names[user_id] = user_db.shown_name(user) if user else "?"
    return names


def _worker_id(entry: TranscriptEntry) -> int | None:
    if entry.direction != "out" or not entry.data or entry.data.get("bot"):
        return None  # "bot": a bot text a worker's action sent (the closing message)
    worker = entry.data.get("worker_id")
    return worker if isinstance(worker, int) else None


async def shown(
    s: AsyncSession, entries: list[TranscriptEntry], first_id: int | None, *, risk: bool = False
) -> list[dict]:
    """The page's messages for `entries`. The page's opening "/start" (the resident's first
    entry) is no bubble: the resident did not write it. The risk assessment of a message only
    with `risk` (the simulator behind the dashboard login)."""
    names = await _names(s, {w for e in entries if (w := _worker_id(e)) is not None})
    out: list[dict[str, Any]] = []
    for e in entries:
        if e.id == first_id and e.direction == "in" and e.text.strip() == OPENING:
            continue
        worker = _worker_id(e)
        message: dict[str, Any] = {
            "id": e.id,
            "from": "resident" if e.direction == "in" else "bot" if worker is None else "worker",
            "text": e.text,
            "buttons": (e.data or {}).get("buttons") or [],
        }
        if risk:
            message["risk"] = (e.data or {}).get("risk")
        if worker is not None:
            message["name"] = names[worker]
        out.append(message)
    return out


async def case_and_person(s: AsyncSession, resident_id: int) -> tuple[str | None, dict | None]:
    """(the open case's status or None, the worker who holds it: {"name"} or None)."""
    case = await case_db.open_case_of(s, resident_id)
    if case is None:
        return None, None
    if case.status != "claimed" or case.worker_id is None:
        return case.status, None
    user = await user_db.get_user(s, case.worker_id)
    return case.status, {"name": user_db.shown_name(user)} if user else None
