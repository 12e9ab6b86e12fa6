"""A name typed into the login form is kept only when it is a user's name: anything else may be
a password in the wrong field, so only a keyed hash of it is stored, which still locks."""

from __future__ import annotations

from sqlmodel import select

from bot.app import DB
from storage import users
from storage.audit import AuditEntry
from tests.dashboard.conftest import submit_login

TYPED = "Geheim-Wachtwoord-2026!"


async def _stored(client) -> tuple[list[str], list[str]]:
    async with client.app[DB].transaction() as s:
        keys = [r.key for r in (await s.exec(select(users.LoginFailure))).all()]
        names = [r.user_name for r in (await s.exec(select(AuditEntry))).all()]
    return keys, names


async def test_an_unknown_name_is_never_stored_as_typed_and_still_locks(client, add_user):
    await add_user("fatima")
    for _ in range(users.USER_LIMIT + 1):
        await submit_login(client, TYPED, "x")
    keys, names = await _stored(client)
    everything = " ".join(keys + names).casefold()
    assert TYPED.casefold() not in everything and "geheim" not in everything
    hashed = {n for n in names if n.startswith("?")}
    assert len(hashed) == 1 and len(next(iter(hashed))) == 17
    assert f"user:{next(iter(hashed))}" in keys
    locked = await submit_login(client, TYPED, "x")
    assert locked.status == 429
    # The lock of that typed name does not touch a real user.
    assert (await submit_login(client, "fatima", "correct horse battery")).status == 200


async def test_a_known_name_is_kept_as_the_users_name(client, add_user):
    await add_user("fatima")
    await submit_login(client, "  Fatima ", "wrong password")
    keys, names = await _stored(client)
    assert "user:fatima" in keys and "fatima" in names
