"""The WhatsApp Cloud API channel (issue 19, docs/whatsapp.md): a signed webhook on the shared
aiohttp server brings residents' messages to the same conversation path as Telegram; the
outbox sends the replies through the Graph API.

Modules: `webhook` (verification and signed posts), `updates` (the payload read), `channel`
(the way in, status reports), `presses` (a pressed button's payload and label), `messages`
(request bodies: text, reply buttons, lists, the template), `graph` (HTTP), `sending` (rows to
calls, errors to results), `window` (the 24-hour window), `texts`.

`setup(app)` plugs it into the app built by `bot.app.init_app` when `WHATSAPP_TOKEN` and
`WHATSAPP_PHONE_NUMBER_ID` are set.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from bot.channels.whatsapp import webhook
from bot.channels.whatsapp.channel import WhatsAppChannel, WhatsAppConfigError, check_config
from bot.keys import CONFIG, CONVERSATIONS, DB, METRICS, WHATSAPP_PROBE

__all__ = ["WHATSAPP", "WhatsAppChannel", "WhatsAppConfigError", "setup"]

WHATSAPP = web.AppKey("whatsapp", WhatsAppChannel)


def setup(app: web.Application) -> None:
    """Add the webhook routes and the channel's start and stop. Raises `WhatsAppConfigError`
    when the settings cannot work."""
    config = app[CONFIG]
    check_config(config)
    channel = WhatsAppChannel(config, metrics=app.get(METRICS))
    app[WHATSAPP] = channel
    app[WHATSAPP_PROBE] = channel
    app.router.add_get(webhook.PATH, webhook.verify(config.whatsapp_verify_token or ""))
    app.router.add_post(webhook.PATH, webhook.receive(channel, config.whatsapp_app_secret or ""))

    async def lifetime(app: web.Application) -> AsyncIterator[None]:
        await channel.start(app[DB], app[CONVERSATIONS])
        try:
            yield
        finally:
            await channel.stop()

    app.cleanup_ctx.append(lifetime)
