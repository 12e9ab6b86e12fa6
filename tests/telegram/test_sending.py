"""Telegram's limits, kept before anything is sent: long texts in parts, callback data within
64 bytes (and found again when pressed), keyboards, and Bot API errors mapped to outbox results."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.channels.telegram import callback_data
from bot.channels.telegram.sending import keyboard, result_of, split_text, units
from bot.outbox import Blocked, Failed, Retry
from storage import outbox as outbox_db
from storage import residents as resident_db

NOW = datetime(2026, 11, 21, 10, tzinfo=UTC)


def test_a_short_text_is_one_part():
    assert split_text("Hallo") == ["Hallo"]


def test_a_long_text_splits_at_paragraphs_then_lines_then_words():
    paragraphs = "\n\n".join(["a" * 3000, "b" * 3000])
    assert split_text(paragraphs) == ["a" * 3000, "b" * 3000]
    lines = "\n".join(["c" * 2500, "d" * 2500])
    assert split_text(lines) == ["c" * 2500, "d" * 2500]
    words = " ".join(["woord"] * 2000)
    parts = split_text(words)
    assert all(units(p) <= 4096 for p in parts)
    assert " ".join(parts) == words


def test_length_counts_as_telegram_does_in_utf16_units():
    emoji = "🙂" * 3000  # 6000 units: two parts, not one
    parts = split_text(emoji)
    assert len(parts) == 2 and "".join(parts) == emoji
    assert all(units(p) <= 4096 for p in parts)


def test_a_cut_without_spaces_keeps_combining_marks_with_their_letter():
    text = ("e\u0301" * 3000)[:5000]
    parts = split_text(text)
    assert all(p[0] != "\u0301" for p in parts)
    assert "".join(parts) == text


@given(st.text(min_size=0, max_size=12000))
def test_any_text_fits_and_nothing_but_whitespace_is_lost(text):
    parts = split_text(text)
    assert all(p and units(p) <= 4096 for p in parts)
    assert "".join("".join(parts).split()) == "".join(text.split())


def test_short_payloads_are_callback_data_as_they_are():
    assert callback_data.encode("91e1f6:2") == "91e1f6:2"
    assert callback_data.encode("lang:ar") == "lang:ar"


@pytest.mark.parametrize(
    "payload", ["x" * 65, "ሰላም" * 30, "", "#looks-hashed", "\ud800 lone surrogate" * 5]
)
def test_payloads_that_do_not_fit_are_hashed_within_64_bytes(payload):
    data = callback_data.encode(payload)
    assert 1 <= len(data.encode()) <= 64
    assert callback_data.is_hashed(data)


async def test_a_hashed_payload_is_found_again_among_the_residents_buttons(database):
    long_payload = "flow:" + "x" * 100
    async with database.transaction() as s:
        resident = await resident_db.get_or_create_resident(s, "telegram", "42", now=NOW)
        await outbox_db.enqueue(s, resident.id, "Kies", now=NOW, buttons=[["Lang", long_payload]])
    data = callback_data.encode(long_payload)
    async with database.transaction() as s:
        assert await callback_data.decode(s, "telegram", "42", data) == long_payload
        assert await callback_data.decode(s, "telegram", "43", data) is None  # not theirs
        assert await callback_data.decode(s, "telegram", "42", "#forged") is None


def test_keyboard_one_button_a_row_within_telegrams_limits():
    markup = keyboard([(f"Optie {i}", f"p:{i}") for i in range(150)] + [("", "")])
    rows = markup.inline_keyboard
    assert len(rows) == 100 and all(len(row) == 1 for row in rows)
    assert all(1 <= len(b.callback_data.encode()) <= 64 for row in rows for b in row)
    assert keyboard([]) is None
    (button,) = keyboard([("  ", "p")]).inline_keyboard[0]
    assert button.text == "p"  # an empty label would be refused by Telegram


def test_bot_api_errors_become_outbox_results():
    assert result_of(RetryAfter(3)) == Retry(
        "RetryAfter: Flood control exceeded. Retry in 3 seconds", after=3.0, pause_all=True
    )
    assert isinstance(result_of(Forbidden("Forbidden: bot was blocked by the user")), Blocked)
    assert isinstance(result_of(BadRequest("Bad Request: chat not found")), Failed)
    timed_out = result_of(TimedOut())
    assert isinstance(timed_out, Retry) and timed_out.after is None
    assert isinstance(result_of(NetworkError("Bad Gateway")), Retry)


async def test_the_sender_sends_what_send_message_would_and_raises_the_same_errors() -> None:
    """`TelegramSender` posts through `TolerantBot.send_text` (no `Message` read back): the
    stand-in Bot API sees the text, the buttons and the entities, and its errors become the
    same outbox results."""
    from bot.channels.telegram.polling import TolerantBot
    from bot.channels.telegram.sending import TelegramSender
    from bot.channels.telegram.transport import AiohttpRequest
    from bot.outbox import Outgoing, Sent
    from bot.outbox.pacer import Pacer
    from tests.support.botapi import BotAPI

    api = BotAPI()
    await api.start()
    bot = TolerantBot(api.token, base_url=api.base_url, request=AiohttpRequest(4))
    try:
        await bot.initialize()
        sender = TelegramSender(bot, Pacer(0))
        text = "Bel 113 (0800-0113) of kijk op https://www.113.nl — ܐ"
        buttons = (("Ja", "y"), ("Nee", "n"))
        outgoing = Outgoing(1, 1, "4242", text, buttons, 10, 0)
        assert await sender(outgoing) == Sent()
        [sent] = api.sent_to(4242)
        assert sent.text == text and sent.buttons == [("Ja", "y"), ("Nee", "n")]
        kinds = [(e["type"], text[e["offset"] : e["offset"] + e["length"]]) for e in sent.entities]
        assert ("phone_number", "0800-0113") in kinds and ("url", "https://www.113.nl") in kinds
        assert await sender.send_now(4243, []) is True
        api.fail("sendMessage", "403", description="Forbidden: bot was blocked by the user")
        assert isinstance(await sender(outgoing), Blocked)
        api.fail("sendMessage", "400", description="Bad Request: chat not found")
        assert isinstance(await sender(outgoing), Failed)
        api.fail("sendMessage", "429", retry_after=3)
        result = await sender(outgoing)
        assert isinstance(result, Retry) and result.after == 3 and result.pause_all
    finally:
        await bot.shutdown()
        await api.close()
