"""Two-step login: a TOTP secret per user (RFC 6238), recovery codes (hashed), and the login
that has passed the password but not yet the code.

The TOTP secret must be readable to check a code, so it is stored as it is, like the password
hash beside it: whoever can read the database can read both. Recovery codes are stored as
SHA-256 hashes: they are long random strings, so a fast hash is enough.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import String
from sqlmodel import Field, SQLModel, col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.types import UTCDateTime

STEP_VALID = timedelta(minutes=5)  # between the password and the code
RECOVERY_CODES = 8


class RecoveryCode(SQLModel, table=True):
    __tablename__ = "dashboard_recovery_code"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="dashboard_user.id", ondelete="CASCADE", index=True)
    code_hash: str = Field(sa_type=String(64))
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class LoginStep(SQLModel, table=True):
    """A login past its password, waiting for the code; `new_secret` while the user sets up
    two-step login (required, and not set up yet)."""

    __tablename__ = "dashboard_login_step"

    token_hash: str = Field(sa_type=String(64), primary_key=True)
    user_id: int = Field(foreign_key="dashboard_user.id", ondelete="CASCADE", index=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    new_secret: str | None = Field(default=None, sa_type=String(64))


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def normal_code(code: str) -> str:
    return "".join(ch for ch in code if ch.isalnum()).casefold()


async def new_step(
    s: AsyncSession, user_id: int, *, now: datetime, new_secret: str | None = None
) -> str:
    """A login step for `user_id`; returns the token for its cookie."""
    await s.exec(delete(LoginStep).where(col(LoginStep.created_at) <= now - STEP_VALID))
    token = secrets.token_urlsafe(32)
    s.add(
        LoginStep(token_hash=_hash(token), user_id=user_id, created_at=now, new_secret=new_secret)
    )
    await s.flush()
    return token


async def find_step(s: AsyncSession, token: str, *, now: datetime) -> LoginStep | None:
    if not token or len(token) > 100:
        return None
    row = await s.get(LoginStep, _hash(token))
    if row is None or now - row.created_at >= STEP_VALID:
        return None
    return row


async def end_step(s: AsyncSession, row: LoginStep) -> None:
    await s.delete(row)
    await s.flush()


async def new_recovery_codes(s: AsyncSession, user_id: int) -> list[str]:
    """Replace the user's recovery codes; returns the new ones, to be shown once."""
    await s.exec(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user_id))
    codes = ["-".join(secrets.token_hex(3) for _ in range(3)) for _ in range(RECOVERY_CODES)]
    for code in codes:
        s.add(RecoveryCode(user_id=user_id, code_hash=_hash(normal_code(code))))
    await s.flush()
    return codes


async def use_recovery_code(s: AsyncSession, user_id: int, code: str, *, now: datetime) -> bool:
    """True when `code` is one of the user's unused recovery codes; it is used up now."""
    wanted = _hash(normal_code(code))
    row = (
        await s.exec(
            select(RecoveryCode)
            .where(RecoveryCode.user_id == user_id)
            .where(RecoveryCode.code_hash == wanted)
            .where(col(RecoveryCode.used_at).is_(None))
        )
    ).first()
    if row is None:
        return False
    row.used_at = now
    s.add(row)
    await s.flush()
    return True


async def forget(s: AsyncSession, user_id: int) -> None:
    """Two-step login off for a user: recovery codes and open steps go."""
    await s.exec(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user_id))
    await s.exec(delete(LoginStep).where(col(LoginStep.user_id) == user_id))
