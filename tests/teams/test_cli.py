"""`buurtbot teams ...` and `buurtbot users add --team`, the real command in a process of its
own, on a database of its own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PASSWORD = "a long enough password"


@pytest.fixture
def buurtbot(tmp_path: Path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'teams.db'}"}

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot", *args],
            input=stdin,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    return run


def test_teams_from_the_command_line(buurtbot) -> None:
    noord = buurtbot("teams", "add", "Noord", "--postcodes", "1020-1039", "--alert-email", "n@x.nl")
    assert noord.returncode == 0, noord.stderr
    assert "added team Noord: 1020-1039" in noord.stdout
    assert buurtbot("teams", "add", "Centraal", "--default").returncode == 0

    overlap = buurtbot("teams", "add", "Zuid", "--postcodes", "1070-1083,1039")
    assert overlap.returncode == 1
    assert "postcodes 1039 belong to team 'Noord' already" in overlap.stderr
    second = buurtbot("teams", "add", "Oost", "--default")
    assert second.returncode == 1 and "one default only" in second.stderr
    bad = buurtbot("teams", "add", "West", "--postcodes", "1020-10x")
    assert bad.returncode == 1 and "'1020-10x' is not a range" in bad.stderr

    two = f"{PASSWORD}\n{PASSWORD}\n"
    added = buurtbot("users", "add", "anna", "--team", "Noord", "--team", "Centraal", stdin=two)
    assert added.returncode == 0, added.stderr
    unknown = buurtbot("users", "add", "bob", "--team", "Zuid", stdin=two)
    assert unknown.returncode == 1
    assert "no team 'Zuid' (teams: Centraal, Noord)" in unknown.stderr

    edited = buurtbot("teams", "edit", "Noord", "--postcodes", "1020-1040", "--on-call-email", "")
    assert edited.returncode == 0, edited.stderr
    listed = buurtbot("teams", "list")
    assert "Noord\n  postcodes: 1020-1040\n  alert e-mail: n@x.nl" in listed.stdout
    assert "members: anna" in listed.stdout and "Centraal (default)" in listed.stdout

    assert buurtbot("teams", "remove", "Noord").returncode == 0
    gone = buurtbot("teams", "remove", "Noord")
    assert gone.returncode == 1 and "no team 'Noord'" in gone.stderr
    assert "Noord" not in buurtbot("teams", "list").stdout
