"""The admin's teams page: list, add, change, remove, with the command line's checks; for
admins only."""

from __future__ import annotations

import re

from bot.app import DB
from storage import audit, teams
from tests.dashboard.conftest import Worker


def team_ids(page: str) -> dict[str, str]:
    return dict(
        (name, number)
        for number, name in re.findall(
            r'action="/dashboard/admin/teams/(\d+)" class="card team" data-testid="team-row" '
            r'data-team="([^"]+)"',
            page,
        )
    )


async def test_an_admin_manages_teams_a_worker_may_not(client, second_client, add_user) -> None:
    await add_user("baas", role="admin")
    anna = await add_user("anna")
    await add_user("bert")
    boss = await Worker.login(client, "baas")
    worker = await Worker.login(second_client, "bert")
    assert (await worker.client.get("/dashboard/admin/teams")).status == 403
    refused = await worker.post("/dashboard/admin/teams", {"name": "X", "postcodes": "1000"})
    assert refused.status == 403

    status, page = await boss.page("/dashboard/admin/teams")
    assert status == 200 and 'data-testid="no-teams"' in page
    added = await boss.post(
        "/dashboard/admin/teams",
        {"name": "Noord", "postcodes": "1020-1039", "alert_email": "noord@example.org"},
    )
    assert added.status == 200 and 'data-team="Noord"' in await added.text()
    await boss.post("/dashboard/admin/teams", {"name": "Centraal", "is_default": "1"})

    overlap = await boss.post("/dashboard/admin/teams", {"name": "Zuid", "postcodes": "1039"})
    assert overlap.status == 400
    assert "postcodes 1039 belong to team &#39;Noord&#39; already" in await overlap.text()
    second = await boss.post("/dashboard/admin/teams", {"name": "Oost", "is_default": "1"})
    assert second.status == 400 and "one default only" in await second.text()
    bad = await boss.post("/dashboard/admin/teams", {"name": "West", "postcodes": "10x"})
    assert bad.status == 400 and "is not a range" in await bad.text()

    ids = team_ids((await boss.page("/dashboard/admin/teams"))[1])
    changed = await boss.post(
        f"/dashboard/admin/teams/{ids['Noord']}",
        {
            "name": "Noord",
            "postcodes": "1020-1040",
            "alert_email": "n@example.org",
            "members": str(anna.id),
        },
    )
    assert changed.status == 200
    async with client.app[DB].transaction() as s:
        noord = await teams.find_team(s, "Noord")
        assert (noord.postcodes, noord.alert_email) == ("1020-1040", "n@example.org")
        assert [t.name for t in await teams.teams_of(s, anna.id)] == ["Noord"]
    clash = await boss.post(
        f"/dashboard/admin/teams/{ids['Noord']}", {"name": "Noord", "is_default": "1"}
    )
    assert clash.status == 400 and "one default only" in await clash.text()

    removed = await boss.post(f"/dashboard/admin/teams/{ids['Centraal']}/remove")
    assert removed.status == 200 and 'data-team="Centraal"' not in await removed.text()
    assert (await boss.post("/dashboard/admin/teams/999/remove")).status == 404
    async with client.app[DB].transaction() as s:
        done = [(e.action, e.user_name) for e in await audit.entries(s) if "team" in e.action]
    assert ("team_add", "baas") in done and ("team_edit", "baas") in done
    assert ("team_remove", "baas") in done and ("user_teams", "baas") in done
