"""A fresh installation's first minute: a first admin account, so the dashboard can be opened
right after `make run`. The password is made here and written once to a file only the owner
can read (`write_password`); the dashboard asks for a new one at the first login."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from sqlmodel import col, update

from bot.dashboard import accounts
from storage import migrate, users
from storage.db import Database

FIRST_ADMIN = "admin"
PASSWORD_FILE = "first-admin-password.txt"


async def ensure_admin(db: Database) -> str | None:
    """Create the first admin when there is no account at all; returns its one-time password,
    or None when accounts exist already."""
    await migrate.upgrade(db)
    async with db.transaction() as s:
        if await users.all_users(s):
            return None
    password = secrets.token_urlsafe(12)
    try:
        admin = await accounts.add(db, FIRST_ADMIN, "admin", password)
    except users.UserError:
        return None  # another process starting at the same moment made it first
    async with db.transaction() as s:
        await s.exec(
            update(users.User)
            .where(col(users.User.id) == admin.id)
            .values(must_change_password=True)  # a new one at the first login
        )
    return password


def write_password(password: str, folder: Path) -> Path:
    """The first admin's password in a file only its owner can read, written once; its path.
    Not printed: standard output is the system journal in production."""
    folder.mkdir(parents=True, exist_ok=True)
    path = (folder / PASSWORD_FILE).resolve()
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(f"{FIRST_ADMIN}\n{password}\n")
    return path
