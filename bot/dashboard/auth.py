"""Logging in and out, sessions, CSRF tokens, and the marks that say who may see a handler.

- The session cookie holds a random token; the database keeps its SHA-256 (storage/users.py).
  The cookie is HttpOnly, SameSite=Strict, limited to `/dashboard`, and Secure over https.
- Every form carries the session's CSRF token (`_csrf`; fetch requests send it as the
  `X-CSRF-Token` header). The login form, which has no session yet, carries a token that must
  equal a cookie set with the form (double submit).
- Failed logins slow the answer down (`SLOWDOWN_BASE` seconds, doubling) and lock the name and
  the address (storage/users.py: 5 per name, 20 per address, in 15 minutes: locked 15 minutes).
  The messages never tell whether a name exists.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from aiohttp import web

from bot.dashboard import login_names, passwords, totp
from bot.dashboard.settings import SETTINGS, Settings
from storage import audit, second_factor, users
from storage.db import Database
from storage.types import utcnow

logger = logging.getLogger(__name__)

COOKIE = "buurtbot_dashboard"
LOGIN_COOKIE = "buurtbot_dashboard_login"
PATH = "/dashboard"
# The same session for the flow simulator (bot/channels/webchat/simulator.py), which lives
# outside PATH.
SIMULATOR_COOKIE = "buurtbot_dashboard_simulator"
SIMULATOR_PATH = "/simulator"
CSRF_FIELD = "_csrf"
CSRF_HEADER = "X-CSRF-Token"
SLOWDOWN_BASE = 0.25  # seconds after the first failure; doubles per failure, at most 4 s
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class CsrfFailed(Exception):
    """A form without this session's token, or from another site."""


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


# --- marks on handlers ------------------------------------------------------------------------


def public(handler: Handler) -> Handler:
    """No login needed (the login page)."""
    handler.dashboard_public = True  # type: ignore[attr-defined]
    return handler


def admin_only(handler: Handler) -> Handler:
    handler.dashboard_role = "admin"  # type: ignore[attr-defined]
    return handler


def api(handler: Handler) -> Handler:
    """Called by the page's script, not by a person: without login it answers 401 instead of
    redirecting, and it does not count as activity for the idle timeout."""
    handler.dashboard_api = True  # type: ignore[attr-defined]
    return handler


def mark(handler: object, name: str) -> object:
    return getattr(handler, f"dashboard_{name}", None)


# --- the request ----------------------------------------------------------------------------


def settings_of(request: web.Request) -> Settings:
    return request.config_dict.get(SETTINGS) or Settings()


def client_ip(request: web.Request) -> str:
    if settings_of(request).trust_proxy:
        forwarded = request.headers.get("X-Forwarded-For", "")
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if hops:
            return hops[-1][:64]
    return (request.remote or "")[:64]


def is_https(request: web.Request) -> bool:
    settings = settings_of(request)
    if settings.secure_cookies or request.secure:
        return True
    proto = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
    return settings.trust_proxy and proto == "https"


def same_origin(request: web.Request) -> bool:
    """False when the browser says the request came from another site. Browsers send
    `Sec-Fetch-Site` and, on posts, `Origin`; a request with neither (curl, tests) passes on
    to the CSRF token check."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None and site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("Origin")
    if origin is not None:
        if origin == "null":
            return False
        host = request.headers.get("X-Forwarded-Host") if settings_of(request).trust_proxy else None
        return urlsplit(origin).netloc == (host or request.host)
    return True


def set_session_cookie(response: web.StreamResponse, request: web.Request, token: str) -> None:
    for name, path in ((COOKIE, PATH), (SIMULATOR_COOKIE, SIMULATOR_PATH)):
        response.set_cookie(
            name,
            token,
            path=path,
            httponly=True,
            samesite="Strict",
            secure=is_https(request),
        )


def clear_session_cookie(response: web.StreamResponse) -> None:
    response.del_cookie(COOKIE, path=PATH)
    response.del_cookie(SIMULATOR_COOKIE, path=SIMULATOR_PATH)


def login_token(request: web.Request) -> tuple[str, bool]:
    """The login form's CSRF token: (token, whether the cookie must be set)."""
    token = request.cookies.get(LOGIN_COOKIE, "")
    if len(token) == 43:
        return token, False
    return secrets.token_urlsafe(32), True


def set_login_cookie(response: web.StreamResponse, request: web.Request, token: str) -> None:
    response.set_cookie(
        LOGIN_COOKIE,
        token,
        path=f"{PATH}/login",
        max_age=3600,
        httponly=True,
        samesite="Strict",
        secure=is_https(request),
    )


def tokens_match(expected: str, given: str | None) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(expected, given or "")


async def csrf_given(request: web.Request) -> str | None:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        value = (await request.post()).get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


# --- sessions -----------------------------------------------------------------------------


async def load_login(request: web.Request, db: Database, *, activity: bool) -> users.Login | None:
    """The valid session of this request's cookie; with `activity`, it counts as activity."""
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    now = utcnow()
    async with db.transaction() as s:
        login = await users.find_session(s, token, now=now)
        if login is not None and activity:
            await users.touch(s, login.session, now=now)
    return login


# --- logging in -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Attempt:
    """What a login attempt came to: a session token, or a lock until some time, or neither
    (wrong name or password, deliberately not saying which)."""

    token: str | None = None
    user: users.User | None = None
    locked_until: datetime | None = None
    step: str | None = None  # the password was right; a code must follow (two_step.py)
    setup_secret: str | None = None  # ... for two-step login set up now


async def log_in(
    db: Database, name: str, password: str, *, ip: str, require_2fa: bool = False
) -> Attempt:
    now = utcnow()
    name = users.normal_name(name)[:200]
    async with db.transaction() as s:
        user = await users.find_user(s, name)
        name = login_names.kept(name, user)  # never what was typed, unless it is a user name
        keys = [users.user_key(name), users.ip_key(ip)]
        locked = await users.locked_until(s, keys, now=now)
        if locked is not None:
            await audit.record(s, "login_locked", now=now, user_name=name[:64], ip=ip)
            return Attempt(locked_until=locked)
    active = user is not None and user.active
    ok, rehash = await passwords.verify_async(
        user.password_hash if active and user else None, password
    )
    new_hash = await passwords.hash_async(password) if ok and rehash else None
    now = utcnow()
    async with db.transaction() as s:
        if ok and user is not None and (user.totp_secret or require_2fa):
            # Failures are cleared only after the code: they count toward the same lock.
            if new_hash:
                user.password_hash = new_hash
                s.add(user)
            secret = None if user.totp_secret else totp.new_secret()
            step = await second_factor.new_step(s, user.id or 0, now=now, new_secret=secret)
            return Attempt(user=user, step=step, setup_secret=secret)
        if ok and user is not None:
            await users.clear_failures(s, keys[0])
            await users.purge_sessions(s, now=now)
            if new_hash:
                user.password_hash = new_hash
                s.add(user)
            token, _ = await users.new_session(s, user.id, now=now)
            await audit.record(s, "login", now=now, user_id=user.id, user_name=user.name, ip=ip)
            return Attempt(token=token, user=user)
        failures = await users.record_failure(s, keys[0], users.USER_LIMIT, now=now)
        await users.record_failure(s, keys[1], users.IP_LIMIT, now=now)
        await audit.record(
            s,
            "login_failed",
            now=now,
            user_id=user.id if user else None,
            user_name=name,
            detail="" if user else "unknown name (kept as a keyed hash)",
            ip=ip,
        )
        locked = await users.locked_until(s, keys, now=now)
    if locked is None:
        await asyncio.sleep(min(SLOWDOWN_BASE * 2 ** (failures - 1), 4.0))
    return Attempt(locked_until=locked)


async def log_out(db: Database, login: users.Login, *, ip: str) -> None:
    async with db.transaction() as s:
        await users.end_session(s, login.session.token_hash)
        await audit.record(
            s, "logout", now=utcnow(), user_id=login.user.id, user_name=login.user.name, ip=ip
        )
