"""A worker who reads no Arabic reads an Arabic resident's case: each bot message shows its
Dutch source; the resident's words stay as written with the matched words marked; risk is
named in words, never by the phrase lists' patterns (issue 18)."""

from __future__ import annotations

import html as htmllib
import re

from bot.conversation import Inbound
from bot.escalation import PERSON_COMING
from bot.keys import CONVERSATIONS, DB
from storage import transcripts as transcript_db
from tests.dashboard.conftest import SUICIDE, Worker, only_open_case, resident_says

SOURCES = re.compile(
    r'data-testid="message-source"><span class="source-label">[^<]*</span> ([^<]*)<'
)


async def _arabic_resident(app, external_id: str) -> None:
    await resident_says(app, external_id, "/start")
    await app[CONVERSATIONS].receive(
        Inbound("web", external_id, text="العربية", payload="lang:ar", language_hint="ar")
    )


async def test_bot_messages_in_arabic_show_their_dutch_source(client, add_user):
    await add_user("fatima")
    fatima = await Worker.login(client, "fatima")
    await _arabic_resident(client.app, "r1")
    await resident_says(client.app, "r1", "/mens")
    case = await only_open_case(client.app)
    status, page = await fatima.page(f"/dashboard/cases/{case.id}")
    assert status == 200
    sources = [htmllib.unescape(s) for s in SOURCES.findall(page)]
    assert PERSON_COMING in sources
    # The Arabic text itself is still there, as the resident read it.
    async with client.app[DB].transaction() as s:
        entries = await transcript_db.transcript(s, case.resident_id)
    coming = next(e for e in entries if (e.data or {}).get("source") == PERSON_COMING)
    assert coming.text != PERSON_COMING and re.search("[\u0600-\u06ff]", coming.text)
    assert htmllib.escape(coming.text, quote=False) in page


async def test_dutch_bot_messages_carry_no_second_copy(client, add_user):
    await add_user("fatima")
    fatima = await Worker.login(client, "fatima")
    await resident_says(client.app, "r2", "/mens")
    case = await only_open_case(client.app)
    _, page = await fatima.page(f"/dashboard/cases/{case.id}")
    assert 'data-testid="message-source"' not in page


async def test_matched_words_are_marked_and_risk_is_named_in_words(client, add_user):
    await add_user("fatima")
    fatima = await Worker.login(client, "fatima")
    await resident_says(client.app, "r3", "/start")
    typed = "<echt> " + SUICIDE
    await resident_says(client.app, "r3", typed)
    case = await only_open_case(client.app)
    status, page = await fatima.page(f"/dashboard/cases/{case.id}")
    assert status == 200
    bubble = re.search(r'<div class="bubble" dir="auto">(&lt;echt&gt; [^\n]*?)</div>', page).group(
        1
    )
    assert '&lt;echt&gt; <mark data-testid="risk-words">ik wil niet meer leven</mark>' in bubble
    assert '<mark data-testid="risk-words">alle pillen klaarliggen</mark>' in bubble
    assert re.sub(r"</?mark[^>]*>", "", bubble) == htmllib.escape(typed, quote=False)
    risk = re.search(r'data-testid="message-risk">([^<]*)<', page).group(1)
    assert htmllib.unescape(risk) == "Risico: Urgent · Zelfdoding of zelfbeschadiging"
    # No pattern of the lists anywhere: not in the transcript, the summary or the queue.
    assert " + " not in page and "niet meer leven]" not in page
    _, queue = await fatima.page("/dashboard/")
    assert " + " not in queue and "Zelfdoding of zelfbeschadiging" in queue
