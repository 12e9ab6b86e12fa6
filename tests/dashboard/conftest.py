"""Fixtures for the dashboard: the real app factory with the dashboard mounted, on a temporary
SQLite file, and workers who log in over real HTTP.

Reusable elsewhere:
- `create_user(db, name, role=..., password=...)` adds a user (argon2id hash, audited);
- `Worker.login(client, name, password)` logs a test client in and keeps its CSRF token;
- the `add_user` fixture does `create_user` on the running app's database.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from argon2 import PasswordHasher

from bot import dashboard
from bot.app import CONVERSATIONS, DB, init_app
from bot.config import Config
from bot.conversation import Inbound
from bot.dashboard import accounts, auth, passwords
from bot.dashboard.settings import SETTINGS, Settings
from storage import users
from storage.cases import Case
from storage.db import Database

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery"
SUICIDE = "ik wil niet meer leven, ik heb alle pillen klaarliggen"
CSRF = re.compile(r'name="csrf-token" content="([^"]*)"')
LOGIN_CSRF = re.compile(r'name="_csrf" value="([^"]*)"')


@pytest.fixture(autouse=True)
def quick_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap argon2id parameters and no slow-down after failures: tests stay fast."""
    monkeypatch.setattr(
        passwords, "hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )
    monkeypatch.setattr(auth, "SLOWDOWN_BASE", 0.0)


async def create_user(
    db: Database, name: str, *, role: str = "worker", password: str = PASSWORD
) -> users.User:
    return await accounts.add(db, name, role, password)


def dashboard_app(config: Config, settings: Settings | None = None) -> web.Application:
    """`init_app(config)` with the dashboard mounted (as `parts()` will do)."""
    app = init_app(config)
    app[SETTINGS] = settings or Settings(poll_interval=0.2)
    dashboard.setup(app)
    return app


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return Config(
        database_url=f"sqlite:///{tmp_path / 'dashboard.db'}",
        flows_dir=ROOT / "flows",
        locales_dir=ROOT / "locales",
        office_hours="altijd",
    )


@pytest.fixture
def app(config: Config) -> web.Application:
    return dashboard_app(config)


@pytest.fixture
async def client(aiohttp_client, app: web.Application) -> TestClient:
    return await aiohttp_client(app)


@pytest.fixture
def add_user(client: TestClient) -> Callable[..., Awaitable[users.User]]:
    async def add(name: str, role: str = "worker", password: str = PASSWORD) -> users.User:
        return await create_user(client.app[DB], name, role=role, password=password)

    return add


@pytest.fixture
async def second_client(aiohttp_client, client: TestClient) -> TestClient:
    """Another browser (its own cookies) on the same server."""
    return await aiohttp_client(client.server)


@dataclass
class Worker:
    """A test client logged in as one user."""

    client: TestClient
    name: str
    csrf: str

    @classmethod
    async def login(cls, client: TestClient, name: str, password: str = PASSWORD) -> Worker:
        response = await submit_login(client, name, password)
        assert response.status == 200 and response.url.path == "/dashboard/", (
            response.status,
            await response.text(),
        )
        return cls(client, name, page_csrf(await response.text()))

    async def page(self, path: str) -> tuple[int, str]:
        response = await self.client.get(path)
        return response.status, await response.text()

    async def post(self, path: str, data: dict[str, str] | None = None, **kwargs):
        body = {"_csrf": self.csrf, **(data or {})}
        return await self.client.post(path, data=body, **kwargs)


def page_csrf(html: str) -> str:
    found = CSRF.search(html)
    assert found and found.group(1), "no CSRF token on the page"
    return found.group(1)


async def submit_login(client: TestClient, name: str, password: str, **kwargs):
    form = await client.get("/dashboard/login")
    token = LOGIN_CSRF.search(await form.text())
    assert token
    data = {"_csrf": token.group(1), "name": name, "password": password, **kwargs}
    return await client.post("/dashboard/login", data=data)


def with_translations(
    source: Path, target: Path, lang: str, translations: dict[str, str], context: str = "dashboard"
) -> Path:
    """A copy of the locales folder `source` at `target` where `lang` translates each msgid of
    `translations` as given (added, or replacing what the catalog has)."""
    from babel.messages.pofile import read_po, write_po

    shutil.copytree(source, target)
    po = target / lang / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as f:
        catalog = read_po(f, locale=lang)
    for msgid, msgstr in translations.items():
        catalog.delete(msgid, context=context)
        catalog.add(msgid, msgstr, context=context)
    with po.open("wb") as f:
        write_po(f, catalog)
    return target


async def resident_says(app: web.Application, external_id: str, text: str, channel: str = "web"):
    """A resident writes, through the real conversation path."""
    return await app[CONVERSATIONS].receive(
        Inbound(channel, external_id, text=text, language_hint="nl")
    )


async def only_open_case(app: web.Application) -> Case:
    from sqlmodel import col, select

    async with app[DB].transaction() as s:
        return (await s.exec(select(Case).where(col(Case.status) != "closed"))).one()
