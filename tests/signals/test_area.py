"""The area of a count: `Onbekend` without a team; the team's name once a case has one."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.signals import area
from storage import cases, teams
from storage import residents as resident_db
from storage.db import Database

NOW = datetime(2026, 12, 1, 10, tzinfo=UTC)


async def _case(db: Database, chat: str) -> cases.Case:
    async with db.transaction() as s:
        resident = await resident_db.get_or_create_resident(s, "telegram", chat, now=NOW)
        return await cases.open_case(
            s, resident.id, reason="asked_for_person", priority="normal", now=NOW
        )


async def test_without_teams_everything_is_onbekend(database):
    case = await _case(database, "1")
    async with database.transaction() as s:
        assert await area.area_of_case(s, case) == area.UNKNOWN
        assert await area.area_of_case(s, None) == area.UNKNOWN
        assert await area.area_of_resident(s, case.resident_id) == area.UNKNOWN


async def test_with_teams_a_case_counts_in_its_team(database):
    routed, waiting = await _case(database, "1"), await _case(database, "2")
    async with database.transaction() as s:
        await teams.add_team(s, "Noord", postcodes="1020-1039", now=NOW)
        zuid = await teams.add_team(s, "Zuid", postcodes="1070-1083", now=NOW)
        await teams.assign_team(s, routed, zuid, why="postcode", now=NOW)
    async with database.transaction() as s:
        assert await area.area_of_case(s, routed) == "Zuid"
        assert await area.area_of_case(s, waiting) == area.UNKNOWN  # no team yet
        assert await area.area_of_resident(s, routed.resident_id) == "Zuid"
        assert await area.area_of_resident(s, waiting.resident_id) == area.UNKNOWN
