"""The web chat: the same conversation as Telegram, in a browser page.

For a resident without Telegram, for a flow author trying a flow (the simulator), and for a
newcomer's first look at the product. A resident is known by a random cookie; the database
keeps only its hash, so the database alone cannot be used to take over a chat.
"""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from bot.channels.webchat import simulator, upload, views
from bot.channels.webchat.headers import security_headers
from bot.channels.webchat.limits import LIMITS, Limits

STATIC = Path(__file__).parent / "static"


def setup(app: web.Application) -> None:
    if LIMITS not in app:
        app[LIMITS] = Limits()
    app.on_response_prepare.append(security_headers)
    app.router.add_get("/", views.page, name="webchat")
    app.router.add_get("/chat/api/messages", views.messages)
    app.router.add_post("/chat/api/send", views.send)
    app.router.add_post("/chat/api/upload", upload.upload)  # a photo, PDF or voice note
    app.router.add_post("/chat/api/reset", views.reset)
    app.router.add_static("/chat/static/", STATIC, name="webchat_static")
    simulator.setup(app)  # behind the dashboard login
