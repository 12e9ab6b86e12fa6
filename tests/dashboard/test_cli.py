"""`buurtbot users add|passwd|disable`: passwords read twice from stdin (or a prompt)."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest

from bot import cli
from bot.dashboard import accounts, passwords
from storage import users
from storage.db import Database

PASSWORD = "a long enough password"


@pytest.fixture
def database_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    return url


def run(monkeypatch: pytest.MonkeyPatch, argv: list[str], stdin: str = "") -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return cli.main(argv)


def user(url: str, name: str) -> users.User | None:
    async def find() -> users.User | None:
        db = Database(url)
        try:
            await db.create_all()
            async with db.transaction() as s:
                return await users.find_user(s, name)
        finally:
            await db.dispose()

    return asyncio.run(find())


def test_users_add_reads_the_password_twice_from_stdin(database_url, monkeypatch, capsys):
    code = run(
        monkeypatch, ["users", "add", "Noor", "--role", "admin"], f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert code == 0
    assert "added noor (admin)" in capsys.readouterr().out
    found = user(database_url, "noor")
    assert found is not None and found.role == "admin"
    assert found.password_hash.startswith("$argon2id$")
    assert passwords.verify(found.password_hash, PASSWORD)[0]


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        (f"{PASSWORD}\nsomething else\n", "the two passwords differ"),
        ("short\nshort\n", "at least 10 characters"),
        ("", "no password given"),
    ],
)
def test_users_add_refuses_bad_passwords(database_url, monkeypatch, capsys, stdin, message):
    assert run(monkeypatch, ["users", "add", "noor"], stdin) == 1
    assert message in capsys.readouterr().err
    assert user(database_url, "noor") is None


def test_users_add_refuses_a_name_twice(database_url, monkeypatch, capsys):
    twice = f"{PASSWORD}\n{PASSWORD}\n"
    assert run(monkeypatch, ["users", "add", "noor"], twice) == 0
    assert run(monkeypatch, ["users", "add", "noor"], twice) == 1
    assert "already a user 'noor'" in capsys.readouterr().err


def test_users_add_prompts_at_a_terminal(database_url, monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    prompts: list[str] = []

    def fake_getpass(prompt: str) -> str:
        prompts.append(prompt)
        return PASSWORD

    monkeypatch.setattr(accounts.getpass, "getpass", fake_getpass)
    monkeypatch.setattr("sys.stdin", Terminal())
    assert cli.main(["users", "add", "noor"]) == 0
    assert prompts == ["Password: ", "Password (again): "]


def test_users_passwd_and_disable(database_url, monkeypatch, capsys):
    run(monkeypatch, ["users", "add", "noor"], f"{PASSWORD}\n{PASSWORD}\n")
    new = "another long password"
    assert run(monkeypatch, ["users", "passwd", "noor"], f"{new}\n{new}\n") == 0
    assert passwords.verify(user(database_url, "noor").password_hash, new)[0]
    assert run(monkeypatch, ["users", "disable", "noor"]) == 0
    assert "disabled noor" in capsys.readouterr().out
    assert user(database_url, "noor").disabled_at is not None
    assert run(monkeypatch, ["users", "disable", "nobody"]) == 1
    assert "no user 'nobody'" in capsys.readouterr().err
