"""Photos of letters and voice notes from WhatsApp: fetched once, checked by content, kept with
the message and the case, shown on the worker's case page behind login and audited, erased
with /vergeet and the purge."""

from __future__ import annotations

import asyncio
import io
import time

import aiohttp
from PIL import Image
from sqlmodel import select

from bot.app import DB
from bot.conversation.steps import media
from storage import privacy
from storage.attachments import Attachment
from storage.audit import AuditEntry
from storage.transcripts import TranscriptEntry
from storage.types import utcnow
from tests.dashboard.conftest import Worker, create_user, only_open_case
from tests.support import graphapi
from tests.whatsapp.conftest import served

WA = "31699990000"
# The start of a real JPEG (SOI, APP0 JFIF) and enough bytes to be a file.
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + bytes(4000)
OGG = b"OggS\x00\x02" + bytes(2000)


async def says(bot, graph, payload, *, more_than: int | None = None) -> list[str]:
    """Post `payload` signed; returns the texts sent in answer."""
    before = len(graph.sent_to(WA)) if more_than is None else more_than
    assert await graphapi.post(bot.webhook, payload) == 200
    await graph.wait_for(lambda: len(graph.sent_to(WA)) > before)
    await graph.settle()
    return graph.texts(WA)[before:]


async def stored(bot) -> list[Attachment]:
    async with bot.app[DB].transaction() as s:
        return list((await s.exec(select(Attachment))).all())


async def test_a_photo_after_asking_for_a_person_reaches_the_case_page_behind_login(
    graph, config, aiohttp_client
):
    bot = await served(aiohttp_client, config)
    await says(bot, graph, graphapi.text(WA, "ik wil een mens spreken"))
    graph.media_files["MEDIA-1"] = (JPEG, "image/jpeg")
    answer = await says(bot, graph, graphapi.image(WA, "MEDIA-1"))
    assert answer == [media.RECEIVED]  # Dutch: the text is its own msgid
    [photo] = await stored(bot)
    case = await only_open_case(bot.app)
    assert (photo.mime, photo.size, photo.case_id, photo.kind) == (
        "image/jpeg",
        len(JPEG),
        case.id,
        "photo",
    )
    assert graph.media_fetches == 1

    await create_user(bot.app[DB], "sanne")
    worker = await Worker.login(bot.client, "sanne")
    status, page = await worker.page(f"/dashboard/cases/{case.id}")
    assert status == 200 and 'data-testid="attachment"' in page
    href = f"/dashboard/cases/{case.id}/attachments/{photo.id}"
    assert f'src="{href}?preview=1"' in page and f'href="{href}"' in page
    response = await bot.client.get(href)
    assert response.status == 200
    assert await response.read() == JPEG
    assert response.headers["Content-Type"] == "image/jpeg"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Content-Disposition"].startswith("inline; filename=")
    async with bot.app[DB].transaction() as s:
        audit = (await s.exec(select(AuditEntry.action, AuditEntry.case_id))).all()
    assert ("view_attachment", case.id) in audit

    # Without login: the login page, never the photo.
    async with (
        aiohttp.ClientSession() as stranger,
        stranger.get(bot.client.make_url(href), allow_redirects=False) as refused,
    ):
        assert refused.status in (302, 303, 401)
        assert await refused.read() != JPEG
    # Another case's page does not serve it either.
    missing = await bot.client.get(f"/dashboard/cases/{case.id + 1}/attachments/{photo.id}")
    assert missing.status == 404


async def test_a_photo_outside_a_case_offers_a_person_and_the_case_has_it(
    graph, config, aiohttp_client
):
    bot = await served(aiohttp_client, config)
    await says(bot, graph, graphapi.text(WA, "hallo"))
    graph.media_files["MEDIA-2"] = (JPEG, "image/jpeg")
    count = len(graph.sent_to(WA))
    answer = await says(bot, graph, graphapi.image(WA, "MEDIA-2", caption="brief van de gemeente"))
    assert media.PHOTO_OFFER in answer
    offer = next(r for r in graph.sent_to(WA)[count:] if r.text == media.PHOTO_OFFER)
    [person] = offer.options  # "Met een mens praten"
    await says(bot, graph, graphapi.press(WA, person))
    case = await only_open_case(bot.app)
    [photo] = await stored(bot)
    await create_user(bot.app[DB], "sanne")
    worker = await Worker.login(bot.client, "sanne")
    _, page = await worker.page(f"/dashboard/cases/{case.id}")
    assert f"/dashboard/cases/{case.id}/attachments/{photo.id}" in page
    assert "brief van de gemeente" in page  # the caption, read like any message


async def test_a_voice_note_is_kept_and_played_on_the_case_page(graph, config, aiohttp_client):
    bot = await served(aiohttp_client, config)
    await says(bot, graph, graphapi.text(WA, "ik wil een mens spreken"))
    graph.media_files["VOICE-1"] = (OGG, "audio/ogg; codecs=opus")
    voice = graphapi.inbound(
        WA, "audio", {"id": "VOICE-1", "mime_type": "audio/ogg", "voice": True}
    )
    assert await says(bot, graph, voice) == [media.RECEIVED]
    [note] = await stored(bot)
    assert (note.kind, note.mime) == ("voice", "audio/ogg")
    case = await only_open_case(bot.app)
    await create_user(bot.app[DB], "sanne")
    worker = await Worker.login(bot.client, "sanne")
    _, page = await worker.page(f"/dashboard/cases/{case.id}")
    assert f'<audio controls preload="none" src="/dashboard/cases/{case.id}/attachments/' in page


async def test_too_large_or_not_what_it_claims_is_refused_with_a_clear_answer(
    graph, config, aiohttp_client
):
    bot = await served(aiohttp_client, config)
    await says(bot, graph, graphapi.text(WA, "hallo"))
    graph.media_files["BIG"] = (b"\xff\xd8\xff" + bytes(10 * 1024 * 1024), "image/jpeg")
    answer = await says(bot, graph, graphapi.image(WA, "BIG"))
    assert any("10 MB" in text for text in answer)
    assert graph.media_fetches == 0  # its stated size was enough: not downloaded

    html = b"<html><script>alert(1)</script></html>"
    graph.media_files["FAKE"] = (html, "image/jpeg")  # claims to be a photo
    answer = await says(bot, graph, graphapi.image(WA, "FAKE"))
    assert answer == [media.WRONG_TYPE]
    assert await stored(bot) == []


async def test_gegevens_counts_them_and_vergeet_erases_them(graph, config, aiohttp_client):
    bot = await served(aiohttp_client, config)
    await says(bot, graph, graphapi.text(WA, "hallo"))
    graph.media_files["MEDIA-3"] = (JPEG, "image/jpeg")
    await says(bot, graph, graphapi.image(WA, "MEDIA-3"))
    mine = await says(bot, graph, graphapi.text(WA, "/gegevens"))
    assert any("spraakberichten van jou: 1" in text for text in mine)

    count = len(graph.sent_to(WA))
    ask = await says(bot, graph, graphapi.text(WA, "/vergeet"))
    confirm = next(r for r in graph.sent_to(WA)[count:] if r.options)
    yes = next(o for o in confirm.options if o["id"].endswith("y"))
    assert ask
    await says(bot, graph, graphapi.press(WA, yes))
    assert await stored(bot) == []


async def test_the_purge_removes_them_with_the_messages(graph, config, aiohttp_client):
    bot = await served(aiohttp_client, config)
    await says(bot, graph, graphapi.text(WA, "hallo"))
    graph.media_files["MEDIA-4"] = (JPEG, "image/jpeg")
    await says(bot, graph, graphapi.image(WA, "MEDIA-4"))
    assert len(await stored(bot)) == 1
    retention = privacy.Retention(180, 30, 7, 730)
    async with bot.app[DB].transaction() as s:
        report = await privacy.purge(s, retention, now=utcnow().replace(year=2100))
    assert report.removed["flow_only"].get("attachments") == 1
    assert await stored(bot) == []


def photo_with_a_place(width: int = 3000, height: int = 2000) -> bytes:
    """A camera photo: large, with the GPS position in its EXIF data."""
    image = Image.new("RGB", (width, height), (200, 180, 160))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (52.0, 22.0, 1.0), 3: "E", 4: (4.0, 53.0, 2.0)}  # GPS
    exif[0x0110] = "Phone X"  # the camera model
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


async def test_the_case_page_shows_a_photo_resized_and_without_its_place(
    graph, config, aiohttp_client
):
    bot = await served(aiohttp_client, config)
    await says(bot, graph, graphapi.text(WA, "ik wil een mens spreken"))
    original = photo_with_a_place()
    assert Image.open(io.BytesIO(original)).getexif().get(0x8825)  # it has a place
    graph.media_files["CAMERA"] = (original, "image/jpeg")
    await says(bot, graph, graphapi.image(WA, "CAMERA"))
    [photo] = await stored(bot)
    case = await only_open_case(bot.app)
    await create_user(bot.app[DB], "sanne")
    await Worker.login(bot.client, "sanne")
    href = f"/dashboard/cases/{case.id}/attachments/{photo.id}"

    response = await bot.client.get(href + "?preview=1")
    assert response.status == 200 and response.headers["Content-Type"] == "image/jpeg"
    shown = Image.open(io.BytesIO(await response.read()))
    assert max(shown.size) == 1024 and shown.size[0] > shown.size[1]
    assert dict(shown.getexif()) == {}  # no camera, no place
    whole = await bot.client.get(href)  # the link: the photo as it came, for reading closely
    assert await whole.read() == original


async def test_risk_runs_on_a_photos_caption(graph, config, aiohttp_client):
    bot = await served(aiohttp_client, config)
    graph.media_files["NOTE"] = (JPEG, "image/jpeg")
    caption = graphapi.image(WA, "NOTE", caption="ik wil niet meer leven")
    assert await graphapi.post(bot.webhook, caption) == 200
    await graph.wait_for(lambda: any("113" in t for t in graph.texts(WA)), timeout=3)
    assert "113" in graph.texts(WA)[0]  # the crisis lines first
    case = await only_open_case(bot.app)
    assert (case.priority, case.reason) == ("urgent", "suicide")
    [photo] = await stored(bot)
    assert photo.resident_id == case.resident_id  # so the case page shows it (one check)


async def test_a_slow_download_does_not_hold_up_the_crisis_lines_of_its_caption(
    graph, config, aiohttp_client
):
    bot = await served(aiohttp_client, config)
    graph.media_files["SLOW"] = (JPEG, "image/jpeg")
    graph.media_delay = 4.0
    started = time.monotonic()
    caption = graphapi.image(WA, "SLOW", caption="ik wil niet meer leven")
    posting = asyncio.create_task(graphapi.post(bot.webhook, caption))
    await graph.wait_for(lambda: any("113" in t for t in graph.texts(WA)), timeout=3)
    assert time.monotonic() - started < 2.5  # before the file came
    assert await posting == 200
    await graph.settle(quiet=0.5)
    [photo] = await stored(bot)  # the photo is kept all the same
    crisis = [t for t in graph.texts(WA) if "113" in t]
    assert len(crisis) == len(set(crisis))  # the lines once: not again from the outbox
    case = await only_open_case(bot.app)
    assert (case.priority, photo.resident_id) == ("urgent", case.resident_id)
    async with bot.app[DB].transaction() as s:
        entries = (await s.exec(select(TranscriptEntry))).all()
    assert [e.text for e in entries if (e.data or {}).get("sent")] == crisis
