"""The black-box check of issue 22, through the real conversation path and the real command:
12 residents of Noord and 3 of Zuid ask for a person; `buurtbot signals --format csv` shows
Noord's figure, no value from 1 to 9 anywhere, and none of the words the residents typed.

The teams are made with the real `buurtbot teams add`; each resident answers the postcode
question (issue 20) that follows their request, so the count moves from the default team to
theirs."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import Config
from bot.conversation import Conversations, Inbound
from storage import cases
from storage import residents as resident_db
from storage.db import Database

ROOT = Path(__file__).resolve().parents[2]
STORIES = [
    "Ik wil met een mens praten over de schimmel in mijn badkamer",
    "Kan ik met iemand praten? Mijn buurman Evertjan maakt herrie",
    "Ik wil met een mens praten, de verwarming van Hortensiastraat doet het niet",
]


def _buurtbot(*args: str, url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": url}
    env.pop("BUURTBOT_SIGNALS_MIN_COUNT", None)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'buurtbot.db'}"
    return request.getfixturevalue("postgres_database")


TEAMS = (
    ("Noord", "--postcodes", "1020-1039"),
    ("Zuid", "--postcodes", "1070-1083"),
    ("Centraal", "--default"),
)


async def _ask_for_a_person(c: Conversations, db: Database, chat: str, postcode: str, said: str):
    replies = await c.receive(Inbound("telegram", chat, text=said))
    assert any("postcode" in r.text for r in replies), [r.text for r in replies]
    await c.receive(Inbound("telegram", chat, text=postcode))
    async with db.transaction() as s:
        resident = await resident_db.find_resident(s, "telegram", chat)
        case = await cases.open_case_of(s, resident.id)
        assert case is not None and case.team_id is not None, said


async def test_twelve_of_noord_and_three_of_zuid_ask_for_a_person(url: str) -> None:
    upgraded = _buurtbot("db", "upgrade", url=url)
    assert upgraded.returncode == 0, upgraded.stderr
    for team in TEAMS:
        added = _buurtbot("teams", "add", *team, url=url)
        assert added.returncode == 0, added.stderr
    config = Config(database_url=url, flows_dir=ROOT / "flows", locales_dir=ROOT / "locales")
    db = Database(url)
    typed: list[str] = []
    try:
        c = Conversations.from_config(db, config)
        for i in range(15):
            said = f"{STORIES[i % 3]} (bericht {i + 1}, familie Zwartewaal{i})"
            typed.append(said)
            postcode = "1023 ab" if i < 12 else "1075"
            await _ask_for_a_person(c, db, f"resident-{i}", postcode, said)
    finally:
        await db.dispose()

    shown = _buurtbot("signals", "--format", "csv", url=url)
    assert shown.returncode == 0, shown.stderr
    rows = list(csv.DictReader(io.StringIO(shown.stdout)))
    assert rows and list(rows[0]) == ["period", "area", "measure", "value"]
    noord = [r for r in rows if r["area"] == "Noord" and r["measure"].startswith("case.normal.")]
    assert [r["value"] for r in noord] == ["12"], noord
    zuid = [r for r in rows if r["area"] == "Zuid" and r["measure"].startswith("case.normal.")]
    assert zuid and all(r["value"] == "" for r in zuid), zuid
    centraal = [r for r in rows if r["area"] == "Centraal" and r["measure"].startswith("case.")]
    assert all(r["value"] in ("", "0") for r in centraal), centraal  # counted there, then moved
    values = [int(r["value"]) for r in rows if r["value"] != ""]
    assert not [v for v in values if 1 <= v <= 9], rows
    words = {w.casefold() for s in typed for w in re.findall(r"\w{4,}", s)}
    found = [w for w in words if w in shown.stdout.casefold()]
    assert found == [], found

    one = _buurtbot("signals", "--team", "Noord", "--period", "week", "--format", "json", url=url)
    assert one.returncode == 0, one.stderr
    data = json.loads(one.stdout)
    assert {r["area"] for r in data} == {"Noord"}
    assert {"period", "area", "measure", "value"} == set(data[0])
    assert [r["value"] for r in data if r["measure"] == "case.totaal"] == [12]


def test_a_bad_date_or_database_is_refused_clearly(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'buurtbot.db'}"
    refused = _buurtbot("signals", "--from", "1 december", url=url)
    assert refused.returncode == 2
    assert "YYYY-MM-DD" in refused.stderr
    empty = _buurtbot("signals", url=url)  # no tables yet
    assert empty.returncode == 1
    assert "buurtbot db upgrade" in empty.stderr
    assert _buurtbot("db", "upgrade", url=url).returncode == 0
    nobody = _buurtbot("signals", "--team", "Oost", url=url)
    assert nobody.returncode == 0 and nobody.stdout == "period,area,measure,value\n"
    assert "no counts for area 'Oost'" in nobody.stderr
