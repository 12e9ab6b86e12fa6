"""`buurtbot chat`: talk to the flows in a terminal, through the same conversation path and
database as Telegram, so what an author sees here is what a resident gets."""

from __future__ import annotations

import asyncio
import secrets
import sys
from typing import TextIO

from bot.config import Config
from bot.conversation import Conversations, Inbound
from bot.engine import load
from bot.engine.errors import FlowSetInvalid
from bot.i18n import LANGUAGES
from storage import migrate
from storage import outbox as outbox_db
from storage import residents as resident_db
from storage.db import Database
from storage.types import utcnow

QUIT = {"/quit", "/exit", "/q"}


def run(
    config: Config, lang: str = "nl", stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout
) -> int:
    if lang not in LANGUAGES:
        print(f"unknown language {lang!r}; choose one of {', '.join(LANGUAGES)}", file=sys.stderr)
        return 2
    try:
        flows = load(config.flows_dir)
    except FlowSetInvalid as invalid:
        for problem in sorted(invalid.problems):
            print(problem, file=sys.stderr)
        return 1
    return asyncio.run(_chat(config, flows, lang, stdin, stdout))


async def _chat(config: Config, flows, lang: str, stdin: TextIO, stdout: TextIO) -> int:
    db = Database(config.database_url)
    await migrate.upgrade(db)
    conversations = Conversations.from_config(db, config, flows)
    conversations.signals = False  # an author trying flows: not in the neighbourhood figures
    chat_id = f"terminal-{secrets.token_hex(4)}"
    async with db.transaction() as s:
        resident = await resident_db.get_or_create_resident(
            s, "terminal", chat_id, now=conversations.clock()
        )
        await resident_db.set_language(s, resident.id, lang)
        resident_id = resident.id
    print("Buurtbot in de terminal. /quit om te stoppen; een nummer kiest een knop.", file=stdout)
    buttons: list[list[str]] = []
    await conversations.receive(Inbound("terminal", chat_id, text="/start"))
    try:
        while True:
            buttons = await _deliver(db, resident_id, stdout) or buttons
            stdout.write("> ")
            stdout.flush()
            line = stdin.readline()
            if not line or line.strip() in QUIT:
                break
            text = line.rstrip("\n")
            inbound = Inbound("terminal", chat_id, text=text)
            if text.strip().isdigit() and 0 < int(text) <= len(buttons):
                label, payload = buttons[int(text) - 1]
                inbound = Inbound("terminal", chat_id, text=label, payload=payload)
            await conversations.receive(inbound)
    finally:
        await db.dispose()
    return 0


async def _deliver(db: Database, resident_id: int, out: TextIO) -> list[list[str]]:
    """This terminal is a channel like any other: it sends its outbox rows, by printing them."""
    last: list[list[str]] = []
    async with db.transaction() as s:
        now = utcnow()
        for message in await outbox_db.next_pending(s, now=now, limit=100, resident_id=resident_id):
            print(f"\nbot: {message.text}", file=out)
            for i, (label, _) in enumerate(message.buttons or [], 1):
                print(f"  [{i}] {label}", file=out)
            last = message.buttons or last
            await outbox_db.mark_sent(s, message.id, now=now)
    return last
