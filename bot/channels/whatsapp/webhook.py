"""`/whatsapp/webhook` on the shared aiohttp server.

GET: Meta's verification (`hub.mode=subscribe`, `hub.verify_token`, `hub.challenge`): the
challenge comes back as plain text when the token matches, 403 otherwise.

POST: the `X-Hub-Signature-256` header (`sha256=` and the hex HMAC-SHA256 of the raw body with
the app secret) is checked in constant time before the body is parsed: 401 without it, 403
when it is wrong. A signed post is answered 200 once its messages are stored (their replies
queued in the outbox), so a process that dies first gets the post again from Meta; after
`SETTLE_SECONDS` it is answered anyway while the handling goes on. A message Meta posts again
is known by its wamid and handled once.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging

from aiohttp import web

from bot.channels.whatsapp.channel import WhatsAppChannel

logger = logging.getLogger(__name__)

PATH = "/whatsapp/webhook"
SIGNATURE_HEADER = "X-Hub-Signature-256"
MAX_BODY = 1024 * 1024  # Meta posts at most a few kilobytes
SETTLE_SECONDS = 5.0


def signature_ok(secret: str, body: bytes, given: str) -> bool:
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(given.strip().lower().encode(), expected.encode())


def verify(verify_token: str):
    async def answer(request: web.Request) -> web.Response:
        query = request.query
        given = query.get("hub.verify_token", "").encode("utf-8", "replace")
        if (
            query.get("hub.mode") == "subscribe"
            and verify_token
            and hmac.compare_digest(given, verify_token.encode())
        ):
            return web.Response(text=query.get("hub.challenge", ""), content_type="text/plain")
        logger.warning("WhatsApp webhook verification refused")
        raise web.HTTPForbidden()

    return answer


def receive(channel: WhatsAppChannel, app_secret: str):
    tasks: set[asyncio.Task[None]] = set()

    async def post(request: web.Request) -> web.Response:
        if request.content_length is not None and request.content_length > MAX_BODY:
            raise web.HTTPRequestEntityTooLarge(
                max_size=MAX_BODY, actual_size=request.content_length
            )
        given = request.headers.get(SIGNATURE_HEADER)
        if not given:
            logger.warning("WhatsApp webhook post without a signature")
            raise web.HTTPUnauthorized()
        body = await request.read()  # the whole body; aiohttp refuses more than 1 MiB
        if len(body) > MAX_BODY:
            raise web.HTTPRequestEntityTooLarge(max_size=MAX_BODY, actual_size=len(body))
        if not app_secret or not signature_ok(app_secret, body, given):
            logger.warning("WhatsApp webhook post with a wrong signature")
            raise web.HTTPForbidden()
        if not channel.ready.is_set():
            raise web.HTTPServiceUnavailable()  # Meta posts it again later
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise web.HTTPBadRequest() from None
        task = asyncio.create_task(channel.handle(data), name="whatsapp-post")
        tasks.add(task)
        task.add_done_callback(_finished(tasks))
        try:
            async with asyncio.timeout(SETTLE_SECONDS):
                await asyncio.shield(task)
        except TimeoutError:
            logger.warning("WhatsApp post still being handled; confirming it")
        except Exception:
            # A post we cannot handle would come back for days: logged, and taken.
            logger.exception("a WhatsApp webhook post could not be handled")
        return web.Response(text="ok")

    return post


def _finished(tasks: set[asyncio.Task[None]]):
    def done(task: asyncio.Task[None]) -> None:
        tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("handling a WhatsApp post failed", exc_info=task.exception())

    return done
