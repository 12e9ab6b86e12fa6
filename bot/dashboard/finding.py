"""Search and filters on the queue and the closed list, for the views: the filter from the
query string (400 when it makes no sense), and the choices the filter form offers. The
conditions themselves are `storage/case_filter.py` (`narrow`)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from bot.dashboard import texts
from bot.i18n import LANGUAGES
from bot.keys import CONVERSATIONS, DB
from storage import users
from storage.case_filter import CaseFilter


def wanted(request: web.Request) -> CaseFilter:
    try:
        return CaseFilter.from_query(request.query)
    except ValueError as exc:
        raise web.HTTPBadRequest(text=str(exc)) from None


async def form(request: web.Request, chosen: CaseFilter) -> dict[str, Any]:
    """What the filter form needs: the choice made, its query string, and the options."""
    async with request.config_dict[DB].transaction() as s:
        workers = [u.name for u in await users.active_users(s)]
    return {
        "chosen": chosen,
        "query": urlencode(chosen.as_query()),
        "languages": list(LANGUAGES),
        "reasons": reasons(request),
        "priorities": list(texts.PRIORITIES),
        "workers": sorted(workers),
    }


def reasons(request: web.Request) -> list[str]:
    """The reasons a case can have: the bot's own, and those the flows name."""
    found = dict.fromkeys(texts.REASONS)
    for flow in request.config_dict[CONVERSATIONS].flows.flows.values():
        for node in flow.nodes.values():
            if node.escalate is not None:
                found[node.escalate.reason] = None
    return list(found)
