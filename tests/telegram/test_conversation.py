"""End to end: the real app (`init_app`) with the real python-telegram-bot client against the Bot
API stand-in, on a temporary SQLite database. Whole conversations, restarts, the webhook."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from dataclasses import replace

import pytest
from aiohttp import ClientSession
from sqlmodel import select

from bot.app import DB, init_app
from bot.channels.telegram import TelegramConfigError
from bot.channels.telegram.handlers import CHOSEN
from bot.engine import texts
from storage import transcripts as transcript_db
from storage.outbox import OutboxMessage
from storage.residents import Resident
from tests.telegram.conftest import ROOT, free_port, running

CHAT = 4242


async def transcript(app, chat: int = CHAT) -> list[tuple[str, str]]:
    async with app[DB].transaction() as s:
        query = select(Resident).where(Resident.external_id == str(chat))
        resident = (await s.exec(query)).one()
        return [(e.direction, e.text) for e in await transcript_db.transcript(s, resident.id)]


async def test_a_whole_conversation_typed_and_pressed(botapi, config):
    """Whatever the flows say: every question is answered by pressing its first button, one
    by typing its label instead, and the bot keeps up: each press answered and marked."""
    async with running(config) as app:
        replies = await botapi.say(CHAT, "hallo")
        assert replies[0].text == texts.GREETING
        pressed = []
        for step in range(4):
            question = replies[-1]
            assert question.buttons, f"step {step}: the bot asks something with options"
            label = question.buttons[0][0]
            if step == 2:  # typing a label works as well as pressing it
                replies = await botapi.say(CHAT, label)
                assert texts.NOT_UNDERSTOOD not in [r.text for r in replies]
                continue
            calls = len(botapi.calls_of("answerCallbackQuery"))
            replies = await botapi.click(CHAT, label)
            pressed.append(label)
            assert botapi.calls_of("answerCallbackQuery")[calls].outcome == "ok"
            assert question.text.endswith(f"\n\n{CHOSEN} {label}")  # the choice shows
            assert question.buttons == []  # and the old buttons are gone
            assert replies
        seen = await transcript(app)
        assert seen[0] == ("in", "hallo")
        assert all(("in", label) in seen for label in pressed)  # a press is stored by its label
        assert [t for d, t in seen if d == "out"] == [
            m.edits[0] if m.edits else m.text for m in botapi.sent_to(CHAT)
        ]
        async with app[DB].transaction() as s:
            outbox = (await s.exec(select(OutboxMessage))).all()
            assert {m.status for m in outbox} == {"sent"}


async def test_each_language_gets_its_own_resident_and_language_choice(botapi, config):
    async with running(config) as app:
        await botapi.say(1, "hallo", lang="ar")
        await botapi.say(2, "hello", lang="en-GB")
        replies = await botapi.say(2, "/taal")
        assert [label for label, _ in replies[-1].buttons] == [
            "Nederlands",
            "العربية",
            "ትግርኛ",
            "English",
        ]
        await botapi.click(2, "ትግርኛ")
        async with app[DB].transaction() as s:
            residents = {r.external_id: r for r in (await s.exec(select(Resident))).all()}
        assert residents["2"].language == "ti"


async def test_a_restart_mid_flow_continues_and_sends_what_was_queued(botapi, config):
    async with running(config):
        menu = (await botapi.say(CHAT, "hallo"))[-1]
        question = (await botapi.click(CHAT, menu.buttons[0][0]))[-1]
        # The next answer is queued, but Telegram answers "slow down" for longer than we wait.
        botapi.fail("sendMessage", "429", retry_after=30, times=5)
        botapi.text(CHAT, question.buttons[0][0])
        await botapi.wait_for(lambda: botapi.calls_of("sendMessage")[-1].outcome == "429")
    sent_before = len(botapi.sent_to(CHAT))
    botapi._faults.clear()  # Telegram is fine again

    async with running(config) as app:  # a new process on the same database
        await botapi.wait_for(lambda: len(botapi.sent_to(CHAT)) > sent_before)
        replies = await botapi.replies(CHAT, sent_before)
        assert replies[-1].buttons, "the queued answer arrives after the restart"
        nxt = await botapi.click(CHAT, replies[-1].buttons[0][0])
        assert texts.GREETING not in [r.text for r in nxt]  # not started over
        async with app[DB].transaction() as s:
            statuses = {m.status for m in (await s.exec(select(OutboxMessage))).all()}
        assert statuses == {"sent"}


@pytest.fixture
def start_process(botapi, config):
    """Starts `buurtbot run` as a process of its own, ready once it polls."""
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": botapi.token,
        "TELEGRAM_API_BASE_URL": botapi.base_url,
        "DATABASE_URL": config.database_url,
        "BUURTBOT_FLOWS_DIR": str(ROOT / "flows"),
        "BUURTBOT_LOCALES_DIR": str(ROOT / "locales"),
        "BUURTBOT_SPOOL_DIR": str(config.spool_dir),
        "BUURTBOT_SEND_RATE": "0",
    }

    async def start() -> asyncio.subprocess.Process:
        env["DASHBOARD_PORT"] = str(free_port())
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=ROOT,
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        polls = len(botapi.calls_of("getUpdates"))
        await botapi.wait_for(lambda: len(botapi.calls_of("getUpdates")) > polls, timeout=20)
        return process

    return start


async def kill_9(process: asyncio.subprocess.Process) -> None:
    process.send_signal(signal.SIGKILL)
    await process.wait()


async def test_kill_9_mid_flow_loses_nothing(botapi, start_process):
    """`buurtbot run` killed with SIGKILL twice: while a message is being handled, and while a
    reply is on its way. After each restart the resident goes on where they were."""
    process = await start_process()
    try:
        botapi.text(CHAT, "hallo")
        await botapi.wait_sent(CHAT, 2, timeout=20)
        first = botapi.sent_to(CHAT)[-1]
        # 1. Fetched but not handled yet (held up answering the press): Telegram was not told
        # it arrived, so it comes again after the restart.
        botapi.fail("answerCallbackQuery", "slow", delay=30)
        press = botapi.press(CHAT, first.buttons[0][0])
        await botapi.wait_for(lambda: botapi.calls_of("answerCallbackQuery"))
    finally:
        await kill_9(process)
    assert press in botapi.updates  # not confirmed by a later getUpdates
    assert len(botapi.sent_to(CHAT)) == 2

    process = await start_process()
    try:
        replies = await botapi.replies(CHAT, 2, timeout=20)
        assert replies and texts.GREETING not in [r.text for r in replies]
        assert first.edits  # the press was handled after all: the choice is shown
        question = replies[-1]
        # 2. The reply to the next press hangs at Telegram; the process dies meanwhile.
        before = len(botapi.sent_to(CHAT))
        botapi.fail("sendMessage", "slow", delay=30)
        botapi.press(CHAT, question.buttons[0][0])
        await botapi.wait_for(lambda: botapi.calls_of("sendMessage")[-1].outcome == "slow")
    finally:
        await kill_9(process)
    assert len(botapi.sent_to(CHAT)) == before

    process = await start_process()
    try:
        # The reply that was in flight is sent again (at least once), then the rest.
        replies = await botapi.replies(CHAT, before, timeout=20)
        assert replies[-1].buttons
        assert texts.GREETING not in [r.text for r in replies]
        nxt = await botapi.click(CHAT, replies[-1].buttons[0][0])
        assert nxt and texts.GREETING not in [r.text for r in nxt]
    finally:
        process.terminate()
        await process.wait()


async def test_webhook_needs_the_secret_on_every_request(botapi, config):
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/webhook"
    hooked = replace(config, webhook_url=url, webhook_secret="s3cret_-value")
    async with running(hooked, port=port):
        (set_webhook,) = botapi.calls_of("setWebhook")
        assert set_webhook.params["url"] == url
        assert set_webhook.params["secret_token"] == "s3cret_-value"
        update = {"update_id": 1, "message": botapi._message(CHAT, "nl", "private")}
        update["message"]["text"] = "hallo"
        async with ClientSession() as http:
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
                async with http.post(url, json=update, headers=headers) as response:
                    assert response.status == 403
            await asyncio.sleep(0.3)
            assert botapi.sent_to(CHAT) == []  # nothing of it was handled

            right = {"X-Telegram-Bot-Api-Secret-Token": "s3cret_-value"}
            async with http.post(url, json=update, headers=right) as response:
                assert response.status == 200
            await botapi.wait_sent(CHAT, 2)
            async with http.post(url, data=b"{not json", headers=right) as response:
                assert response.status == 400

        # Updates from the stand-in itself arrive through the webhook too, buttons included.
        replies = await botapi.click(CHAT, botapi.sent_to(CHAT)[-1].buttons[0][0])
        assert replies and all(status == 200 for _, status in botapi.webhook_deliveries)
        assert botapi.calls_of("getUpdates") == []


def test_a_webhook_without_a_secret_does_not_start(config):
    with pytest.raises(TelegramConfigError, match="WEBHOOK_SECRET"):
        init_app(replace(config, webhook_url="https://bot.example.nl/telegram/webhook"))
    with pytest.raises(TelegramConfigError, match="only hold"):
        init_app(replace(config, webhook_url="https://bot.example.nl/hook", webhook_secret="a b"))


async def test_a_typed_message_is_risk_checked_once_on_its_way_through(botapi, config, monkeypatch):
    """The check before queueing (a crisis goes first) and the conversation path share one
    reading of the message (bot/risk/recent.py); another chat's same words are read anew."""
    from bot.risk import recent

    read: list[str] = []
    detect = recent.assess

    def counting(detector, text):
        read.append(text)
        return detect(detector, text)

    monkeypatch.setattr(recent, "assess", counting)
    text = "ik heb een vraag over de huurtoeslag van mijn moeder"
    async with running(config) as app:
        await botapi.say(CHAT, "hallo")
        assert await botapi.say(CHAT, text)
        assert await botapi.say(CHAT + 1, text)
        assert text in [t for _, t in await transcript(app)]
    assert read.count(text) == 2  # once per chat, not once per check
