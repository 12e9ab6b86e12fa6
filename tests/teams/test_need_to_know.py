"""Need to know: a worker sees, opens, searches and hears about the cases of their teams only;
any other case is 404 through every route with a case id. Admins see every team."""

from __future__ import annotations

import asyncio
import json
import re

import pytest
from aiohttp import web

from bot.app import DB
from bot.dashboard.settings import LIVE
from storage import audit
from storage.cases import Case
from tests.dashboard.conftest import SUICIDE, Worker, resident_says
from tests.teams.conftest import join, make_teams

TEAM_TAG = re.compile(r'data-testid="case-row-team">([^<]*)<')


def case_routes(app: web.Application) -> list[tuple[str, str]]:
    """(method, path template) of every dashboard route that names a case."""
    found = []
    for resource in app.router.resources():
        sub = getattr(resource, "_app", None)
        if sub is None:
            continue
        for route in sub.router.routes():
            info = route.resource.get_info() if route.resource else {}
            formatter = info.get("formatter", "")
            if "{case_id}" in formatter and route.method != "HEAD":
                found.append((route.method, formatter))
    return found


async def cases_by_team(app) -> dict[str, int]:
    """A case in Noord (postcode 1023) and one in Zuid (1071)."""
    ids = {}
    for who, code, team in (("rn", "1023 AB", "Noord"), ("rz", "1071", "Zuid")):
        await resident_says(app, who, "ik wil graag een mens spreken")
        await resident_says(app, who, code)
        async with app[DB].transaction() as s:
            from sqlmodel import select

            from storage.residents import Resident

            resident = (await s.exec(select(Resident).where(Resident.external_id == who))).one()
            ids[team] = (await s.exec(select(Case.id).where(Case.resident_id == resident.id))).one()
    return ids


@pytest.fixture
async def two_teams(client, second_client, add_user):
    found = await make_teams(client.app)
    noord = await add_user("noor")
    zuid = await add_user("zoe")
    await add_user("baas", role="admin")
    await join(client.app, noord.id, "Noord")
    await join(client.app, zuid.id, "Zuid")
    ids = await cases_by_team(client.app)
    return found, ids, await Worker.login(client, "noor"), await Worker.login(second_client, "zoe")


async def test_every_case_route_is_404_for_another_teams_worker(two_teams, client) -> None:
    _, ids, noor, zoe = two_teams
    routes = case_routes(client.app)
    assert len(routes) >= 11, routes  # page, updates, attachment, claim, reply, notes, ...
    for method, template in routes:
        path = template.replace("{case_id}", str(ids["Noord"])).replace("{attachment_id}", "1")
        if method == "GET":
            response = await zoe.client.get(path)
        else:
            response = await zoe.post(
                path, {"text": "x", "to": "1", "team": "1", "outcome": "other"}
            )
        assert response.status == 404, (method, path, response.status)
    # Nothing of it happened: still waiting, unclaimed, no note, in Noord.
    async with client.app[DB].transaction() as s:
        case = await s.get(Case, ids["Noord"])
        assert (case.status, case.worker_id) == ("waiting", None)
    # The same routes for the team's own worker are not 404 (the page and its updates at least).
    status, page = await noor.page(f"/dashboard/cases/{ids['Noord']}")
    assert status == 200 and "Noord" in page
    updates = await noor.client.get(f"/dashboard/cases/{ids['Noord']}/updates")
    assert updates.status == 200
    assert (await zoe.client.get(f"/dashboard/cases/{ids['Zuid']}/updates")).status == 200
    assert (await noor.client.get(f"/dashboard/cases/{ids['Zuid']}/updates")).status == 404


async def test_queue_search_closed_and_next_show_own_teams_only(two_teams, client) -> None:
    _, ids, noor, zoe = two_teams
    for worker, mine, other in ((noor, "Noord", "Zuid"), (zoe, "Zuid", "Noord")):
        _, page = await worker.page("/dashboard/")
        assert f'/dashboard/cases/{ids[mine]}"' in page
        assert f'/dashboard/cases/{ids[other]}"' not in page
        rows = await worker.client.get("/dashboard/queue/rows?priority=normal")
        html = await rows.text()
        assert f'/dashboard/cases/{ids[mine]}"' in html
        assert f'/dashboard/cases/{ids[other]}"' not in html
    taken = await zoe.post("/dashboard/queue/next", allow_redirects=False)
    assert taken.headers["Location"] == f"/dashboard/cases/{ids['Zuid']}"
    again = await zoe.post("/dashboard/queue/next", allow_redirects=False)
    assert again.status == 409  # Noord's case waits, but not for Zoe
    closed = await zoe.post(f"/dashboard/cases/{ids['Zuid']}/close", {"outcome": "helped"})
    assert closed.status == 200
    _, noor_closed = await noor.page("/dashboard/closed")
    _, zoe_closed = await zoe.page("/dashboard/closed")
    assert f"/dashboard/cases/{ids['Zuid']}" in zoe_closed
    assert f"/dashboard/cases/{ids['Zuid']}" not in noor_closed


async def test_admin_sees_every_team(two_teams, aiohttp_client, client) -> None:
    _, ids, _, _ = two_teams
    boss = await Worker.login(await aiohttp_client(client.server), "baas")
    _, page = await boss.page("/dashboard/")
    assert all(f'/dashboard/cases/{i}"' in page for i in ids.values())
    assert (await boss.client.get(f"/dashboard/cases/{ids['Zuid']}/updates")).status == 200
    # Rows of several teams name their team; a worker's one team needs no name.
    assert TEAM_TAG.findall(page) == ["Team Noord", "Team Zuid"]
    _, own = await two_teams[2].page("/dashboard/")
    assert TEAM_TAG.findall(own) == []


async def read_events(worker: Worker, count: int, timeout: float = 10.0) -> list[tuple[str, dict]]:
    found: list[tuple[str, dict]] = []
    async with worker.client.get("/dashboard/events") as response:
        event = None
        while len(found) < count:
            line = (await asyncio.wait_for(response.content.readline(), timeout)).decode()
            if line.startswith("event: "):
                event = line[7:].strip()
            elif line.startswith("data: ") and event:
                found.append((event, json.loads(line[6:])))
    return found


async def test_live_updates_tell_only_of_own_teams(two_teams, client) -> None:
    _, ids, _, zoe = two_teams
    # The live view looks at most every 0.25 s under a burst (bot/dashboard/live.py): let it
    # see the cases the fixture just opened before the page subscribes.
    await client.app[LIVE].refresh()
    listening = asyncio.create_task(read_events(zoe, 3))
    await asyncio.sleep(0.5)
    await resident_says(client.app, "rn", SUICIDE)  # Noord's case becomes urgent
    await resident_says(client.app, "rz", "hallo, nog iets")  # news on Zuid's case
    await client.app[LIVE].refresh()
    events = await listening
    summary = events[0][1]
    assert summary["urgent"] == [] and summary["waiting"] == 1, events
    told = {i for kind, data in events if kind == "cases" for i in data["ids"]}
    assert ids["Noord"] not in told
    assert all(data.get("urgent") == [] for kind, data in events if kind == "summary")


async def test_moving_a_case_to_another_team_is_audited(two_teams, client) -> None:
    found, ids, noor, zoe = two_teams
    moved = await noor.post(
        f"/dashboard/cases/{ids['Noord']}/team",
        {"team": str(found["Zuid"].id)},
        allow_redirects=False,
    )
    assert moved.status == 303
    assert (await noor.client.get(f"/dashboard/cases/{ids['Noord']}")).status == 404
    status, page = await zoe.page(f"/dashboard/cases/{ids['Noord']}")
    assert status == 200 and 'data-testid="case-team">Zuid<' in page
    async with client.app[DB].transaction() as s:
        rows = await audit.entries(s, action="move_team")
    assert [(r.user_name, r.case_id, r.detail) for r in rows] == [
        ("noor", ids["Noord"], "Noord -> Zuid")
    ]
    unknown = await zoe.post(f"/dashboard/cases/{ids['Noord']}/team", {"team": "999"})
    assert unknown.status == 400


async def test_a_case_is_handed_only_to_a_colleague_who_may_see_it(
    two_teams, client, add_user
) -> None:
    _, ids, noor, _ = two_teams
    nina = await add_user("nina")
    await join(client.app, nina.id, "Noord")
    claimed = await noor.post(f"/dashboard/cases/{ids['Noord']}/claim")
    assert claimed.status == 200
    _, page = await noor.page(f"/dashboard/cases/{ids['Noord']}")
    offered = re.findall(r'<option value="(\d+)">([a-z]+)</option>', page)
    assert {name for _, name in offered} == {"nina", "baas"}  # not zoe of Zuid
    zoe_id = next(u.id for u in await all_users(client.app) if u.name == "zoe")
    refused = await noor.post(f"/dashboard/cases/{ids['Noord']}/reassign", {"to": str(zoe_id)})
    assert refused.status == 400
    handed = await noor.post(f"/dashboard/cases/{ids['Noord']}/reassign", {"to": str(nina.id)})
    assert handed.status == 200


async def all_users(app):
    from storage import users

    async with app[DB].transaction() as s:
        return await users.all_users(s)
