"""The web chat's upload (issue 19): a photo, PDF or voice recording over real HTTP, checked by
content and size, stored with the message, answered like any message."""

from __future__ import annotations

import aiohttp
from sqlmodel import select

from bot.app import DB
from bot.conversation.steps import media
from storage.attachments import Attachment

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(2000)


def form(content: bytes, name: str = "brief.jpg", key: str = "upload-1") -> aiohttp.FormData:
    data = aiohttp.FormData()
    data.add_field("id", key)
    data.add_field("after", "0")
    data.add_field("file", content, filename=name, content_type="image/jpeg")
    return data


async def stored(app) -> list[Attachment]:
    async with app[DB].transaction() as s:
        return list((await s.exec(select(Attachment))).all())


async def test_a_photo_is_kept_and_a_person_offered(client):
    await client.post("/chat/api/send", json={"text": "hallo"})
    response = await client.post("/chat/api/upload", data=form(JPEG))
    assert response.status == 200
    shown = [m["text"] for m in (await response.json())["messages"]]
    assert "[photo]" in shown and media.PHOTO_OFFER in shown
    [photo] = await stored(client.app)
    assert (photo.kind, photo.mime, photo.data) == ("photo", "image/jpeg", JPEG)
    # The same upload sent again (the page's id): kept once.
    assert (await client.post("/chat/api/upload", data=form(JPEG))).status == 200
    assert len(await stored(client.app)) == 1


async def test_what_is_not_a_photo_pdf_or_voice_is_refused_whatever_its_name(client):
    await client.post("/chat/api/send", json={"text": "hallo"})
    page = b"<!doctype html><script>alert(1)</script>"
    response = await client.post("/chat/api/upload", data=form(page, "foto.jpg"))
    assert media.WRONG_TYPE in [m["text"] for m in (await response.json())["messages"]]
    assert await stored(client.app) == []


async def test_over_ten_mb_is_not_read_past_the_limit_and_the_resident_is_told(client):
    await client.post("/chat/api/send", json={"text": "hallo"})
    big = b"\xff\xd8\xff" + bytes(10 * 1024 * 1024)
    response = await client.post("/chat/api/upload", data=form(big, key="upload-big"))
    assert response.status == 200
    assert any("10 MB" in m["text"] for m in (await response.json())["messages"])
    assert await stored(client.app) == []


async def test_an_upload_from_another_site_is_refused(client):
    headers = {"Origin": "https://elsewhere.example", "Sec-Fetch-Site": "cross-site"}
    response = await client.post("/chat/api/upload", data=form(JPEG), headers=headers)
    assert response.status == 403
    assert await stored(client.app) == []
