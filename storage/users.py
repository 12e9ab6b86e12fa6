"""Dashboard accounts: users, their sessions, and failed logins.

Passwords are argon2id hashes (argon2-cffi's defaults, RFC 9106's second recommended profile).
A session is a row keyed by the SHA-256 of the cookie's token: several dashboard processes on
one database share the sessions, and a copy of the database holds no usable cookie.

Timeouts and lockout (docs/dashboard.md):
- a session ends after `IDLE` without activity, and `ABSOLUTE` after login in any case;
- `USER_LIMIT` failed logins for one name (existing or not) within `WINDOW` lock that name for
  `LOCK`; `IP_LIMIT` failures from one address lock that address for `LOCK`.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import String, delete, false, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.types import UTCDateTime

ROLES = ("worker", "admin")
NAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}\Z")
MIN_PASSWORD = 10
MAX_PASSWORD = 1024

IDLE = timedelta(minutes=30)
ABSOLUTE = timedelta(hours=12)
TOUCH_EVERY = timedelta(seconds=60)  # write last_seen_at at most this often

WINDOW = timedelta(minutes=15)
LOCK = timedelta(minutes=15)
USER_LIMIT = 5
IP_LIMIT = 20  # higher: a team shares one office address


class UserError(ValueError):
    """A user cannot be added or changed as asked; the message says why."""


class User(SQLModel, table=True):
    """A social worker (`worker`) or a team lead who also manages the dashboard (`admin`)."""

    __tablename__ = "dashboard_user"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_type=String(64), unique=True)
    role: str = Field(sa_type=String(8))
    password_hash: str = Field(sa_type=String(256))
    language: str | None = Field(default=None, sa_type=String(8))  # UI language; None: Dutch
    created_at: datetime = Field(sa_type=UTCDateTime)
    disabled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Two-step login (storage/second_factor.py): the TOTP secret (base32), None when off, and
    # the last time step a code was accepted for, so a code works once.
    totp_secret: str | None = Field(default=None, sa_type=String(64))
    totp_last_step: int | None = None
    # The first-run admin's password was made by the machine: a new one before anything else.
    must_change_password: bool = Field(default=False, sa_column_kwargs={"server_default": false()})

    @property
    def active(self) -> bool:
        return self.disabled_at is None


class WebSession(SQLModel, table=True):
    """A logged-in browser. `csrf` is the token every form of this session must carry."""

    __tablename__ = "dashboard_session"

    token_hash: str = Field(sa_type=String(64), primary_key=True)
    user_id: int = Field(foreign_key="dashboard_user.id", ondelete="CASCADE", index=True)
    csrf: str = Field(sa_type=String(64))
    created_at: datetime = Field(sa_type=UTCDateTime)
    last_seen_at: datetime = Field(sa_type=UTCDateTime)


class LoginFailure(SQLModel, table=True):
    """Failed logins for one key: `user:<name>` or `ip:<address>`."""

    __tablename__ = "login_failure"

    key: str = Field(sa_type=String(200), primary_key=True)
    failures: int = 0
    first_at: datetime = Field(sa_type=UTCDateTime)
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)


# --- users ---------------------------------------------------------------------------------


def normal_name(name: str) -> str:
    return name.strip().casefold()


def check_name(name: str) -> str:
    """The name as stored, or `UserError` saying what a name may hold."""
    name = normal_name(name)
    if not NAME.match(name):
        raise UserError(
            "a name is 2-64 characters: lowercase letters, digits, '.', '_' and '-', "
            "starting with a letter or digit"
        )
    return name


def password_problems(password: str) -> list[str]:
    problems = []
    if len(password) < MIN_PASSWORD:
        problems.append(f"a password needs at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        problems.append(f"a password may have at most {MAX_PASSWORD} characters")
    return problems


async def find_user(s: AsyncSession, name: str) -> User | None:
    return (await s.exec(select(User).where(User.name == normal_name(name)))).first()


async def get_user(s: AsyncSession, user_id: int) -> User | None:
    return await s.get(User, user_id)


async def all_users(s: AsyncSession) -> list[User]:
    return list((await s.exec(select(User).order_by(col(User.name)))).all())


async def active_users(s: AsyncSession) -> list[User]:
    query = select(User).where(col(User.disabled_at).is_(None)).order_by(col(User.name))
    return list((await s.exec(query)).all())


async def add_user(
    s: AsyncSession, name: str, role: str, password_hash: str, *, now: datetime
) -> User:
    name = check_name(name)
    if role not in ROLES:
        raise UserError(f"role must be one of: {', '.join(ROLES)}")
    user = User(name=name, role=role, password_hash=password_hash, created_at=now)
    try:
        async with s.begin_nested():
            s.add(user)
    except IntegrityError:
        raise UserError(f"there is already a user '{name}'") from None
    return user


async def set_password_hash(s: AsyncSession, user: User, password_hash: str) -> None:
    """A new password ends every session of the user."""
    user.password_hash = password_hash
    s.add(user)
    await end_sessions_of(s, user.id)


async def disable(s: AsyncSession, user: User, *, now: datetime) -> None:
    """The user can no longer log in; their sessions end now."""
    if user.disabled_at is None:
        user.disabled_at = now
        s.add(user)
    await end_sessions_of(s, user.id)


async def set_language(s: AsyncSession, user_id: int, language: str | None) -> None:
    await s.exec(update(User).where(col(User.id) == user_id).values(language=language))


# --- sessions ------------------------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Login:
    """A valid session and its user."""

    session: WebSession
    user: User


async def new_session(s: AsyncSession, user_id: int, *, now: datetime) -> tuple[str, WebSession]:
    """A new session for `user_id`: (cookie token, row)."""
    token = secrets.token_urlsafe(32)
    row = WebSession(
        token_hash=token_hash(token),
        user_id=user_id,
        csrf=secrets.token_urlsafe(32),
        created_at=now,
        last_seen_at=now,
    )
    s.add(row)
    await s.flush()
    return token, row


def expired(row: WebSession, now: datetime) -> bool:
    return now - row.last_seen_at >= IDLE or now - row.created_at >= ABSOLUTE


async def find_session(s: AsyncSession, token: str, *, now: datetime) -> Login | None:
    """The session behind a cookie token, if it is still valid and its user active. An
    expired session is deleted here."""
    if not token or len(token) > 100:
        return None
    row = await s.get(WebSession, token_hash(token))
    if row is None:
        return None
    user = await s.get(User, row.user_id)
    if user is None or not user.active or expired(row, now):
        await s.delete(row)
        await s.flush()
        return None
    return Login(row, user)


async def touch(s: AsyncSession, row: WebSession, *, now: datetime) -> None:
    """Record activity, at most once per `TOUCH_EVERY` (writes are not free on SQLite)."""
    if now - row.last_seen_at >= TOUCH_EVERY:
        await s.exec(
            update(WebSession)
            .where(col(WebSession.token_hash) == row.token_hash)
            .values(last_seen_at=now)
        )


async def end_session(s: AsyncSession, hashed: str) -> None:
    """End one session, given its `token_hash`."""
    await s.exec(delete(WebSession).where(col(WebSession.token_hash) == hashed))


async def end_sessions_of(s: AsyncSession, user_id: int | None) -> None:
    await s.exec(delete(WebSession).where(col(WebSession.user_id) == user_id))


async def purge_sessions(s: AsyncSession, *, now: datetime) -> int:
    """Delete every expired session; returns how many."""
    stale = delete(WebSession).where(
        (col(WebSession.last_seen_at) <= now - IDLE)
        | (col(WebSession.created_at) <= now - ABSOLUTE)
    )
    return (await s.exec(stale)).rowcount or 0


# --- failed logins -------------------------------------------------------------------------


def user_key(name: str) -> str:
    return f"user:{normal_name(name)[:150]}"


def ip_key(address: str) -> str:
    return f"ip:{address[:150]}"


async def locked_until(s: AsyncSession, keys: list[str], *, now: datetime) -> datetime | None:
    """The end of the longest lock on any of `keys`, or None when none is locked now."""
    query = select(LoginFailure.locked_until).where(col(LoginFailure.key).in_(keys))
    ends = [end for end in (await s.exec(query)).all() if end is not None and end > now]
    return max(ends, default=None)


async def record_failure(s: AsyncSession, key: str, limit: int, *, now: datetime) -> int:
    """Count one failed login for `key`; lock it at `limit` failures within `WINDOW`.
    Returns the failures counted in the current window."""
    for _ in range(3):
        query = select(LoginFailure).where(LoginFailure.key == key).with_for_update()
        row = (await s.exec(query)).first()
        if row is None:
            row = LoginFailure(key=key, failures=0, first_at=now)
            try:
                async with s.begin_nested():
                    s.add(row)
            except IntegrityError:
                continue  # a concurrent failure created it: count on that row
        if now - row.first_at >= WINDOW:
            row.failures, row.first_at = 0, now
        row.failures += 1
        if row.failures >= limit:
            row.locked_until = now + LOCK
        s.add(row)
        await s.flush()
        return row.failures
    raise RuntimeError(f"could not record a failed login for {key}")


async def clear_failures(s: AsyncSession, key: str) -> None:
    await s.exec(delete(LoginFailure).where(col(LoginFailure.key) == key))
