"""Adding users, changing passwords, disabling users: for `buurtbot users ...` and the admin's
users page alike. Each change is audited; `by` is None on the command line."""

from __future__ import annotations

import getpass
from collections.abc import Awaitable, Callable
from typing import TextIO, TypeVar

from bot.dashboard import passwords
from storage import audit, casework, migrate, teams, users
from storage.casework import Actor
from storage.db import Database, run_on
from storage.types import utcnow

T = TypeVar("T")


def _who(by: Actor | None) -> dict[str, object]:
    return {"user_id": by.id, "user_name": by.name} if by else {"user_name": "(command line)"}


async def _checked_hash(password: str) -> str:
    """The hash of `password`; raises `users.UserError` naming what is wrong with it."""
    problems = users.password_problems(password)
    if problems:
        raise users.UserError("; ".join(problems))
    return await passwords.hash_async(password)


async def add(
    db: Database,
    name: str,
    role: str,
    password: str,
    *,
    by: Actor | None = None,
    ip: str = "",
    team_names: list[str] | None = None,
) -> users.User:
    """Raises `users.UserError` for a bad name, role or password, or a name already taken;
    `teams.TeamError` for an unknown team in `team_names` (the teams the user works in)."""
    name = users.check_name(name)
    if role not in users.ROLES:
        raise users.UserError(f"role must be one of: {', '.join(users.ROLES)}")
    password_hash = await _checked_hash(password)
    now = utcnow()
    async with db.transaction() as s:
        user = await users.add_user(s, name, role, password_hash, now=now)
        await audit.record(s, "user_add", now=now, detail=f"{name} ({role})", ip=ip, **_who(by))
        if team_names:
            assert user.id is not None
            joined = await teams.set_teams_of(s, user.id, team_names)
            detail = f"{name}: {', '.join(t.name for t in joined)}"
            await audit.record(s, "user_teams", now=now, detail=detail, ip=ip, **_who(by))
    return user


async def change_password(
    db: Database, name: str, password: str, *, by: Actor | None = None, ip: str = ""
) -> None:
    password_hash = await _checked_hash(password)
    now = utcnow()
    async with db.transaction() as s:
        user = await users.find_user(s, name)
        if user is None:
            raise users.UserError(f"no user '{users.normal_name(name)}'")
        await users.set_password_hash(s, user, password_hash)
        await audit.record(s, "user_password", now=now, detail=user.name, ip=ip, **_who(by))


async def disable(
    db: Database, name: str, *, by: Actor | None = None, ip: str = ""
) -> tuple[users.User, list[int]]:
    """Disable the user, end their sessions, and put the cases they held back in the queue.
    Returns the user and those case ids."""
    now = utcnow()
    async with db.transaction() as s:
        user = await users.find_user(s, name)
        if user is None:
            raise users.UserError(f"no user '{users.normal_name(name)}'")
        await users.disable(s, user, now=now)
        released = await casework.release_all(s, user.id or 0)
        detail = user.name + (f"; back in the queue: {released}" if released else "")
        await audit.record(s, "user_disable", now=now, detail=detail, ip=ip, **_who(by))
    return user, released


class PasswordInputError(ValueError):
    """The password could not be read, or the two did not match."""


def read_password_twice(stdin: TextIO, *, prompt: str = "Password") -> str:
    """A new password, typed twice: with `getpass` at a terminal, else two lines of `stdin`
    (for scripts: `printf '%s\\n%s\\n' "$pw" "$pw" | buurtbot users add ...`)."""
    if stdin.isatty():
        first = getpass.getpass(f"{prompt}: ")
        second = getpass.getpass(f"{prompt} (again): ")
    else:
        first, second = stdin.readline().rstrip("\r\n"), stdin.readline().rstrip("\r\n")
    if not first:
        raise PasswordInputError("no password given")
    if first != second:
        raise PasswordInputError("the two passwords differ")
    return first


def run(coroutine_factory: Callable[[Database], Awaitable[T]], database_url: str) -> T:
    """Run one account change on the configured database (for the command line)."""

    async def main(db: Database) -> T:
        await migrate.upgrade(db)
        return await coroutine_factory(db)

    return run_on(database_url, main)
