"""A fresh installation: the first admin is created once, with a password that works."""

from __future__ import annotations

from pathlib import Path

from bot.dashboard import passwords
from bot.ops.firstrun import FIRST_ADMIN, ensure_admin
from storage import users
from storage.db import Database


async def test_first_admin_is_created_once_with_a_working_password(tmp_path: Path):
    db = Database(f"sqlite:///{tmp_path / 'first.db'}")
    try:
        password = await ensure_admin(db)
        assert password and len(password) >= 12
        async with db.transaction() as s:
            admin = await users.find_user(s, FIRST_ADMIN)
        assert admin is not None and admin.role == "admin"
        assert password not in admin.password_hash
        # Its password is the one the login form checks against; another one is not.
        assert passwords.verify(admin.password_hash, password)[0]
        assert not passwords.verify(admin.password_hash, password + "x")[0]
        assert await ensure_admin(db) is None  # accounts exist: nothing printed, nothing made
    finally:
        await db.dispose()
