"""A password the machine made (the first-run admin's) is changed before anything else: every
dashboard page sends such a user here until they have chosen their own."""

from __future__ import annotations

from aiohttp import web

from bot.dashboard import auth, i18n, passwords, texts
from bot.dashboard.rendering import render
from bot.dashboard.settings import LOGIN
from bot.keys import DB
from storage import audit, users
from storage.types import utcnow

PATH = "/dashboard/password"
ALLOWED = (PATH, "/dashboard/logout")


def must_change(request: web.Request, login: users.Login) -> bool:
    """Whether this request goes to the password page instead."""
    return login.user.must_change_password and request.path not in ALLOWED


def _page(request: web.Request, error: str | None = None, status: int = 200) -> web.Response:
    context = {"reason": i18n.gettext(texts.PASSWORD_FIRST), "error": error}
    return render(request, "password.html", context, status=status)


async def page(request: web.Request) -> web.Response:
    return _page(request)


async def submit(request: web.Request) -> web.Response:
    data = await request.post()
    password, again = str(data.get("password", "")), str(data.get("again", ""))
    if password != again:
        return _page(request, i18n.gettext(texts.PASSWORDS_DIFFER), 400)
    if users.password_problems(password):
        return _page(request, i18n.gettext(texts.PASSWORD_SHORT, min=users.MIN_PASSWORD), 400)
    new_hash = await passwords.hash_async(password)
    login: users.Login = request[LOGIN]
    now = utcnow()
    async with request.config_dict[DB].transaction() as s:
        user = await users.get_user(s, login.user.id or 0)
        assert user is not None
        await users.set_password_hash(s, user, new_hash)  # ends every session of the user
        user.must_change_password = False
        s.add(user)
        token, _ = await users.new_session(s, user.id or 0, now=now)
        await audit.record(
            s,
            "user_password",
            now=now,
            user_id=user.id,
            user_name=user.name,
            detail=f"{user.name}: own password after the first login",
            ip=auth.client_ip(request),
        )
    response = web.Response(status=303, headers={"Location": "/dashboard/"})
    auth.set_session_cookie(response, request, token)
    return response
