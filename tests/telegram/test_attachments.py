"""Photos and voice notes from Telegram (issue 19): fetched once with getFile from the Bot API
stand-in, checked by content, kept with the case, and on the worker's case page."""

from __future__ import annotations

import time

from sqlmodel import select

from bot.app import DB
from bot.conversation.steps import media
from storage.attachments import Attachment
from tests.telegram.conftest import running

CHAT = 7373
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(3000)


async def stored(app) -> list[Attachment]:
    async with app[DB].transaction() as s:
        return list((await s.exec(select(Attachment))).all())


async def test_a_photo_in_a_case_is_fetched_once_and_kept_with_the_case(botapi, config):
    async with running(config) as app:
        await botapi.say(CHAT, "ik wil een mens spreken")
        count = len(botapi.sent_to(CHAT))
        botapi.media(CHAT, "photo", content=JPEG)
        [answer] = await botapi.replies(CHAT, count)
        assert answer.text == media.RECEIVED  # Dutch: the text is its own msgid
        [photo] = await stored(app)
        assert (photo.kind, photo.mime, photo.data) == ("photo", "image/jpeg", JPEG)
        assert photo.case_id is not None
        assert botapi.downloads == 1


async def test_a_voice_note_outside_a_case_offers_a_person(botapi, config):
    async with running(config) as app:
        await botapi.say(CHAT, "hallo")
        await botapi.click(CHAT, "Nederlands")
        count = len(botapi.sent_to(CHAT))
        botapi.media(CHAT, "voice", content=b"OggS\x00\x02" + bytes(500))
        [offer] = await botapi.replies(CHAT, count)
        assert offer.text == media.VOICE_OFFER
        assert [label for label, _ in offer.buttons] == ["Met een mens praten"]
        [note] = await stored(app)
        assert (note.kind, note.mime, note.case_id) == ("voice", "audio/ogg", None)


async def test_a_document_that_is_not_a_pdf_is_not_kept(botapi, config):
    async with running(config) as app:
        await botapi.say(CHAT, "hallo")
        count = len(botapi.sent_to(CHAT))
        botapi.media(CHAT, "document", content=b"MZ\x90\x00 an executable")
        [answer] = await botapi.replies(CHAT, count)
        assert answer.text == media.WRONG_TYPE
        assert await stored(app) == []


async def test_a_slow_file_does_not_hold_up_the_crisis_lines_of_its_caption(botapi, config):
    async with running(config) as app:
        botapi.fail("getFile", "slow", delay=4.0)
        started = time.monotonic()
        botapi.media(CHAT, "photo", caption="ik wil niet meer leven", content=JPEG)
        await botapi.wait_for(lambda: any("113" in t for t in botapi.texts(CHAT)), 3)
        assert time.monotonic() - started < 2.5
        await botapi.wait_for(lambda: botapi.downloads == 1, 10)
        await botapi.settle(quiet=0.5)
        crisis = [t for t in botapi.texts(CHAT) if "113" in t]
        assert len(crisis) == len(set(crisis))  # once, not again from the outbox
        assert len(await stored(app)) == 1
