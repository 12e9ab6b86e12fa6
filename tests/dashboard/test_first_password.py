"""The first-run admin's password was made by the machine: the first login goes to a page that
asks for an own password, and nothing else opens until it is changed."""

from __future__ import annotations

from sqlmodel import select

from bot.app import DB
from bot.ops.firstrun import ensure_admin
from storage.audit import AuditEntry
from tests.dashboard.conftest import page_csrf, submit_login


async def test_the_first_login_must_choose_a_new_password(client):
    password = await ensure_admin(client.app[DB])
    response = await submit_login(client, "admin", password)
    assert response.url.path == "/dashboard/password"
    html = await response.text()
    for path in ("/dashboard/", "/dashboard/audit", "/dashboard/admin/users"):
        moved = await client.get(path)
        assert moved.url.path == "/dashboard/password", path
    csrf = page_csrf(html)
    differ = await client.post(
        "/dashboard/password", data={"_csrf": csrf, "password": "a" * 12, "again": "b" * 12}
    )
    assert differ.status == 400
    short = await client.post(
        "/dashboard/password", data={"_csrf": csrf, "password": "kort", "again": "kort"}
    )
    assert short.status == 400
    done = await client.post(
        "/dashboard/password",
        data={"_csrf": csrf, "password": "mijn eigen wachtwoord", "again": "mijn eigen wachtwoord"},
    )
    assert done.status == 200 and done.url.path == "/dashboard/"
    assert (await client.get("/dashboard/audit")).url.path == "/dashboard/audit"
    # The machine's password no longer works; the new one does.
    client.session.cookie_jar.clear()
    assert (await submit_login(client, "admin", password)).status == 401
    assert (await submit_login(client, "admin", "mijn eigen wachtwoord")).status == 200
    async with client.app[DB].transaction() as s:
        changed = (
            await s.exec(select(AuditEntry).where(AuditEntry.action == "user_password"))
        ).all()
    assert [r.user_name for r in changed] == ["admin"]
