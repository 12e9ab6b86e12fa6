"""The logs of `buurtbot run` hold no message text, name, chat id or token.

Whole conversations go through the real app, on Telegram (the Bot API stand-in, polling) and
in the web chat, while every record of every logger is written at DEBUG by bot/ops/logs.py's own
handler; then the output is searched for what a resident wrote and who they are. The
pseudonym must show where a case is opened: the logs can say who without saying who.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from bot.app import DB, init_app
from bot.channels.webchat.views import COOKIE
from bot.config import Config
from bot.ops import logs
from storage.db import Database
from storage.residents import Resident
from tests.telegram.conftest import running

CHAT = 5550001234567  # a chat id no other number in a log line resembles
FIRST, LAST, USERNAME = "Zebedeus", "Kwartelkoning", "zeb_kwartel_77"
# An ordinary first message (not one the risk check escalates: the test follows the language
# buttons of its answer). "heeft 4821 euro schuld" became `high` with the model of round 5.
TEXT = "Hallo, mijn buurman Zwaluwstaart heeft een vraag over 4821 euro huurtoeslag"
PERSON = "Zwaluwstaart hier nog eens, ik wil een mens spreken"
WORDS = ("Zwaluwstaart", "buurman", "4821", "mens spreken")


class Captured:
    """What the process logged, as bot/ops/logs.py writes it for `buurtbot run`."""

    def __init__(self) -> None:
        self.stream = io.StringIO()

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    @property
    def records(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.text.splitlines() if line.strip()]

    def assert_free_of(self, *private: str) -> None:
        for value in private:
            leaks = [line for line in self.text.splitlines() if value in line]
            assert not leaks, f"{value!r} logged:\n" + "\n".join(leaks[:5])


@pytest.fixture
def captured(telegram_config: Config) -> Iterator[Captured]:
    """Everything logged at DEBUG, JSON lines, with the secrets of `telegram_config` known."""
    capture = Captured()
    with logs.configured(telegram_config, verbose=True, stream=capture.stream):
        yield capture


def _message(text: str) -> dict[str, Any]:
    person = {"first_name": FIRST, "last_name": LAST, "username": USERNAME}
    return {
        "message": {
            "message_id": int(time.time() * 1000) % 1_000_000,
            "date": int(time.time()),
            "chat": {"id": CHAT, "type": "private", **person},
            "from": {"id": CHAT, "is_bot": False, "language_code": "nl", **person},
            "text": text,
        }
    }


async def _pseudonym(db: Database, channel: str, external_id: str) -> str:
    async with db.transaction() as s:
        query = select(Resident.pseudonym).where(
            Resident.channel == channel, Resident.external_id == external_id
        )
        return (await s.exec(query)).one()


def _case_lines(captured: Captured) -> list[dict[str, Any]]:
    return [r for r in captured.records if r["message"].startswith("case ")]


async def test_a_telegram_conversation_leaves_no_trace_in_the_logs(
    botapi, telegram_config, captured
):
    async with running(telegram_config) as app:
        before = len(botapi.sent_to(CHAT))
        botapi.push(_message(TEXT))
        replies = await botapi.replies(CHAT, before)
        await botapi.click(CHAT, replies[-1].buttons[0][0])  # a language
        before = len(botapi.sent_to(CHAT))
        botapi.push(_message(PERSON))  # opens a case
        await botapi.replies(CHAT, before)
        botapi.fail("sendMessage", "403", chat_id=CHAT)  # then blocks the bot
        botapi.push(_message("/menu"))
        await botapi.wait_for(lambda: "403" in {c.outcome for c in botapi.calls})
        await botapi.settle()
        pseudonym = await _pseudonym(app[DB], "telegram", str(CHAT))

    records = captured.records
    assert any(r["level"] == "DEBUG" for r in records)  # everything was logged
    assert {"time", "level", "logger", "message"} <= set(records[0])
    captured.assert_free_of(*WORDS, str(CHAT), FIRST, LAST, USERNAME, botapi.token)
    assert [r["who"] for r in _case_lines(captured)] == [pseudonym]
    assert any(pseudonym in r["message"] for r in records if "blocked the bot" in r["message"])


@pytest.fixture
def web_app(web_config: Config) -> Any:
    return init_app(web_config)


async def test_a_web_chat_conversation_leaves_no_trace_in_the_logs(
    aiohttp_client, web_app, captured
):
    server = TestServer(web_app)
    await server.start_server(access_log_class=logs.AccessLogger)  # as `buurtbot run` does
    client = await aiohttp_client(server)
    for text in (TEXT, PERSON):
        response = await client.post("/chat/api/send", json={"text": text})
        assert response.status == 200
    assert (await client.get("/chat/api/messages?after=3")).status == 200
    cookie = next(c.value for c in client.session.cookie_jar if c.key == COOKIE)
    external_id = hashlib.sha256(cookie.encode()).hexdigest()[:48]
    pseudonym = await _pseudonym(client.app[DB], "web", external_id)

    captured.assert_free_of(*WORDS, cookie, external_id, "127.0.0.1", "after=3")
    assert [r["who"] for r in _case_lines(captured)] == [pseudonym]
    access = [r for r in captured.records if r["logger"] == "aiohttp.access"]
    assert {r["route"] for r in access} >= {"/chat/api/send", "/chat/api/messages"}


async def test_a_database_error_is_logged_without_the_values(database: Database, captured):
    """The text of a database error holds the statement's parameters (and on PostgreSQL the
    key that clashed): the traceback is logged without them."""
    secret, now = str(CHAT), datetime.now(UTC)
    logger = logging.getLogger("bot.conversation")
    for attempt in range(2):
        try:
            async with database.transaction() as s:
                resident = Resident(
                    channel="telegram",
                    external_id=secret,
                    pseudonym=f"Bewoner-{attempt}",
                    created_at=now,
                    last_seen_at=now,
                )
                s.add(resident)
        except IntegrityError:
            logger.exception("storage failed")
    errors = [r for r in captured.records if r["message"] == "storage failed"]
    assert len(errors) == 1 and "IntegrityError" in errors[0]["exception"]
    captured.assert_free_of(secret)


def test_the_token_is_blanked_wherever_it_shows_up(telegram_config: Config, captured):
    token = telegram_config.telegram_token or ""
    url = f"{telegram_config.telegram_api_base_url}{token}/getMe"
    logging.getLogger("bot.channels.telegram").warning("could not reach %s", url)
    real_shape = "7012345678:AAH3kq-Vx9yZ_Aa0Bb1Cc2Dd3Ee4Ff5Gg6H"
    logging.getLogger("somewhere").error("unconfigured token %s in a message", real_shape)
    captured.assert_free_of(token, real_shape)
    assert captured.text.count(logs.REDACTED) == 2


def test_unusable_settings_are_refused_together():
    config = replace(Config(), log_level="CHATTY", log_format="xml")
    with pytest.raises(logs.LogConfigError) as refused:
        logs.configure_from(config)
    assert "BUURTBOT_LOG_LEVEL" in str(refused.value)
    assert "BUURTBOT_LOG_FORMAT" in str(refused.value)


def test_settings_are_put_back_after_the_run(telegram_config: Config):
    root = logging.getLogger()
    before = (root.handlers[:], root.level, logging.getLogger("httpx").level)
    with logs.configured(telegram_config, stream=io.StringIO()):
        assert logging.getLogger("httpx").level == logging.WARNING
        assert logging.getLogger("telegram").getEffectiveLevel() == logging.INFO
    assert (root.handlers, root.level, logging.getLogger("httpx").level) == before


def test_buurtbot_run_refuses_unusable_settings(monkeypatch, tmp_path, capsys):
    from bot.cli import main

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'run.db'}")
    monkeypatch.setenv("BUURTBOT_LOG_LEVEL", "loud")
    monkeypatch.setenv("BUURTBOT_LOG_FORMAT", "yaml")
    assert main(["run"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Logging: ") and "'loud'" in err and "'yaml'" in err
    assert not (tmp_path / "run.db").exists()  # refused before anything was opened


def test_the_text_format_and_the_fields_a_call_adds(telegram_config: Config):
    stream = io.StringIO()
    with logs.configured(replace(telegram_config, log_format="text"), stream=stream):
        logging.getLogger("bot.outbox").info(
            "%s blocked the bot", "Bewoner-ABCDE", extra={"who": "Bewoner-ABCDE"}
        )
        logging.getLogger("aiohttp.server").error("Error handling request from %s", "203.0.113.9")
    first, second = stream.getvalue().splitlines()
    assert first.endswith("INFO bot.outbox: Bewoner-ABCDE blocked the bot [who=Bewoner-ABCDE]")
    assert second.endswith("ERROR aiohttp.server: Error handling request")
