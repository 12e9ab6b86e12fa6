"""The area of a count: `Onbekend` without teams; the team's name once the schema has teams
(issue 20's `team` table and `cases.team_id`, made here by hand) and a case has one."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text

from bot.signals import area
from storage import cases
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


async def test_with_teams_a_case_counts_in_its_team(tmp_path: Path):
    db = Database(f"sqlite:///{tmp_path / 'teams.db'}")
    try:
        await db.create_all()
        async with db.transaction() as s:
            await s.exec(text("CREATE TABLE team (id INTEGER PRIMARY KEY, name VARCHAR(64))"))
            await s.exec(text("INSERT INTO team (id, name) VALUES (1, 'Noord'), (2, 'Zuid')"))
            await s.exec(text("ALTER TABLE cases ADD COLUMN team_id INTEGER REFERENCES team(id)"))
        routed, waiting = await _case(db, "1"), await _case(db, "2")
        async with db.transaction() as s:
            await s.exec(
                text("UPDATE cases SET team_id = 2 WHERE id = :id").bindparams(id=routed.id)
            )
        async with db.transaction() as s:
            assert await area.area_of_case(s, routed) == "Zuid"
            assert await area.area_of_case(s, waiting) == area.UNKNOWN  # no team yet
            assert await area.area_of_resident(s, routed.resident_id) == "Zuid"
    finally:
        await db.dispose()
