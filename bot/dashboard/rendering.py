"""Rendering the dashboard's templates with what every page needs: the user, the CSRF token,
the language, and the queue's counts for the top bar."""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web

from bot.dashboard import i18n
from bot.dashboard.need_to_know import VISIBLE
from bot.dashboard.settings import LIVE, LOGIN, TEMPLATES
from storage.teams import Visible
from storage.types import utcnow

NOTHING = Visible(everything=False)  # a page without a login (or before the guard) counts none


def render(
    request: web.Request, template: str, context: dict[str, Any], *, status: int = 200
) -> web.Response:
    login = request.get(LOGIN)
    live = request.config_dict.get(LIVE)
    base = {
        "login": login,
        "user": login.user if login else None,
        "csrf": login.session.csrf if login else "",
        "lang": i18n.current_language(),
        "summary": (
            live.snapshot.summary(request.get(VISIBLE, NOTHING))
            if live
            else {"waiting": 0, "open": 0, "urgent": []}
        ),
        "path": request.path,
        "now": utcnow(),
    }
    return aiohttp_jinja2.render_template(
        template, request, {**base, **context}, status=status, app_key=TEMPLATES
    )


def fragment(request: web.Request, template: str, context: dict[str, Any]) -> str:
    """A piece of a page, for the page's script to put in place."""
    base = {"lang": i18n.current_language(), "now": utcnow()}
    return aiohttp_jinja2.render_string(template, request, {**base, **context}, app_key=TEMPLATES)
