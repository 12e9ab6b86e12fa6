"""The web chat over real HTTP, through the real app factory and a real SQLite database."""

from __future__ import annotations

import hashlib

from sqlmodel import select

from bot.app import DB
from bot.channels.webchat.views import COOKIE
from bot.conversation import LANGUAGE_ASK
from bot.engine import texts
from storage.outbox import OutboxMessage
from storage.residents import Resident
from storage.transcripts import TranscriptEntry


async def send(client, **body):
    response = await client.post("/chat/api/send", json=body)
    assert response.status == 200, await response.text()
    return await response.json()


async def test_page_sets_a_private_cookie(client):
    response = await client.get("/")
    assert response.status == 200
    assert "Je praat met een computerprogramma" in await response.text()
    cookie = response.cookies[COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Strict" and len(cookie.value) == 43


async def test_a_conversation_and_a_reload_shows_it_all_again(client):
    await client.get("/")
    data = await send(client, text="/start")
    bot = [m["text"] for m in data["messages"] if m["from"] == "bot"]
    assert bot == [texts.GREETING, LANGUAGE_ASK]
    assert ["Nederlands", "lang:nl"] in data["messages"][-1]["buttons"]
    data = await send(client, text="Nederlands", payload="lang:nl")
    assert data["messages"][-1]["text"] == texts.MENU_ASK
    label, payload = data["messages"][-1]["buttons"][0]
    data = await send(client, text=label, payload=payload, after=data["messages"][-1]["id"])
    assert [m["from"] for m in data["messages"]] == ["resident", "bot"]
    assert data["messages"][-1]["text"] == "Waar gaat je vraag over?"
    assert data["state"]["flow"] == "toeslagen"
    # A reload asks for everything: the whole conversation comes back, in order.
    reload = await (await client.get("/chat/api/messages?after=0")).json()
    assert [m["id"] for m in reload["messages"]] == sorted(m["id"] for m in reload["messages"])
    assert len(reload["messages"]) == 8


async def test_the_page_texts_follow_the_language(client):
    nl = await (await client.get("/chat/api/messages?after=0")).json()
    assert "computerprogramma" in nl["ui"]["notice"]
    en = await client.get("/chat/api/messages?after=0", headers={"Accept-Language": "en-GB"})
    assert "computer program" in (await en.json())["ui"]["notice"]
    await client.get("/")
    await send(client, text="/start")
    ar = await send(client, text="العربية", payload="lang:ar")
    assert ar["dir"] == "rtl" and "computerprogramma" not in ar["ui"]["notice"]


async def test_the_database_keeps_only_a_hash_of_the_cookie(client):
    await client.get("/")
    await send(client, text="hallo")
    token = client.session.cookie_jar.filter_cookies(client.make_url("/"))[COOKIE].value
    async with client.app[DB].transaction() as s:
        resident = (await s.exec(select(Resident))).one()
    assert resident.channel == "web" and token not in resident.external_id
    assert resident.external_id == hashlib.sha256(token.encode()).hexdigest()[:48]


async def test_web_outbox_rows_count_as_delivered_when_the_page_has_them(client):
    await client.get("/")
    await send(client, text="hallo")
    async with client.app[DB].transaction() as s:
        rows = (await s.exec(select(OutboxMessage))).all()
    assert rows and all(r.status == "sent" for r in rows)


async def test_two_browsers_are_two_residents(client, aiohttp_client):
    await client.get("/")
    await send(client, text="/start")
    await send(client, text="1")
    other = await aiohttp_client(client.server)
    data = await (await other.get("/chat/api/messages?after=0")).json()
    assert data["messages"] == []


async def test_changing_language_turns_the_page_right_to_left(client):
    await client.get("/")
    await send(client, text="/start")
    data = await send(client, text="العربية", payload="lang:ar")
    assert data["language"] == "ar" and data["dir"] == "rtl"


async def test_bad_requests_get_clear_answers_and_nothing_breaks(client):
    await client.get("/")
    assert (await client.post("/chat/api/send", data="text=hallo")).status == 415
    bad_json = await client.post(
        "/chat/api/send", data="{", headers={"Content-Type": "application/json"}
    )
    assert bad_json.status == 400
    assert (await client.post("/chat/api/send", json=[])).status == 400
    assert (await client.post("/chat/api/send", json={"text": ""})).status == 400
    assert (await client.post("/chat/api/send", json={"text": 5})).status == 400
    assert (await client.get("/chat/api/messages?after=x")).status == 400
    data = await send(client, text="\x00\u202e" + "ሰላም " * 3000)
    stored = next(m for m in data["messages"] if m["from"] == "resident")
    assert len(stored["text"]) <= 4096 and "ሰላም" in stored["text"]


async def test_a_message_sent_again_with_its_id_is_handled_once(client):
    """The page sends a message again, with the same id, when the answer to it never came;
    the first send may have been handled all the same."""
    await client.get("/")
    await send(client, text="/start")
    await send(client, text="Nederlands", payload="lang:nl")
    first = await send(client, text="/hulp", id="6f1c5f0e-4c1a-4d7e-9a53-0c2f1b7d4e21", after=0)
    again = await send(client, text="/hulp", id="6f1c5f0e-4c1a-4d7e-9a53-0c2f1b7d4e21", after=0)
    assert again["messages"] == first["messages"]  # what the first send did, nothing more
    other = await send(client, text="/hulp", id="0b6a", after=0)  # the same words, a new message
    assert len(other["messages"]) > len(first["messages"])
    async with client.app[DB].transaction() as s:
        entries = (await s.exec(select(TranscriptEntry))).all()
    assert [e.text for e in entries if e.direction == "in"].count("/hulp") == 2


async def test_an_id_belongs_to_one_chat(client, aiohttp_client):
    # A page that chose another chat's id (a broken random source, or on purpose) must not
    # make that chat's message count as handled.
    await client.get("/")
    await send(client, text="/start", id="same")
    other = await aiohttp_client(client.server)
    await other.get("/")
    await send(other, text="/start", id="same")
    async with client.app[DB].transaction() as s:
        entries = (await s.exec(select(TranscriptEntry))).all()
    assert [e.text for e in entries if e.direction == "in"] == ["/start", "/start"]


async def test_a_message_id_is_a_short_plain_string(client):
    await client.get("/")
    for bad in (5, "", "a" * 65, "abc\x00", "een id"):
        response = await client.post("/chat/api/send", json={"text": "hallo", "id": bad})
        assert response.status == 400, bad
    await send(client, text="hallo", id="a" * 64)


async def test_reset_starts_a_new_conversation(client):
    await client.get("/")
    await send(client, text="/start")
    await client.post("/chat/api/reset")
    data = await (await client.get("/chat/api/messages?after=0")).json()
    assert data["messages"] == []


async def test_simulator_page_and_health(client):
    page = await client.get("/simulator")  # behind the dashboard login: tests/webchat/...
    assert page.url.path == "/dashboard/login" and page.url.query["next"] == "/simulator"
    health = await (await client.get("/healthz")).json()
    assert health == {"status": "ok", "database": "ok"}


async def test_a_crisis_gets_its_lines_when_storage_is_gone(client, tmp_path):
    await client.get("/")
    await send(client, text="/start")
    # The database file disappears under the running app: every query now fails.
    await client.app[DB].engine.dispose()
    (tmp_path / "web.db").rename(tmp_path / "elsewhere.db")
    (tmp_path / "web.db").mkdir()  # not even a new empty file can take its place
    data = await send(client, text="ik wil niet meer leven")
    assert data["stored"] is False and data["messages"] == []
    assert any("113" in line and "112" in line for line in data["direct"])
    calm = await client.post("/chat/api/send", json={"text": "hallo"})
    assert calm.status == 500  # not stored: the page keeps the text and says so
