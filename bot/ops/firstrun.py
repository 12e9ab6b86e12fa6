"""A fresh installation's first minute: a first admin account, so the dashboard can be opened
right after `make run`. The password is made here and shown once; nothing stores it in clear."""

from __future__ import annotations

import secrets

from bot.dashboard import accounts
from storage import migrate, users
from storage.db import Database

FIRST_ADMIN = "admin"


async def ensure_admin(db: Database) -> str | None:
    """Create the first admin when there is no account at all; returns its one-time password,
    or None when accounts exist already."""
    await migrate.upgrade(db)
    async with db.transaction() as s:
        if await users.all_users(s):
            return None
    password = secrets.token_urlsafe(12)
    try:
        await accounts.add(db, FIRST_ADMIN, "admin", password)
    except users.UserError:
        return None  # another process starting at the same moment made it first
    return password
