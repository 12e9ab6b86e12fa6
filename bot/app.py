"""The one process: an aiohttp application that carries the web chat, the dashboard and, when a
token is set, the Telegram channel, all in one event loop (as in python-telegram-bot's
customwebhookbot example).

Each part plugs in with a `setup(app)` that adds its routes and its `cleanup_ctx` entries.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import AsyncIterator, Callable

from aiohttp import web

from bot.config import Config
from bot.conversation import Conversations
from bot.engine import load
from bot.followups import sender as follow_ups
from bot.keys import CATALOGS, CONFIG, CONVERSATIONS, DB, FLOWS, METRICS
from bot.ops import content
from bot.ops.metrics import Metrics
from bot.ops.purge import scheduled as scheduled_purge
from bot.teams.alerts import running as alert_mail
from storage import migrate
from storage.db import Database

logger = logging.getLogger(__name__)

# The keys live in bot/keys.py (every part reads them); named here too for the tests and tools
# that build the app.
__all__ = ["CATALOGS", "CONFIG", "CONVERSATIONS", "DB", "FLOWS", "METRICS", "init_app", "run"]


async def _core(app: web.Application) -> AsyncIterator[None]:
    """Database, flows and catalogs: opened before every other part, closed after them."""
    config = app[CONFIG]
    db = Database(config.database_url)
    await migrate.upgrade(db)
    app[DB] = db
    conversations = Conversations.from_config(db, config, metrics=app[METRICS])
    app[FLOWS] = conversations.flows
    app[CATALOGS] = conversations.catalogs
    app[CONVERSATIONS] = conversations
    yield
    await db.dispose()


Setup = Callable[[web.Application], None]


def parts(config: Config) -> list[Setup]:
    """The parts of this process: health and metrics, the web chat and the dashboard always,
    Telegram when a token is set, WhatsApp when its token and phone number id are."""
    from bot import dashboard
    from bot.channels import webchat
    from bot.ops import health as operations

    found: list[Setup] = [operations.setup, webchat.setup, dashboard.setup]
    if config.telegram_token:
        from bot.channels import telegram

        found.append(telegram.setup)
    if config.whatsapp_on:
        from bot.channels import whatsapp

        found.append(whatsapp.setup)
    return found


def init_app(config: Config) -> web.Application:
    """Build the whole application for `config`; nothing is opened until it starts."""
    app = web.Application()
    app[CONFIG] = config
    app[METRICS] = Metrics()
    app.cleanup_ctx.append(_core)
    app.cleanup_ctx.append(content.watching)  # edited content served without a restart
    app.cleanup_ctx.append(scheduled_purge)  # retention (docs/privacy.md)
    app.cleanup_ctx.append(alert_mail)  # mails for waiting cases (docs/teams.md)
    app.cleanup_ctx.append(follow_ups.scheduled)  # due follow-ups (docs/followups.md)
    for setup in parts(config):
        setup(app)
    return app


async def _first_admin(config: Config) -> str | None:
    from bot.ops.firstrun import ensure_admin

    db = Database(config.database_url)
    try:
        return await ensure_admin(db)
    finally:
        await db.dispose()


def run(config: Config) -> int:
    """`buurtbot run`: serve until interrupted."""
    load(config.flows_dir)  # refuse to start on broken flows, with every problem printed
    if config.telegram_token:
        from bot.channels.telegram.channel import check_config

        check_config(config)  # and on unusable Telegram settings, before the database is touched
    if config.whatsapp_on:
        from bot.channels.whatsapp.channel import check_config as check_whatsapp

        check_whatsapp(config)
    if config.smtp_url:
        from bot.teams.mail import Smtp

        try:
            Smtp.parse(config.smtp_url)
        except ValueError as wrong:
            print(f"Mail: {wrong}", file=sys.stderr)
            return 1
    password = asyncio.run(_first_admin(config))
    base = f"http://{config.dashboard_host}:{config.dashboard_port}"
    print(f"Buurtbot runs: web chat at {base}/ , flow simulator at {base}/simulator")
    print(f"Dashboard for social workers: {base}/dashboard")
    if password:
        from bot.ops.firstrun import write_password

        where = write_password(password, config.spool_dir.parent)
        print(f"First run: the dashboard's first account is 'admin'; its password is in {where}")
        print("  (readable by this user only; the dashboard asks for a new one at the first login;")
        print("  delete the file afterwards)")
    print("Telegram: " + ("on" if config.telegram_token else "off (set TELEGRAM_BOT_TOKEN)"))
    print(
        "WhatsApp: "
        + (
            f"on, webhook at {base}/whatsapp/webhook"
            if config.whatsapp_on
            else "off (set WHATSAPP_TOKEN and WHATSAPP_PHONE_NUMBER_ID)"
        )
    )
    from bot.ops.logs import AccessLogger

    web.run_app(
        init_app(config),
        host=config.dashboard_host,
        port=config.dashboard_port,
        print=None,
        access_log_class=AccessLogger,  # routes, not paths; no client addresses
    )
    return 0
