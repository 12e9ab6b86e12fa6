"""The simulator behind the dashboard login: the same JSON as the web chat plus the risk
assessment, on a database of its own, so nothing reaches the real queue, alerts or figures.
The web chat itself never shows a resident the risk level or the phrases that matched."""

from __future__ import annotations

import json

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
    assert risk == {
        "level": "high",
        "categories": ["no_bed"],
        "text": "Hoog: «geen slaapplek» (Geen slaapplek vannacht)",
    }
    assert data["cases"] == [
        {
            "priority": "high",
            "reason": "no_bed",
            "status": "waiting",
            "text": "Dit zou een hoge casus openen: Geen slaapplek vannacht",
        }
    ]
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


async def test_the_simulator_shows_the_residents_words_never_the_lists_patterns(client):
    """The phrase lists hold patterns such as `wil + niet meer leven` and `deurwaarder*`: the
    author sees the words the resident typed, and the category in words."""
    await create_user(client.app[DB], "fatima")
    await Worker.login(client, "fatima")
    await client.post("/simulator/api/send", json={"text": "/start"})
    await client.post("/simulator/api/send", json={"text": "Nederlands", "payload": "lang:nl"})
    typed = "ik wil echt niet meer leven"
    data = await (await client.post("/simulator/api/send", json={"text": typed})).json()
    body = json.dumps(data, ensure_ascii=False)
    assert " + " not in body and '"phrase"' not in body and '"score"' not in body
    risk = next(m["risk"] for m in data["messages"] if m["text"] == typed)
    assert risk["level"] == "urgent"
    assert risk["text"] == "Urgent: «wil echt niet meer leven» (Zelfdoding of zelfbeschadiging)"
    assert data["cases"][0]["text"] == (
        "Dit zou een urgente casus openen: Zelfdoding of zelfbeschadiging"
    )


async def test_a_person_case_from_the_simulator_never_reaches_the_real_queue(client):
    """The black-box check of issue 18: /mens in the simulator, then the real queue."""
    await create_user(client.app[DB], "fatima")
    worker = await Worker.login(client, "fatima")
    await client.post("/simulator/api/send", json={"text": "/start"})
    data = await (await client.post("/simulator/api/send", json={"text": "/mens"})).json()
    assert [c["reason"] for c in data["cases"]] == ["asked_for_person"]
    assert data["cases"][0]["text"] == "Dit zou een normale casus openen: Vraagt om een mens"
    status, queue = await worker.page("/dashboard/")
    assert status == 200 and 'data-testid="case-row"' not in queue
    async with client.app[DB].transaction() as s:
        assert (await s.exec(select(Case))).all() == []
    async with client.app[SIMULATOR].db.transaction() as s:
        assert len((await s.exec(select(Case))).all()) == 1


async def test_the_panel_speaks_the_workers_dashboard_language(client):
    await create_user(client.app[DB], "sam")
    worker = await Worker.login(client, "sam")
    await worker.page("/dashboard/?lang=en")
    await client.post("/simulator/api/send", json={"text": "/start"})
    data = await (await client.post("/simulator/api/send", json={"text": "/mens"})).json()
    assert data["cases"][0]["text"] != "Dit zou een normale casus openen: Vraagt om een mens"
    assert "case" in data["cases"][0]["text"].lower()
