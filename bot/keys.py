"""The typed keys of the application's shared state (`web.AppKey`), in a module of their own so
that every part can read them without importing `bot.app`, which imports every part.

A leaf: the types are imported for type checking only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from aiohttp import web

if TYPE_CHECKING:
    from bot.config import Config
    from bot.conversation import Conversations
    from bot.engine import FlowSet
    from bot.i18n import Catalogs
    from bot.ops.metrics import Metrics
    from storage.db import Database


class ChannelProbe(Protocol):
    """What `/healthz` and `/metrics` ask of a channel that runs beside the web app."""

    def status(self) -> str:
        """`ok`, `starting`, `unreachable` or `down`."""
        ...

    @property
    def held(self) -> int:
        """Residents' messages held until the database answers."""
        ...


CONFIG: web.AppKey[Config] = web.AppKey("config")
DB: web.AppKey[Database] = web.AppKey("db")
FLOWS: web.AppKey[FlowSet] = web.AppKey("flows")
CATALOGS: web.AppKey[Catalogs] = web.AppKey("catalogs")
CONVERSATIONS: web.AppKey[Conversations] = web.AppKey("conversations")
METRICS: web.AppKey[Metrics] = web.AppKey("metrics")
# Set by the Telegram part when it runs; absent while it is not set up.
TELEGRAM_PROBE: web.AppKey[ChannelProbe] = web.AppKey("telegram_probe")
# Set by the WhatsApp part when it runs (bot/channels/whatsapp).
WHATSAPP_PROBE: web.AppKey[ChannelProbe] = web.AppKey("whatsapp_probe")
