"""Fixtures for the operations tests: the app's settings for the web chat alone and for the
Telegram channel against the Bot API stand-in (the same as those tests use)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Config
from tests.support.botapi import BotAPI
from tests.telegram import conftest as telegram
from tests.telegram.conftest import quick_backoff  # noqa: F401  (autouse here too)
from tests.webchat import conftest as webchat


@pytest.fixture
def web_config(tmp_path: Path) -> Config:
    return webchat.web_config(tmp_path)


@pytest.fixture
def telegram_config(botapi: BotAPI, tmp_path: Path) -> Config:
    return telegram.telegram_config(botapi, tmp_path)
