"""Logging in and out of the dashboard: the login page, its form, the session cookie."""

from __future__ import annotations

from aiohttp import web

from bot.dashboard import auth, i18n, texts
from bot.dashboard.rendering import render
from bot.dashboard.views import form, login_of, redirect, safe_next
from bot.keys import DB
from storage.types import utcnow


@auth.public
async def login_page(request: web.Request) -> web.Response:
    db = request.config_dict[DB]
    if await auth.load_login(request, db, activity=False) is not None:
        return redirect(safe_next(request.query.get("next")))
    notice = None
    if request.query.get("expired"):
        notice = i18n.gettext(texts.SESSION_ENDED)
    elif request.query.get("bye"):
        notice = i18n.gettext(texts.LOGGED_OUT)
    return _login_form(request, notice=notice, next_page=request.query.get("next", ""))


def _login_form(
    request: web.Request,
    *,
    notice: str | None = None,
    error: str | None = None,
    next_page: str = "",
    name: str = "",
    status: int = 200,
) -> web.Response:
    token, fresh = auth.login_token(request)
    response = render(
        request,
        "login.html",
        {
            "login_csrf": token,
            "notice": notice,
            "error": error,
            "next_page": safe_next(next_page) if next_page else "",
            "name": name,
        },
        status=status,
    )
    if fresh:
        auth.set_login_cookie(response, request, token)
    return response


@auth.public
async def login_submit(request: web.Request) -> web.Response:
    data = await form(request)
    expected = request.cookies.get(auth.LOGIN_COOKIE, "")
    if not auth.tokens_match(expected, data.get(auth.CSRF_FIELD)):
        raise auth.CsrfFailed()
    name, password = data.get("name", "")[:200], data.get("password", "")[:1024]
    attempt = await auth.log_in(request.config_dict[DB], name, password, ip=auth.client_ip(request))
    if attempt.token is None:
        if attempt.locked_until is not None:
            minutes = max(1, round((attempt.locked_until - utcnow()).total_seconds() / 60))
            error = i18n.gettext(texts.LOGIN_LOCKED, minutes=minutes)
            status = 429
        else:
            error, status = i18n.gettext(texts.LOGIN_FAILED), 401
        return _login_form(
            request, error=error, next_page=data.get("next", ""), name=name, status=status
        )
    response = redirect(safe_next(data.get("next")))
    auth.set_session_cookie(response, request, attempt.token)
    response.del_cookie(auth.LOGIN_COOKIE, path=f"{auth.PATH}/login")
    return response


async def logout(request: web.Request) -> web.Response:
    await auth.log_out(request.config_dict[DB], login_of(request), ip=auth.client_ip(request))
    response = redirect("/dashboard/login?bye=1")
    auth.clear_session_cookie(response)
    return response
