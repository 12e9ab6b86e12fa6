"""The webhook route on the shared aiohttp server. Every request must carry the secret that
was given to Telegram with setWebhook; anything else is refused before it is read."""

from __future__ import annotations

import hmac
import json
import logging

from aiohttp import web

from bot.channels.telegram.channel import TelegramChannel

logger = logging.getLogger(__name__)

PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1024 * 1024  # a Telegram update is far smaller


def handler(channel: TelegramChannel, secret: str):
    expected = secret.encode()

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "replace")
        if not hmac.compare_digest(given, expected):
            logger.warning("webhook request without the right secret from %s", request.remote)
            raise web.HTTPForbidden()
        if not channel.ready.is_set():
            raise web.HTTPServiceUnavailable()  # Telegram delivers it again later
        if request.content_length is not None and request.content_length > MAX_BODY:
            raise web.HTTPRequestEntityTooLarge(
                max_size=MAX_BODY, actual_size=request.content_length
            )
        try:
            data = json.loads(await request.read())
        except (ValueError, UnicodeDecodeError):
            raise web.HTTPBadRequest() from None
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            raise web.HTTPBadRequest()
        try:
            await channel.put_update(data)
        except Exception:
            # An update PTB cannot read would come back forever: log it and take it.
            logger.exception("webhook update %s could not be read", data.get("update_id"))
        return web.Response(text="ok")

    return receive
