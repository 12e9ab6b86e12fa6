"""A worker's actions over real HTTP, with the resident on the web chat or the conversation
path: claim, reply (through the outbox to the resident), notes, release, reassign, close (a
message in the resident's language, then the bot again), and an audit row for each."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from sqlmodel import col, select

from bot.app import DB
from bot.dashboard import texts
from bot.engine import texts as engine_texts
from bot.followups import texts as followup_texts
from storage import states as state_db
from storage import transcripts as transcript_db
from storage.audit import AuditEntry
from storage.cases import Case
from storage.outbox import OutboxMessage
from storage.residents import Resident
from storage.transcripts import TranscriptEntry
from tests.dashboard.conftest import (
    SUICIDE,
    Worker,
    dashboard_app,
    only_open_case,
    resident_says,
    with_translations,
)


async def audit_rows(app, action: str | None = None) -> list[AuditEntry]:
    async with app[DB].transaction() as s:
        query = select(AuditEntry).order_by(col(AuditEntry.id))
        if action:
            query = query.where(AuditEntry.action == action)
        return list((await s.exec(query)).all())


async def outbox_texts(app, resident_id: int) -> list[str]:
    async with app[DB].transaction() as s:
        rows = await s.exec(
            select(OutboxMessage)
            .where(OutboxMessage.resident_id == resident_id)
            .order_by(col(OutboxMessage.id))
        )
        return [r.text for r in rows.all()]


async def two_workers_and_a_case(client, second_client, add_user):
    """Fatima and Noor logged in, each in her own browser; a resident has asked for a person."""
    await add_user("fatima")
    await add_user("noor")
    fatima = await Worker.login(client, "fatima")
    noor = await Worker.login(second_client, "noor")
    await resident_says(client.app, "r1", "/mens")
    return fatima, noor, await only_open_case(client.app)


async def test_the_queue_shows_pseudonym_reason_language_and_urgency_never_the_chat_id(
    client, add_user
):
    await add_user("fatima")
    worker = await Worker.login(client, "fatima")
    await resident_says(client.app, "31612345678", SUICIDE, channel="telegram")
    await resident_says(client.app, "98765", "/mens", channel="telegram")
    status, html = await worker.page("/dashboard/")
    assert status == 200
    assert html.count('data-testid="case-row"') == 2
    assert "31612345678" not in html and "98765" not in html
    async with client.app[DB].transaction() as s:
        pseudonyms = [r.pseudonym for r in (await s.exec(select(Resident))).all()]
    assert all(p in html for p in pseudonyms)
    urgent_first = html.index('data-priority="urgent"') < html.index('data-priority="normal"')
    assert urgent_first
    assert "ik wil niet meer leven" in html  # the phrase that matched
    assert "Zelfdoding of zelfbeschadiging" in html and "Vraagt om een mens" in html
    assert "Nederlands" in html
    assert len(await audit_rows(client.app, "view_queue")) == 2  # after login, and now


async def test_claim_reply_and_the_web_chat_shows_the_reply(client, add_user, second_client):
    await add_user("fatima")
    worker = await Worker.login(client, "fatima")
    resident = second_client  # the resident's own browser
    await resident.get("/")
    sent = await resident.post("/chat/api/send", json={"text": "/mens"})
    assert sent.status == 200
    case = await only_open_case(client.app)

    status, html = await worker.page(f"/dashboard/cases/{case.id}")
    assert status == 200 and 'data-testid="claim"' in html and "reply-text" not in html
    response = await worker.post(f"/dashboard/cases/{case.id}/claim")
    assert response.url.path == f"/dashboard/cases/{case.id}"
    assert 'data-testid="reply-text"' in await response.text()

    response = await worker.post(
        f"/dashboard/cases/{case.id}/reply", {"text": "Hallo, ik ben Fatima van het buurtteam."}
    )
    assert response.status == 200
    async with client.app[DB].transaction() as s:
        entries = await transcript_db.transcript(s, case.resident_id)
        out = entries[-1]
        row = (
            await s.exec(select(OutboxMessage).where(OutboxMessage.transcript_id == out.id))
        ).one()
    assert out.direction == "out" and out.text == "Hallo, ik ben Fatima van het buurtteam."
    assert out.case_id == case.id and out.data == {"worker_id": 1}
    # Channels show who wrote it (Telegram: the name first); the web chat shows it apart.
    assert row.text == f"Fatima (buurtteam): {out.text}" and row.status in ("pending", "sent")

    chat = await (await resident.get("/chat/api/messages?after=0")).json()
    assert chat["messages"][-1]["text"] == "Hallo, ik ben Fatima van het buurtteam."
    assert chat["messages"][-1]["from"] == "worker" and chat["messages"][-1]["name"] == "Fatima"
    assert chat["person"] == {"name": "Fatima"}

    # The resident answers: it lands in the case (no bot reply to it from the flows).
    await resident.post("/chat/api/send", json={"text": "Dank je, ik heb een vraag over huur."})
    status, html = await worker.page(f"/dashboard/cases/{case.id}")
    assert "Dank je, ik heb een vraag over huur." in html
    assert [r.action for r in await audit_rows(client.app)][-6:] == [
        "view_case",
        "claim",
        "view_case",  # the page after the claim
        "reply",
        "view_case",  # the page after the reply
        "view_case",
    ]


async def test_only_the_holder_replies_and_others_are_told_who_holds_it(
    client, add_user, second_client
):
    fatima, noor, case = await two_workers_and_a_case(client, second_client, add_user)
    await fatima.post(f"/dashboard/cases/{case.id}/claim")
    lost = await noor.post(f"/dashboard/cases/{case.id}/claim")
    assert lost.status == 409
    assert "Deze casus is al opgepakt door fatima." in await lost.text()
    refused = await noor.post(f"/dashboard/cases/{case.id}/reply", {"text": "hoi"})
    assert refused.status == 409
    assert "fatima" in await refused.text()
    empty = await fatima.post(f"/dashboard/cases/{case.id}/reply", {"text": "   "})
    assert empty.status == 400 and "Het bericht is leeg." in await empty.text()
    too_long = await fatima.post(f"/dashboard/cases/{case.id}/reply", {"text": "x" * 4001})
    assert too_long.status == 400
    assert all(t != "hoi" for t in await outbox_texts(client.app, case.resident_id))


async def test_a_note_is_never_sent_and_appears_for_colleagues(client, add_user, second_client):
    fatima, noor, case = await two_workers_and_a_case(client, second_client, add_user)
    before = await outbox_texts(client.app, case.resident_id)
    response = await fatima.post(
        f"/dashboard/cases/{case.id}/notes", {"text": "Belt morgen met de woningcorporatie"}
    )
    assert response.status == 200
    assert await outbox_texts(client.app, case.resident_id) == before
    _, html = await noor.page(f"/dashboard/cases/{case.id}")
    assert "Belt morgen met de woningcorporatie" in html
    [note] = await audit_rows(client.app, "note")
    assert note.user_name == "fatima" and note.case_id == case.id
    assert "woningcorporatie" not in note.detail  # the log holds no content


async def test_release_and_reassign(client, add_user, second_client):
    await add_user("fatima")
    await add_user("noor")
    fatima = await Worker.login(client, "fatima")
    await resident_says(client.app, "r1", "/mens")
    case = await only_open_case(client.app)
    await fatima.post(f"/dashboard/cases/{case.id}/claim")
    response = await fatima.post(f"/dashboard/cases/{case.id}/release")
    assert response.url.path == "/dashboard/"
    assert (await only_open_case(client.app)).status == "waiting"
    await fatima.post(f"/dashboard/cases/{case.id}/claim")
    await fatima.post(f"/dashboard/cases/{case.id}/reassign", {"to": "2"})
    case = await only_open_case(client.app)
    assert (case.status, case.worker_id) == ("claimed", 2)
    noor = await Worker.login(second_client, "noor")
    _, html = await noor.page("/dashboard/")
    assert "Mijn casussen" in html and f'data-case="{case.id}"' in html
    assert [r.detail for r in await audit_rows(client.app, "reassign")] == ["to noor"]
    assert len(await audit_rows(client.app, "release")) == 1


async def test_take_the_next_case_from_the_queue(client, add_user):
    await add_user("fatima")
    fatima = await Worker.login(client, "fatima")
    nothing = await fatima.post("/dashboard/queue/next")
    assert nothing.status == 409 and "Er wacht nu niemand." in await nothing.text()
    await resident_says(client.app, "r1", "/mens")
    await resident_says(client.app, "r2", SUICIDE)
    response = await fatima.post("/dashboard/queue/next")
    async with client.app[DB].transaction() as s:
        urgent = (await s.exec(select(Case).where(Case.priority == "urgent"))).one()
    assert response.url.path == f"/dashboard/cases/{urgent.id}"
    assert urgent.status == "claimed"


async def test_close_tells_the_resident_and_hands_them_back_to_the_bot(client, add_user):
    await add_user("fatima")
    fatima = await Worker.login(client, "fatima")
    await resident_says(client.app, "r1", "hallo")
    await resident_says(client.app, "r1", "1")  # in the middle of a flow
    await resident_says(client.app, "r1", "/mens")
    case = await only_open_case(client.app)
    await fatima.post(f"/dashboard/cases/{case.id}/claim")
    status, html = await fatima.page(f"/dashboard/cases/{case.id}/close")
    assert status == 200 and 'data-testid="close-confirm"' in html
    response = await fatima.post(
        f"/dashboard/cases/{case.id}/close", {"outcome": "referred", "note": "Naar Geldfit"}
    )
    assert response.url.path == "/dashboard/"
    assert "Casus gesloten." in await response.text()
    async with client.app[DB].transaction() as s:
        closed = await s.get(Case, case.id)
        state = await state_db.load_state(s, case.resident_id)
    assert (closed.status, closed.outcome) == ("closed", "referred")
    assert state["flow"] is None and state["node"] is None
    # The closing message, then the one optional question (docs/followups.md).
    assert (await outbox_texts(client.app, case.resident_id))[-2:] == [
        texts.CLOSED,
        followup_texts.FEEDBACK_ASK,
    ]

    # The next message is the bot's again: the menu, not "your message is for the worker".
    replies = await resident_says(client.app, "r1", "nog een vraag")
    assert [r.text for r in replies][-1] == engine_texts.MENU_ASK
    [row] = await audit_rows(client.app, "close")
    assert row.detail == "referred" and row.user_name == "fatima"
    status, html = await fatima.page(f"/dashboard/cases/{case.id}")
    assert "Naar Geldfit" in html and "Doorverwezen" in html
    status, html = await fatima.page("/dashboard/closed")
    assert f"/dashboard/cases/{case.id}" in html


async def test_the_closing_message_is_in_the_residents_language(
    aiohttp_client, config, tmp_path: Path
):
    arabic = "أغلق موظف فريق الحي هذه المحادثة."
    locales = with_translations(
        config.locales_dir, tmp_path / "locales", "ar", {texts.CLOSED: arabic}
    )
    app = dashboard_app(replace(config, locales_dir=locales))
    client = await aiohttp_client(app)
    from tests.dashboard.conftest import create_user

    await create_user(app[DB], "fatima")
    fatima = await Worker.login(client, "fatima")
    from bot.app import CONVERSATIONS
    from bot.conversation import Inbound

    await app[CONVERSATIONS].receive(Inbound("telegram", "7", payload="lang:ar"))
    await resident_says(app, "7", "/mens", channel="telegram")
    case = await only_open_case(app)
    response = await fatima.post(f"/dashboard/cases/{case.id}/claim")
    assert arabic in await response.text()  # the preview in the close dialog
    await fatima.post(f"/dashboard/cases/{case.id}/close", {"outcome": "helped"})
    assert (await outbox_texts(app, case.resident_id))[-2] == arabic


async def claimed_arabic_case(client, worker):
    """A resident who chose Arabic asks for a person; `worker` claims the case."""
    from bot.app import CONVERSATIONS
    from bot.conversation import Inbound

    await client.app[CONVERSATIONS].receive(Inbound("telegram", "7", payload="lang:ar"))
    await resident_says(client.app, "7", "/mens", channel="telegram")
    case = await only_open_case(client.app)
    await worker.post(f"/dashboard/cases/{case.id}/claim")
    return case


async def test_an_arabic_reply_keeps_phone_numbers_the_right_way_round(client, add_user):
    await add_user("fatima")
    fatima = await Worker.login(client, "fatima")
    case = await claimed_arabic_case(client, fatima)
    await fatima.post(f"/dashboard/cases/{case.id}/reply", {"text": "اتصل بـ 0800-0113 الآن"})
    sent = (await outbox_texts(client.app, case.resident_id))[-1]
    assert "\u20680800-0113\u2069" in sent


async def test_the_case_page_shows_the_flow_answers_and_marks_risk(client, add_user):
    await add_user("fatima")
    fatima = await Worker.login(client, "fatima")
    for text in ("hallo", "Toeslagen", "Welke toeslag past bij mij?", "Ja, ik huur"):
        await resident_says(client.app, "r1", text)
    await resident_says(client.app, "r1", SUICIDE)
    case = await only_open_case(client.app)
    _, html = await fatima.page(f"/dashboard/cases/{case.id}")
    assert 'data-testid="answers"' in html
    assert '<dt>Huur je een huis of een kamer?</dt><dd dir="auto">ja</dd>' in html
    assert html.count('dir="auto"') > 5
    assert "msg-risk" in html and "Casus geopend" in html
    async with client.app[DB].transaction() as s:
        entries = (await s.exec(select(TranscriptEntry))).all()
    assert all(f'data-id="{e.id}"' in html for e in entries)
    assert len(await audit_rows(client.app, "view_case")) == 1


async def test_canned_replies_in_the_residents_language(client, add_user):
    await add_user("fatima")
    fatima = await Worker.login(client, "fatima")
    case = await claimed_arabic_case(client, fatima)
    _, html = await fatima.page(f"/dashboard/cases/{case.id}")
    assert 'data-testid="canned"' in html
    assert "مرحبًا، أنا من فريق الحي" in html  # Arabic text offered
    assert "conceptvertaling" in html  # and marked as not yet reviewed


async def test_unknown_case_is_a_calm_404(client, add_user):
    await add_user("fatima")
    fatima = await Worker.login(client, "fatima")
    status, html = await fatima.page("/dashboard/cases/12345")
    assert status == 404 and "bestaat niet" in html
    updates = await client.get("/dashboard/cases/12345/updates")
    assert updates.status == 404 and "error" in await updates.json()


async def test_two_workers_press_claim_at_the_same_moment(client, add_user, second_client):
    import asyncio

    fatima, noor, case = await two_workers_and_a_case(client, second_client, add_user)
    answers = await asyncio.gather(
        fatima.post(f"/dashboard/cases/{case.id}/claim"),
        noor.post(f"/dashboard/cases/{case.id}/claim"),
    )
    assert sorted(a.status for a in answers) == [200, 409]
    winner = (await only_open_case(client.app)).worker_id
    loser = answers[1] if winner == 1 else answers[0]
    assert f"al opgepakt door {'fatima' if winner == 1 else 'noor'}" in await loser.text()
    assert len(await audit_rows(client.app, "claim")) == 1
