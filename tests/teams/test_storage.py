"""Teams by postcode in storage: ranges, refusals, the team of a postcode, who sees what."""

from __future__ import annotations

import pytest

from storage import cases, residents, teams
from storage.db import Database
from storage.teams import Changes, TeamError
from storage.types import utcnow
from storage.users import add_user


@pytest.mark.parametrize(
    ("text", "ranges"),
    [
        ("1020-1039", [(1020, 1039)]),
        ("1041, 1020-1039", [(1020, 1039), (1041, 1041)]),
        ("", []),
        ("1020 - 1039;1041", [(1020, 1039), (1041, 1041)]),
    ],
)
def test_ranges_are_read(text: str, ranges: list[tuple[int, int]]) -> None:
    assert teams.parse_ranges(text) == ranges


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("12a", "is not a range"),
        ("1039-1020", "ends before it starts"),
        ("0999", "a postcode is 1000-9999"),
        ("1020-1039,1030", "overlap"),
        ("10201", "is not a range"),
    ],
)
def test_bad_ranges_are_refused_saying_why(text: str, message: str) -> None:
    with pytest.raises(TeamError, match=message):
        teams.parse_ranges(text)


async def test_overlap_second_default_and_unknown_team_are_refused(database: Database) -> None:
    now = utcnow()
    async with database.transaction() as s:
        await teams.add_team(s, "Noord", postcodes="1020-1039", now=now)
        await teams.add_team(s, "Centraal", is_default=True, now=now)
    async with database.transaction() as s:
        with pytest.raises(TeamError, match="1030-1039 belong to team 'Noord'"):
            await teams.add_team(s, "Zuid", postcodes="1030-1083", now=now)
        with pytest.raises(TeamError, match="default team already"):
            await teams.add_team(s, "Oost", is_default=True, now=now)
        with pytest.raises(TeamError, match="already a team 'Noord'"):
            await teams.add_team(s, "noord", now=now)
        with pytest.raises(TeamError, match=r"no team 'West' \(teams: Centraal, Noord\)"):
            await teams.edit_team(s, "West", Changes(postcodes="1100"))
        with pytest.raises(TeamError, match="not an e-mail address"):
            await teams.add_team(s, "Oost", alert_email="oost at example", now=now)
    async with database.transaction() as s:
        zuid = await teams.add_team(s, "Zuid", postcodes="1070-1083", now=now)
        with pytest.raises(TeamError, match="belong to team 'Noord'"):
            await teams.edit_team(s, "Zuid", Changes(postcodes="1039-1083"))
        assert zuid.postcodes == "1070-1083"


async def test_the_team_of_a_postcode_else_the_default(database: Database) -> None:
    now = utcnow()
    async with database.transaction() as s:
        assert await teams.team_for_postcode(s, "1023") is None  # no teams: no team
        assert not await teams.routing_on(s)
        await teams.add_team(s, "Noord", postcodes="1020-1039,1041", now=now)
        await teams.add_team(s, "Zuid", postcodes="1070-1083", now=now)
        await teams.add_team(s, "Centraal", is_default=True, now=now)
        assert await teams.routing_on(s)
        found = {
            p: (await teams.team_for_postcode(s, p)).name
            for p in ("1020", "1039", "1041", "1040", "1083", "9999", None)
        }
    assert found == {
        "1020": "Noord",
        "1039": "Noord",
        "1041": "Noord",
        "1040": "Centraal",
        "1083": "Zuid",
        "9999": "Centraal",
        None: "Centraal",
    }


async def test_a_worker_sees_their_teams_an_admin_everything(database: Database) -> None:
    now = utcnow()
    async with database.transaction() as s:
        anna = await add_user(s, "anna", "worker", "x", now=now)
        boss = await add_user(s, "boss", "admin", "x", now=now)
        assert (await teams.visible_teams(s, anna.id, "worker")).everything  # no teams yet
        noord = await teams.add_team(s, "Noord", postcodes="1020-1039", now=now)
        centraal = await teams.add_team(s, "Centraal", is_default=True, now=now)
        await teams.set_teams_of(s, anna.id, ["Noord"])
        seen = await teams.visible_teams(s, anna.id, "worker")
        assert not seen.everything
        assert seen.sees(noord.id) and not seen.sees(centraal.id) and not seen.sees(None)
        assert (await teams.visible_teams(s, boss.id, "admin")).sees(centraal.id)
        await teams.set_teams_of(s, anna.id, ["Noord", "Centraal"])
        both = await teams.visible_teams(s, anna.id, "worker")
        assert both.sees(None) and both.sees(centraal.id)  # the default sees cases of no team
        assert [t.name for t in await teams.teams_of(s, anna.id)] == ["Centraal", "Noord"]


async def test_assign_team_and_no_removal_with_open_cases(database: Database) -> None:
    now = utcnow()
    async with database.transaction() as s:
        noord = await teams.add_team(s, "Noord", postcodes="1020-1039", now=now)
        resident = await residents.get_or_create_resident(s, "web", "r1", now=now)
        case = await cases.open_case(s, resident.id, reason="x", priority="normal", now=now)
        await teams.assign_team(s, case, noord, why="opened", now=now)
    async with database.transaction() as s:
        with pytest.raises(TeamError, match="1 open case"):
            await teams.remove_team(s, "Noord")
    async with database.transaction() as s:
        case = await s.get(cases.Case, case.id)
        assert case.team_id == noord.id
        case.status = "closed"
        s.add(case)
    async with database.transaction() as s:
        await teams.remove_team(s, "noord")
        assert await teams.all_teams(s) == []


async def test_the_queue_and_next_case_keep_to_the_visible_teams(database: Database) -> None:
    from storage import casework

    now = utcnow()
    async with database.transaction() as s:
        anna = await add_user(s, "anna", "worker", "x", now=now)
        noord = await teams.add_team(s, "Noord", postcodes="1020-1039", now=now)
        centraal = await teams.add_team(s, "Centraal", is_default=True, now=now)
        await teams.set_teams_of(s, anna.id, ["Centraal"])
        opened = {}
        for who, team in (("a", noord), ("b", centraal), ("c", None)):
            resident = await residents.get_or_create_resident(s, "web", who, now=now)
            case = await cases.open_case(s, resident.id, reason="x", priority="normal", now=now)
            await teams.assign_team(s, case, team, why="opened", now=now)
            opened[who] = case.id
        seen = await teams.visible_teams(s, anna.id, "worker")
        rows = await casework.queue(s, visible=seen)
        assert sorted(r.case.id for r in rows) == sorted([opened["b"], opened["c"]])
        assert len(await casework.queue(s)) == 3
        actor = casework.Actor(anna.id, "anna", "worker")
        taken = [await casework.claim_next(s, actor, now=now, visible=seen) for _ in range(3)]
    assert sorted(c.id for c in taken if c) == sorted([opened["b"], opened["c"]])
    assert taken[2] is None
