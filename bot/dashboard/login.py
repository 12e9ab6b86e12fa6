"""Logging in and out of the dashboard: the login page, its form with the second step (the code
from an app, two_step.py), the session cookie."""

from __future__ import annotations

from datetime import datetime

from aiohttp import web

from bot.dashboard import auth, i18n, texts, totp, two_step
from bot.dashboard.rendering import render
from bot.dashboard.views import form, login_of, redirect, safe_next
from bot.keys import DB
from storage import second_factor, users
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
    step: bool = False,
    setup: dict[str, str] | None = None,
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
            "step": step,  # ask for the code (two_step.py)
            "setup": setup,  # and show how to set it up first
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
    if data.get("step"):
        return await login_code(request, data)
    name, password = data.get("name", "")[:200], data.get("password", "")[:1024]
    attempt = await auth.log_in(
        request.config_dict[DB],
        name,
        password,
        ip=auth.client_ip(request),
        require_2fa=auth.settings_of(request).require_2fa,
    )
    if attempt.step is not None and attempt.user is not None:
        response = _login_form(
            request,
            next_page=data.get("next", ""),
            step=True,
            setup=_setup(attempt.user.name, attempt.setup_secret),
        )
        response.set_cookie(
            two_step.STEP_COOKIE,
            attempt.step,
            path=f"{auth.PATH}/login",
            max_age=int(second_factor.STEP_VALID.total_seconds()),
            httponly=True,
            samesite="Strict",
            secure=auth.is_https(request),
        )
        return response
    if attempt.token is None:
        if attempt.locked_until is not None:
            error, status = _locked(attempt.locked_until), 429
        else:
            error, status = i18n.gettext(texts.LOGIN_FAILED), 401
        return _login_form(
            request, error=error, next_page=data.get("next", ""), name=name, status=status
        )
    response = redirect(safe_next(data.get("next")))
    auth.set_session_cookie(response, request, attempt.token)
    response.del_cookie(auth.LOGIN_COOKIE, path=f"{auth.PATH}/login")
    return response


def _locked(until: datetime) -> str:
    minutes = max(1, round((until - utcnow()).total_seconds() / 60))
    return i18n.gettext(texts.LOGIN_LOCKED, minutes=minutes)


def _setup(name: str, secret: str | None) -> dict[str, str] | None:
    if secret is None:
        return None
    link = totp.uri(name, secret)
    return {"secret": secret, "qr": totp.qr_data_uri(link), "uri": link}


async def login_code(request: web.Request, data: dict[str, str]) -> web.Response:
    """The second step: the code from the app, or a recovery code."""
    step_token = request.cookies.get(two_step.STEP_COOKIE, "")
    outcome = await two_step.finish(
        request.config_dict[DB],
        step_token,
        data.get("code", "")[:64],
        ip=auth.client_ip(request),
    )
    next_page = data.get("next", "")
    if outcome.expired:
        return _login_form(
            request, error=i18n.gettext(texts.CODE_EXPIRED), next_page=next_page, status=401
        )
    if outcome.token is None:
        if outcome.locked_until is not None:
            error = _locked(outcome.locked_until)
            return _login_form(request, error=error, next_page=next_page, status=429)
        setup = None
        if outcome.setup_secret:
            async with request.config_dict[DB].transaction() as s:
                step = await second_factor.find_step(s, step_token, now=utcnow())
                user = await users.get_user(s, step.user_id) if step else None
            setup = _setup(user.name, outcome.setup_secret) if user else None
        return _login_form(
            request,
            error=i18n.gettext(texts.CODE_WRONG),
            next_page=next_page,
            step=True,
            setup=setup,
            status=401,
        )
    target = safe_next(next_page)
    if outcome.recovery_codes:
        response = render(
            request, "recovery.html", {"codes": outcome.recovery_codes, "next_page": target}
        )
    else:
        response = redirect(target)
    auth.set_session_cookie(response, request, outcome.token)
    response.del_cookie(two_step.STEP_COOKIE, path=f"{auth.PATH}/login")
    response.del_cookie(auth.LOGIN_COOKIE, path=f"{auth.PATH}/login")
    return response


async def logout(request: web.Request) -> web.Response:
    await auth.log_out(request.config_dict[DB], login_of(request), ip=auth.client_ip(request))
    response = redirect("/dashboard/login?bye=1")
    auth.clear_session_cookie(response)
    return response
