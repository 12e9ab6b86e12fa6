"""Live content (bot/ops/content.py): an edited flow is served without a restart; a broken edit
keeps the running flows and says so on the Flows page and in the log; a resident waiting at a
node that is gone gets a kind line and the menu (issue 18). Through the real app over HTTP,
with a copy of the flows edited on disk as an author would."""

from __future__ import annotations

import asyncio
import logging
import shutil
import time
from dataclasses import replace
from pathlib import Path

import pytest

from bot.channels.webchat.simulator import SIMULATOR
from bot.dashboard.settings import REPLIES
from bot.engine import texts as engine_texts
from bot.keys import CONVERSATIONS, DB
from bot.ops.content import CONTENT
from tests.dashboard.conftest import Worker, create_user, dashboard_app

ROOT = Path(__file__).resolve().parents[2]
TITLE = "Een slaapplek"
NEW_TITLE = "Een slaapplek vinden"


@pytest.fixture
async def live(aiohttp_client, web_config, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("BUURTBOT_CONTENT_POLL_SECONDS", "0.2")
    flows = tmp_path / "content" / "flows"
    shutil.copytree(ROOT / "flows", flows)
    app = dashboard_app(replace(web_config, flows_dir=flows))
    client = await aiohttp_client(app)
    client.flows = flows
    return client


async def _send(client, text: str, payload: str | None = None) -> dict:
    body = {"text": text} if payload is None else {"text": text, "payload": payload}
    answer = await client.post("/chat/api/send", json=body)
    assert answer.status == 200
    return await answer.json()


def _buttons(data: dict) -> dict[str, str]:
    asked = [m for m in data["messages"] if m["from"] == "bot" and m["buttons"]]
    return dict(asked[-1]["buttons"]) if asked else {}


def _menu(data: dict) -> list[str]:
    return list(_buttons(data))


async def _press(client, label: str) -> dict:
    """Press a button of the menu (a typed "slaapplek" would be read for risk first)."""
    payload = _buttons(await _send(client, "menu"))[label]
    return await _send(client, label, payload)


async def _begin(client) -> None:
    await _send(client, "/start")
    await _send(client, "Nederlands", "lang:nl")


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


async def _until(check, seconds: float = 20.0):
    deadline = time.monotonic() + seconds
    while True:
        found = await check()
        if found or time.monotonic() > deadline:
            return found
        await asyncio.sleep(0.2)


async def test_an_edited_title_is_served_without_a_restart(live):
    await _begin(live)
    assert TITLE in _menu(await _send(live, "menu"))
    _edit(live.flows / "opvang.yaml", f"title: {TITLE}\n", f"title: {NEW_TITLE}\n")

    async def served():
        return NEW_TITLE in _menu(await _send(live, "menu"))

    assert await _until(served), "the new title was not served within 20 s"
    # The simulator runs the same content.
    assert live.app[SIMULATOR].flows is live.app[CONVERSATIONS].flows
    assert live.app[SIMULATOR].flows.flows["opvang"].title == NEW_TITLE


async def test_edited_canned_replies_are_offered_without_a_restart(live):
    replies = live.app[REPLIES]
    assert "Kennismaken" in [r.title for r in replies.replies]
    _edit(live.flows / "replies" / "algemeen.yaml", "title: Kennismaken", "title: Even voorstellen")

    async def offered():
        return "Even voorstellen" in [r.title for r in live.app[REPLIES].replies]

    assert await _until(offered)


async def test_a_broken_edit_keeps_the_running_flows_and_says_so(live, caplog):
    caplog.set_level(logging.ERROR, logger="bot.ops.content")
    await create_user(live.app[DB], "anne", role="admin")
    anne = await Worker.login(live, "anne")
    await _begin(live)
    _, html = await anne.page("/dashboard/admin/flows")
    assert 'data-testid="content-live"' in html and 'data-testid="content-kept"' not in html
    _edit(live.flows / "opvang.yaml", "start: wanneer\n", "start: wanner\n")  # a typo

    async def refused():
        return live.app[CONTENT].problems

    assert await _until(refused)
    # Residents still get the flows that ran: the menu and the opvang flow work.
    data = await _press(live, TITLE)
    assert "Wanneer heb je een slaapplek nodig?" in [m["text"] for m in data["messages"]][-1]
    # The admin sees why on the Flows page, with the place of the error; the log has it too.
    _, html = await anne.page("/dashboard/admin/flows")
    kept = html.split('data-testid="content-kept"')[1].split("</section>")[0]
    assert f"{live.flows}/opvang.yaml:23:8: fout: start: geen node &#39;wanner&#39;" in kept
    assert any("wanner" in r.getMessage() for r in caplog.records)
    # The author trying it in the simulator is told too, in Dutch, with the place.
    told = (await (await live.get("/simulator/api/messages")).json())["content"]
    assert told["kept"] and told["text"].startswith("Je laatste wijziging van de flows is niet")
    assert told["problems"] == [
        f"{live.flows}/opvang.yaml:23:8: fout: start: geen node 'wanner' (bedoel je 'wanneer'?)"
    ]
    assert any("the running flows stay" in r.getMessage() for r in caplog.records)
    # Fixed: taken over, and the page says so.
    _edit(live.flows / "opvang.yaml", "start: wanner\n", "start: wanneer\n")

    async def fixed():
        return not live.app[CONTENT].problems

    assert await _until(fixed)
    _, html = await anne.page("/dashboard/admin/flows")
    assert 'data-testid="content-kept"' not in html
    told = (await (await live.get("/simulator/api/messages")).json())["content"]
    assert not told["kept"] and told["problems"] == []


async def test_a_resident_at_a_node_that_is_gone_gets_a_kind_line_and_the_menu(live):
    await _begin(live)
    data = await _press(live, TITLE)
    assert data["state"]["flow"] == "opvang" and data["state"]["node"] == "wanneer"
    flow = live.flows / "opvang.yaml"
    _edit(flow, "start: wanneer\n", "start: wanneer_nu\n")
    _edit(flow, "  wanneer:\n", "  wanneer_nu:\n")
    before = live.app[CONTENT].loaded_at

    async def swapped():
        return live.app[CONTENT].loaded_at != before

    assert await _until(swapped)
    data = await _send(live, "Binnenkort")
    said = [m["text"] for m in data["messages"] if m["from"] == "bot"]
    assert engine_texts.SOMETHING_WRONG in said
    assert TITLE in _menu(data) and data["state"]["flow"] == "_menu"
    # The next resident starts at the new node.
    data = await _press(live, TITLE)
    assert data["state"]["node"] == "wanneer_nu"
