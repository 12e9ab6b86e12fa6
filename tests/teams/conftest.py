"""Fixtures for the teams tests: the dashboard's (the real app on SQLite, workers logging in
over HTTP), and three teams: Noord (1020-1039), Zuid (1070-1083) and the default Centraal."""

from __future__ import annotations

from aiohttp import web

from bot.app import DB
from storage import teams
from storage.types import utcnow
from tests.dashboard.conftest import (  # noqa: F401 - fixtures
    add_user,
    app,
    client,
    config,
    quick_passwords,
    second_client,
)


async def make_teams(application: web.Application) -> dict[str, teams.Team]:
    now = utcnow()
    async with application[DB].transaction() as s:
        found = {
            "Noord": await teams.add_team(
                s, "Noord", postcodes="1020-1039", alert_email="noord@example.org", now=now
            ),
            "Zuid": await teams.add_team(
                s, "Zuid", postcodes="1070-1083", alert_email="zuid@example.org", now=now
            ),
            "Centraal": await teams.add_team(
                s, "Centraal", is_default=True, alert_email="centraal@example.org", now=now
            ),
        }
    return found


async def join(application: web.Application, user_id: int, *names: str) -> None:
    async with application[DB].transaction() as s:
        await teams.set_teams_of(s, user_id, list(names))
