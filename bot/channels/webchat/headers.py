"""Security headers for the web chat's page and JSON API (the dashboard has its own).

A resident may write from a shared computer, in a library or a community centre: nothing of
the conversation may stay in the browser's cache (`no-store`), the page may not be framed by
another site, and no referrer leaves with a link the bot sent.
"""

from __future__ import annotations

from aiohttp import web

from bot.dashboard.middlewares import CSP

PAGES = ("/", "/simulator")
API = ("/chat/api/", "/simulator/api/")


async def security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """`on_response_prepare` of the main app: only for the chat's page and API."""
    if request.path not in PAGES and not request.path.startswith(API):
        return
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers["Cache-Control"] = "no-store"
