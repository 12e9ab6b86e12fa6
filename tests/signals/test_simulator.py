"""Test conversations in the simulator never count; the same messages in the web chat do."""

from __future__ import annotations

from pathlib import Path

from bot.app import DB, init_app
from storage import signals
from tests.dashboard.conftest import Worker, create_user
from tests.webchat.conftest import web_config

PERSON = "Ik wil met een mens praten"
NO_BED = "ik heb vannacht geen slaapplek"


async def _counts(client) -> list:
    async with client.app[DB].transaction() as s:
        return await signals.counts(s)


async def test_the_simulator_never_counts_and_the_web_chat_does(aiohttp_client, tmp_path: Path):
    client = await aiohttp_client(init_app(web_config(tmp_path)))
    await create_user(client.app[DB], "fatima")
    await Worker.login(client, "fatima")
    for said in ("/start", "zorgtoeslag", PERSON, NO_BED, "ik wil niet meer leven"):
        answer = await client.post("/simulator/api/send", json={"text": said})
        assert answer.status == 200
    await client.post("/simulator/api/reset", headers={"Origin": str(client.make_url(""))})
    await client.post("/simulator/api/send", json={"text": PERSON})
    assert await _counts(client) == []

    answer = await client.post("/chat/api/send", json={"text": PERSON})
    assert answer.status == 200
    measures = {m for _, _, m, _ in await _counts(client)}
    assert "case.normal.asked_for_person" in measures


def test_buurtbot_chat_in_the_terminal_never_counts(tmp_path: Path):
    """`buurtbot chat` is an author trying the flows on the real database: not a resident."""
    import asyncio
    import io

    from bot.channels import terminal
    from storage.db import Database

    config = web_config(tmp_path)
    out = io.StringIO()
    assert terminal.run(config, "nl", io.StringIO(f"{PERSON}\n{NO_BED}\n/quit\n"), out) == 0
    assert "medewerker" in out.getvalue()  # it did go through the conversation path

    async def stored() -> list:
        db = Database(config.database_url)
        try:
            async with db.transaction() as s:
                return await signals.counts(s)
        finally:
            await db.dispose()

    assert asyncio.run(stored()) == []
