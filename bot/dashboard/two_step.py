"""The second step of the login: a code from the authenticator app (RFC 6238), or a recovery
code; and setting two-step login up at login when `BUURTBOT_REQUIRE_2FA` asks for it.

After the right password a user with two-step login gets no session yet but a login step (a
row, and a cookie for the login page), valid five minutes. A wrong code counts as a failed
login for the name and the address, so the lockout holds for codes as for passwords.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.dashboard import totp
from storage import audit, second_factor, users
from storage.db import Database
from storage.types import utcnow

STEP_COOKIE = "buurtbot_dashboard_step"


@dataclass(frozen=True)
class Outcome:
    """A session token when the code was right; else why not."""

    token: str | None = None
    user: users.User | None = None
    expired: bool = False  # no valid step: start again with the password
    locked_until: datetime | None = None
    setup_secret: str | None = None  # the secret still to confirm, to show again
    recovery_codes: list[str] = field(default_factory=list)  # made now: show them once


async def finish(db: Database, step_token: str, code: str, *, ip: str) -> Outcome:
    now = utcnow()
    async with db.transaction() as s:
        step = await second_factor.find_step(s, step_token, now=now)
        user = await users.get_user(s, step.user_id) if step is not None else None
        if step is None or user is None or not user.active:
            return Outcome(expired=True)
        keys = [users.user_key(user.name), users.ip_key(ip)]
        locked = await users.locked_until(s, keys, now=now)
        if locked is not None:
            await second_factor.end_step(s, step)
            await audit.record(s, "login_locked", now=now, user_name=user.name, ip=ip)
            return Outcome(locked_until=locked)
        secret = step.new_secret or user.totp_secret or ""
        last = None if step.new_secret else user.totp_last_step
        matched = totp.matching_step(secret, code, now, last) if secret else None
        recovered = (
            matched is None
            and not step.new_secret
            and await second_factor.use_recovery_code(s, user.id or 0, code, now=now)
        )
        if matched is None and not recovered:
            await users.record_failure(s, keys[0], users.USER_LIMIT, now=now)
            await users.record_failure(s, keys[1], users.IP_LIMIT, now=now)
            await audit.record(
                s,
                "login_failed",
                now=now,
                user_id=user.id,
                user_name=user.name,
                detail="wrong code",
                ip=ip,
            )
            locked = await users.locked_until(s, keys, now=now)
            if locked is not None:
                await second_factor.end_step(s, step)
            return Outcome(locked_until=locked, setup_secret=step.new_secret)
        codes: list[str] = []
        how = "recovery code" if recovered else "code"
        if step.new_secret:
            user.totp_secret = step.new_secret
            codes = await second_factor.new_recovery_codes(s, user.id or 0)
            how = "two-step login set up"
        if matched is not None:
            user.totp_last_step = matched
        s.add(user)
        await second_factor.end_step(s, step)
        await users.clear_failures(s, keys[0])
        await users.purge_sessions(s, now=now)
        token, _ = await users.new_session(s, user.id or 0, now=now)
        await audit.record(
            s, "login", now=now, user_id=user.id, user_name=user.name, detail=how, ip=ip
        )
    return Outcome(token=token, user=user, recovery_codes=codes)


async def set_up(db: Database, name: str, *, off: bool = False) -> tuple[str, list[str]] | None:
    """`buurtbot users totp NAME [--off]`: a new secret and new recovery codes (returned, to
    be shown once), or two-step login off (None). Raises `users.UserError` for an unknown name."""
    now = utcnow()
    async with db.transaction() as s:
        user = await users.find_user(s, name)
        if user is None:
            raise users.UserError(f"no user '{users.normal_name(name)}'")
        await second_factor.forget(s, user.id or 0)
        user.totp_secret = None if off else totp.new_secret()
        user.totp_last_step = None
        s.add(user)
        codes = [] if off else await second_factor.new_recovery_codes(s, user.id or 0)
        await audit.record(
            s,
            "user_totp",
            now=now,
            user_name="(command line)",
            detail=f"{user.name}: {'off' if off else 'new secret'}",
        )
        if off:
            return None
        assert user.totp_secret is not None
        return totp.uri(user.name, user.totp_secret), codes
