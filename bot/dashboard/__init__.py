"""The social worker's dashboard: login, the queue of cases, a case with its transcript,
replies, notes and closing; the audit log and admin pages. Mounted under `/dashboard`.

`setup(app)` plugs it into the app built by `bot.app.init_app` (see docs/dashboard.md).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import aiohttp_jinja2
import jinja2
from aiohttp import web

from bot.dashboard import filters, i18n, readable
from bot.dashboard import replies as canned
from bot.dashboard.live import Live
from bot.dashboard.middlewares import errors, guard, security_headers
from bot.dashboard.routes import setup_routes
from bot.dashboard.settings import LIVE, REPLIES, SETTINGS, TEMPLATES, Settings
from bot.keys import CONFIG, CONVERSATIONS, DB
from bot.ops.content import CONTENT

__all__ = ["LIVE", "SETTINGS", "Settings", "setup"]

logger = logging.getLogger(__name__)

PREFIX = "/dashboard"
MOUNTED = web.AppKey("dashboard_mounted", bool)


def create_app() -> web.Application:
    """The dashboard as an aiohttp application of its own, to mount under `PREFIX`."""
    dashboard = web.Application(middlewares=[errors, guard])
    env = aiohttp_jinja2.setup(
        dashboard,
        loader=jinja2.PackageLoader("bot.dashboard", "templates"),
        autoescape=True,
        app_key=TEMPLATES,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    i18n.install(env)
    filters.install(env)
    readable.install(env)
    setup_routes(dashboard)
    dashboard.on_response_prepare.append(security_headers)
    return dashboard


def setup(app: web.Application) -> None:
    """Mount the dashboard on `app` (once; a second call does nothing)."""
    if app.get(MOUNTED):
        return
    app[MOUNTED] = True
    settings = app.get(SETTINGS) or Settings.from_env()
    app[SETTINGS] = settings

    async def to_dashboard(request: web.Request) -> web.Response:
        raise web.HTTPMovedPermanently(PREFIX + "/")

    app.router.add_get(PREFIX, to_dashboard)  # before the sub-app, which would take it
    app.add_subapp(PREFIX, create_app())
    config = app[CONFIG]
    app[REPLIES] = canned.load(settings.replies_dir or config.flows_dir / "replies")
    for problem in app[REPLIES].problems:
        if problem.severity == "error":
            logger.error("canned replies: %s", problem)
    live_holder: list[Live] = []

    async def lifetime(app: web.Application) -> AsyncIterator[None]:
        live = Live(app[DB], interval=settings.poll_interval)
        app[LIVE] = live
        live_holder.append(live)
        conversations = app[CONVERSATIONS]
        conversations.notifier.subscribe(live.poke)
        watcher = app.get(CONTENT)
        if watcher is not None:  # edited canned replies are offered without a restart
            watcher.replies_dir = settings.replies_dir
            watcher.on_replies.append(lambda folder: app[REPLIES].use(canned.load(folder)))
        await live.start()
        try:
            yield
        finally:
            conversations.notifier.unsubscribe(live.poke)
            await live.stop()

    async def end_streams(app: web.Application) -> None:
        # Open event streams end before the server waits for its requests to finish.
        for live in live_holder:
            await live.stop()

    app.cleanup_ctx.append(lifetime)
    app.on_shutdown.append(end_streams)
