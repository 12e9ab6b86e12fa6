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


async def test_the_password_goes_to_a_private_file_and_must_be_changed(tmp_path: Path):
    import stat

    from bot.ops.firstrun import write_password

    db = Database(f"sqlite:///{tmp_path / 'first.db'}")
    try:
        password = await ensure_admin(db)
        async with db.transaction() as s:
            admin = await users.find_user(s, FIRST_ADMIN)
        assert admin.must_change_password
    finally:
        await db.dispose()
    folder = tmp_path / "data"
    folder.mkdir(mode=0o755)
    path = write_password(password, folder)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text() == f"admin\n{password}\n"


def test_buurtbot_run_prints_where_the_password_is_never_the_password(
    tmp_path: Path, monkeypatch, capsys
):
    from aiohttp import web

    from bot import cli

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'run.db'}")
    monkeypatch.setenv("BUURTBOT_SPOOL_DIR", str(tmp_path / "data" / "spool"))
    monkeypatch.setenv("BUURTBOT_FLOWS_DIR", str(Path(__file__).resolve().parents[1] / "flows"))
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.setattr(web, "run_app", lambda *a, **k: None)  # start, but do not serve
    assert cli.main(["run"]) == 0
    out = capsys.readouterr().out
    secret = tmp_path / "data" / "first-admin-password.txt"
    password = secret.read_text().splitlines()[1]
    assert str(secret) in out and password not in out
