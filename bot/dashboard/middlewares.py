"""The dashboard's middlewares: errors to HTTP answers (in this one place), and login, roles,
CSRF and language for every request. Plus the security headers on every response.

Order (outermost first): `errors`, then `guard`. A page asked for without a valid session is
redirected to the login page; a script's request (`auth.api`) gets 401. A worker asking for an
admin page gets 403. Any POST without the session's CSRF token, or sent from another site,
gets 403.
"""

from __future__ import annotations

import logging

from aiohttp import web
from yarl import URL

from bot.dashboard import auth, first_password, i18n, need_to_know, texts
from bot.dashboard.actions import Refused
from bot.dashboard.rendering import render
from bot.dashboard.settings import LOGIN
from bot.keys import CATALOGS, DB
from storage import casework, users

logger = logging.getLogger(__name__)

LOGIN_PATH = "/dashboard/login"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'"
)


def describe(exc: BaseException) -> tuple[int, str, dict[str, object]] | None:
    """(HTTP status, msgid, params) for the errors a worker can meet; None for the others."""
    match exc:
        case Refused():
            return exc.status, exc.msgid, dict(exc.params)
        case casework.CaseNotFound():
            return 404, texts.NOT_FOUND, {}
        case casework.AlreadyClaimed():
            return 409, texts.ALREADY_CLAIMED, {"name": exc.holder}
        case casework.NotHolder():
            if exc.holder is None:
                return 409, texts.NOBODY_HOLDS, {}
            return 409, texts.NOT_HOLDER, {"name": exc.holder}
        case casework.CaseClosed():
            return 409, texts.CASE_CLOSED, {}
        case casework.InvalidAction() | users.UserError():
            return 400, texts.BAD_REQUEST, {}
        case auth.CsrfFailed():
            return 403, texts.CSRF_FAILED, {}
        case web.HTTPForbidden():
            return 403, texts.FORBIDDEN, {}
        case web.HTTPNotFound():
            return 404, texts.NOT_FOUND, {}
        case web.HTTPException() if exc.status >= 400:
            return exc.status, texts.BAD_REQUEST, {}
    return None


def wants_json(request: web.Request) -> bool:
    handler = request.match_info.handler
    return bool(auth.mark(handler, "api")) or "application/json" in request.headers.get(
        "Accept", ""
    )


@web.middleware
async def errors(request: web.Request, handler: auth.Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        found = describe(exc)
    except (casework.CaseworkError, users.UserError, Refused, auth.CsrfFailed) as exc:
        found = describe(exc)
    except Exception:
        logger.exception("dashboard: %s %s failed", request.method, request.path)
        found = (500, texts.SERVER_ERROR, {})
    assert found is not None
    status, msgid, params = found
    message = i18n.gettext(msgid, **params)
    if wants_json(request):
        return web.json_response({"error": message}, status=status)
    case_id = request.match_info.get("case_id")
    back = f"/dashboard/cases/{case_id}" if case_id and status != 404 else "/dashboard/"
    try:
        return render(
            request,
            "error.html",
            {"status": status, "message": message, "back": back},
            status=status,
        )
    except Exception:  # the error page itself failed: say it plainly
        logger.exception("dashboard: the error page failed")
        return web.Response(text=message, status=status)


@web.middleware
async def guard(request: web.Request, handler: auth.Handler) -> web.StreamResponse:
    """Session, role, CSRF and language."""
    route_handler = request.match_info.handler
    catalogs = request.config_dict[CATALOGS]
    wanted = request.query.get("lang")
    if auth.mark(route_handler, "public") or request.path.startswith("/dashboard/static/"):
        i18n.use(catalogs, i18n.ui_language(wanted))
        if request.method not in auth.SAFE_METHODS and not auth.same_origin(request):
            raise auth.CsrfFailed()
        return await handler(request)

    is_api = bool(auth.mark(route_handler, "api"))
    db = request.config_dict[DB]
    login = await auth.load_login(request, db, activity=not is_api)
    if login is None:
        if is_api:
            return web.json_response({"error": "login required"}, status=401)
        target = URL(LOGIN_PATH)
        if request.method == "GET":
            target = target.with_query(next=request.path_qs)
        if request.cookies.get(auth.COOKIE):
            target = target.update_query(expired="1")
        response = web.HTTPSeeOther(target)
        if request.cookies.get(auth.COOKIE):
            auth.clear_session_cookie(response)
        raise response
    request[LOGIN] = login
    if first_password.must_change(request, login):
        raise web.HTTPSeeOther(first_password.PATH)

    language = login.user.language
    if wanted is not None and request.method == "GET":
        language = i18n.ui_language(wanted)
        if language != login.user.language:
            async with db.transaction() as s:
                await users.set_language(s, login.user.id, language)
    i18n.use(catalogs, language or i18n.ui_language(None))

    if auth.mark(route_handler, "role") == "admin" and login.user.role != "admin":
        raise web.HTTPForbidden()
    await need_to_know.visible(request)  # the teams this user sees, for every page's counts
    await need_to_know.guard_case(request)  # another team's case: 404, on every case route
    if request.method not in auth.SAFE_METHODS:
        given = await auth.csrf_given(request)
        if not auth.same_origin(request) or not auth.tokens_match(login.session.csrf, given):
            raise auth.CsrfFailed()
    return await handler(request)


async def security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """`on_response_prepare`: no caching of what workers read, no framing, no inline script."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    if not request.path.startswith("/dashboard/static/"):
        headers["Cache-Control"] = "no-store"
