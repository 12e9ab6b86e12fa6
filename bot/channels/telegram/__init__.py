"""The Telegram channel: python-telegram-bot in the shared event loop, long polling by default
or a webhook on the same aiohttp server when `WEBHOOK_URL` is set; inbound updates go to the
conversation path, outgoing messages come from the outbox.

`setup(app)` plugs it into the app built by `bot.app.init_app`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import urlsplit

from aiohttp import web

from bot.channels.telegram import webhook
from bot.channels.telegram.channel import TelegramChannel, TelegramConfigError, check_config
from bot.keys import CATALOGS, CONFIG, CONVERSATIONS, DB, METRICS, TELEGRAM_PROBE

__all__ = ["TELEGRAM", "TelegramChannel", "TelegramConfigError", "setup"]

TELEGRAM = web.AppKey("telegram", TelegramChannel)


def setup(app: web.Application) -> None:
    """Add the webhook route (in webhook mode) and the channel's start and stop. Raises
    `TelegramConfigError` when the settings cannot work."""
    config = app[CONFIG]
    check_config(config)
    channel = TelegramChannel(config, metrics=app.get(METRICS))
    app[TELEGRAM] = channel
    app[TELEGRAM_PROBE] = channel  # for /healthz and /metrics (bot/ops/health.py)
    if config.webhook_url:
        receive = webhook.handler(channel, config.webhook_secret or "")
        # Also the path of WEBHOOK_URL itself, for a proxy that passes the path on unchanged.
        own = urlsplit(config.webhook_url).path.rstrip("/")
        for path in sorted({webhook.PATH, own} - {""}):
            app.router.add_post(path, receive)

    async def lifetime(app: web.Application) -> AsyncIterator[None]:
        await channel.start(app[DB], app[CONVERSATIONS], app[CATALOGS])
        try:
            yield
        finally:
            await channel.stop()

    app.cleanup_ctx.append(lifetime)
