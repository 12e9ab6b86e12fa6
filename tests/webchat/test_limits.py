"""Rate limits on the web chat, over real HTTP and a real SQLite database: per chat, per
address (a new chat costs more), 429 with the reason in the resident's language, and a risk
message that still gets its crisis lines over the limit."""

from __future__ import annotations

from sqlmodel import select

from bot.app import DB, init_app
from bot.channels.webchat.limits import LIMITS, Limits, Rule, Rules
from bot.i18n import WEB_TEXTS, Catalogs
from storage.cases import Case
from storage.residents import Resident
from storage.transcripts import TranscriptEntry
from tests.webchat.conftest import ROOT

CRISIS = "ik wil dood"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def _rows(client, model) -> list:
    async with client.app[DB].transaction() as s:
        return list((await s.exec(select(model))).all())


async def test_one_chat_sending_very_fast_is_slowed_down_with_a_clear_answer(client):
    await client.get("/")
    answers = [await client.post("/chat/api/send", json={"text": f"hallo {i}"}) for i in range(30)]
    statuses = [a.status for a in answers]
    assert statuses[:10] == [200] * 10 and set(statuses[10:]) == {429}, statuses
    refused = await answers[-1].json()
    assert refused["error"] == WEB_TEXTS["too_fast"]
    assert int(answers[-1].headers["Retry-After"]) >= 1
    stored = [e for e in await _rows(client, TranscriptEntry) if e.direction == "in"]
    assert len(stored) == 10


async def test_sends_without_a_cookie_make_few_residents(client):
    statuses = []
    for i in range(100):
        client.session.cookie_jar.clear()
        statuses.append((await client.post("/chat/api/send", json={"text": f"hoi {i}"})).status)
    assert statuses.count(200) == 3 and statuses.count(429) == 97
    assert len(await _rows(client, Resident)) == 3


async def test_risk_messages_over_the_limit_still_get_their_crisis_lines(client):
    lines = []
    for _ in range(8):
        client.session.cookie_jar.clear()
        answer = await client.post("/chat/api/send", json={"text": CRISIS})
        data = await answer.json()
        if answer.status == 200:
            lines.append([m["text"] for m in data["messages"] if m["from"] == "bot"])
        else:
            assert answer.status == 429 and data["stored"] is False
            lines.append(data["direct"])
    assert all(any("113" in line for line in shown) for shown in lines), lines
    # Three new chats within the limit and two more over it are stored: five urgent cases,
    # not eight; the other three got the crisis lines all the same.
    cases = await _rows(client, Case)
    assert len(cases) == 5 and {c.priority for c in cases} == {"urgent"}


async def test_a_known_chat_over_its_limit_still_has_its_risk_message_stored(client):
    await client.get("/")
    for i in range(12):
        await client.post("/chat/api/send", json={"text": f"hallo {i}"})
    answer = await client.post("/chat/api/send", json={"text": CRISIS})
    assert answer.status == 200
    assert [c.priority for c in await _rows(client, Case)] == ["urgent"]


async def test_the_refusal_is_in_the_language_the_resident_chose(client):
    await client.get("/")
    await client.post("/chat/api/send", json={"text": "/start"})
    await client.post("/chat/api/send", json={"text": "العربية", "payload": "lang:ar"})
    for _ in range(15):
        answer = await client.post("/chat/api/send", json={"text": "مرحبا"})
    assert answer.status == 429
    arabic = Catalogs.load(ROOT / "locales").translate("ar", WEB_TEXTS["too_fast"], "i18n")[0]
    assert (await answer.json())["error"] == arabic != WEB_TEXTS["too_fast"]


async def test_the_limits_refill_with_time(aiohttp_client, config):
    app = init_app(config)
    clock = Clock()
    app[LIMITS] = Limits(Rules(chat=Rule(capacity=2, rate=0.5)), clock=clock)
    client = await aiohttp_client(app)
    await client.get("/")
    codes = [(await client.post("/chat/api/send", json={"text": "hoi"})).status for _ in range(3)]
    assert codes == [200, 200, 429]
    clock.now += 2
    assert (await client.post("/chat/api/send", json={"text": "hoi"})).status == 200
