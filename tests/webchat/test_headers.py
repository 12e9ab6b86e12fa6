"""The web chat's page and API send security headers, and refuse cross-site posts."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.app import DB
from storage.residents import Resident


@pytest.mark.parametrize("path", ["/", "/chat/api/messages?after=0"])
async def test_the_page_and_the_api_are_not_cached_framed_or_referred(client, path):
    response = await client.get(path)
    assert response.status == 200
    headers = response.headers
    assert headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Content-Type-Options"] == "nosniff"


async def test_a_sent_message_is_not_cached_and_static_files_may_be(client):
    sent = await client.post("/chat/api/send", json={"text": "/start"})
    assert sent.headers["Cache-Control"] == "no-store"
    script = await client.get("/chat/static/chat.js")
    assert script.status == 200 and script.headers.get("Cache-Control") != "no-store"


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site"},
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
    ],
)
async def test_a_cross_site_reset_or_send_is_refused(client, headers):
    reset = await client.post("/chat/api/reset", headers=headers)
    assert reset.status == 403 and "buurtbot_chat" not in reset.cookies
    send = await client.post("/chat/api/send", json={"text": "hoi"}, headers=headers)
    assert send.status == 403
    async with client.app[DB].transaction() as s:
        assert (await s.exec(select(Resident))).all() == []


async def test_a_same_site_reset_still_works(client):
    headers = {"Sec-Fetch-Site": "same-origin", "Origin": f"http://{client.host}:{client.port}"}
    reset = await client.post("/chat/api/reset", headers=headers)
    assert reset.status == 200 and "buurtbot_chat" in reset.cookies
