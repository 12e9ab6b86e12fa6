"""The simulator behind the dashboard login: the same JSON as the web chat plus the risk
assessment, on a database of its own, so nothing reaches the real queue, alerts or figures.
The web chat itself never shows a resident the risk level or the phrases that matched."""

from __future__ import annotations

from sqlmodel import select

from bot.app import CONVERSATIONS, DB
from bot.channels.webchat.simulator import SIMULATOR
from storage.cases import Case
from storage.residents import Resident
from tests.dashboard.conftest import Worker, create_user

RISK = "ik heb vannacht geen slaapplek"


async def test_the_web_chat_never_shows_the_risk_assessment(client):
    await client.get("/")
    answer = await client.post("/chat/api/send", json={"text": RISK})
    data = await answer.json()
    mine = [m for m in data["messages"] if m["from"] == "resident"]
    assert mine and all("risk" not in m for m in mine)
    body = await answer.text()
    assert "no_bed" not in body and "geen slaapplek (" not in body and '"level"' not in body
    again = await (await client.get("/chat/api/messages?after=0")).text()
    assert "no_bed" not in again and '"risk"' not in again


async def test_the_simulator_needs_a_dashboard_login(client):
    page = await client.get("/simulator", allow_redirects=False)
    assert page.status == 303 and page.headers["Location"].startswith("/dashboard/login")
    for path in ("/simulator/api/send", "/simulator/api/reset"):
        response = await client.post(path, json={"text": "hoi"})
        assert response.status == 401
    assert (await client.get("/simulator/api/messages")).status == 401


async def test_the_simulator_shows_risk_and_keeps_its_cases_to_itself(client):
    await create_user(client.app[DB], "fatima")
    worker = await Worker.login(client, "fatima")
    page = await client.get("/simulator")
    assert page.status == 200 and 'data-mode="simulator"' in await page.text()
    heard: list[int] = []  # what the real senders, live pages and alerts would hear
    client.app[CONVERSATIONS].notifier.subscribe(heard.append)
    await client.post("/simulator/api/send", json={"text": "/start"})
    answer = await client.post("/simulator/api/send", json={"text": RISK})
    assert answer.status == 200
    data = await answer.json()
    risk = [m["risk"] for m in data["messages"] if m["from"] == "resident"][-1]
    assert risk["level"] == "high"
    assert {"phrase": "geen slaapplek", "category": "no_bed", "language": "nl"}.items() <= (
        risk["matches"][0].items()
    )
    assert {"messages", "language", "dir", "state", "languages", "ui"} <= data.keys()
    # Nothing in the real database: no resident, no case, so no queue, alert or figure.
    async with client.app[DB].transaction() as s:
        assert (await s.exec(select(Resident))).all() == []
        assert (await s.exec(select(Case))).all() == []
    simulated = client.app[SIMULATOR]
    assert simulated.db is not client.app[DB] and simulated.metrics is None
    assert simulated.notifier is not client.app[CONVERSATIONS].notifier
    assert heard == []  # no sender, live page or alert hears of it
    shown = await (await client.get("/simulator/api/messages?after=0")).json()
    assert any(m.get("risk") for m in shown["messages"])
    # After logout the simulator is closed again.
    await worker.post("/dashboard/logout")
    assert (await client.get("/simulator/api/messages")).status == 401
