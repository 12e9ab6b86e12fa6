"""A worker's own account settings: the name residents see beside their messages.

Residents see "Sanne · buurtteam" in the web chat and "Sanne (buurtteam):" on Telegram; the
worker chooses that name here (a first name is enough; the login name stays private).
"""

from __future__ import annotations

from aiohttp import web

from bot.dashboard.rendering import render
from bot.dashboard.views import actor_of, form, login_of, redirect
from bot.keys import DB
from storage import audit, users
from storage.types import utcnow


async def account_page(request: web.Request) -> web.Response:
    user = login_of(request).user
    return render(
        request,
        "account.html",
        {
            "display_name": user.display_name or "",
            "shown": users.shown_name(user),
            "saved": request.query.get("saved") == "1",
            "error": "",
        },
    )


async def account_save(request: web.Request) -> web.Response:
    data = await form(request)
    actor = actor_of(request)
    try:
        name = users.check_display_name(data.get("display_name", ""))
    except users.UserError as exc:
        user = login_of(request).user
        context = {"display_name": data.get("display_name", ""), "shown": users.shown_name(user)}
        return render(request, "account.html", {**context, "saved": False, "error": str(exc)})
    async with request.config_dict[DB].transaction() as s:
        await users.set_display_name(s, actor.id, name)
        await audit.record(
            s,
            "user_display_name",
            now=utcnow(),
            detail=name or "",
            user_id=actor.id,
            user_name=actor.name,
        )
    return redirect("/dashboard/account?saved=1")
