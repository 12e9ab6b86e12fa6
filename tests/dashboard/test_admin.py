"""The admin's pages: users, the audit log, flow validation and translation status."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

from sqlmodel import select

from bot.app import DB
from bot.dashboard import admin
from storage.audit import AuditEntry
from tests.dashboard.conftest import (
    PASSWORD,
    Worker,
    create_user,
    dashboard_app,
    only_open_case,
    resident_says,
    submit_login,
)


async def test_an_admin_adds_a_user_who_can_then_log_in(client, add_user, second_client):
    await add_user("anne", role="admin")
    anne = await Worker.login(client, "anne")
    new = {"name": "Noor", "role": "worker", "password": PASSWORD, "password2": PASSWORD}
    response = await anne.post("/dashboard/admin/users", new)
    assert response.status == 200 and 'data-user="noor"' in await response.text()
    noor = await Worker.login(second_client, "noor")
    assert (await noor.page("/dashboard/"))[0] == 200
    async with client.app[DB].transaction() as s:
        rows = (await s.exec(select(AuditEntry).where(AuditEntry.action == "user_add"))).all()
    assert [(r.user_name, r.detail) for r in rows] == [
        ("(command line)", "anne (admin)"),  # the fixture
        ("anne", "noor (worker)"),
    ]


async def test_adding_a_user_explains_what_is_wrong(client, add_user):
    await add_user("anne", role="admin")
    anne = await Worker.login(client, "anne")
    cases = [
        ({"name": "noor", "password": PASSWORD, "password2": "other"}, "niet gelijk"),
        ({"name": "noor", "password": "short", "password2": "short"}, "minstens 10 tekens"),
        ({"name": "n o o r", "password": PASSWORD, "password2": PASSWORD}, "kleine letters"),
        ({"name": "anne", "password": PASSWORD, "password2": PASSWORD}, "bestaat al"),
    ]
    for data, message in cases:
        response = await anne.post("/dashboard/admin/users", {"role": "worker", **data})
        assert response.status == 400, data
        assert message in await response.text(), data


async def test_disabling_a_worker_returns_their_cases_to_the_queue(client, add_user, second_client):
    await add_user("anne", role="admin")
    await add_user("fatima")
    fatima = await Worker.login(second_client, "fatima")
    await resident_says(client.app, "r1", "/mens")
    case = await only_open_case(client.app)
    await fatima.post(f"/dashboard/cases/{case.id}/claim")
    anne = await Worker.login(client, "anne")
    response = await anne.post("/dashboard/admin/users/2/disable")
    assert response.status == 200 and "Uitgeschakeld" in await response.text()
    assert (await only_open_case(client.app)).status == "waiting"
    refused = await anne.post("/dashboard/admin/users/1/disable")
    assert refused.status == 400 and "jezelf" in await refused.text()
    assert (await submit_login(second_client, "fatima", PASSWORD)).status == 401


async def test_the_audit_log_lists_and_filters_and_is_itself_logged(client, add_user):
    await add_user("anne", role="admin")
    anne = await Worker.login(client, "anne")
    await resident_says(client.app, "r1", "/mens")
    case = await only_open_case(client.app)
    await anne.post(f"/dashboard/cases/{case.id}/claim")
    status, html = await anne.page("/dashboard/audit")
    assert status == 200
    for action in ("login", "view_queue", "view_case", "claim"):
        assert f'data-action="{action}"' in html
    status, html = await anne.page(f"/dashboard/audit?action=claim&case={case.id}")
    assert 'data-action="claim"' in html and 'data-action="login"' not in html
    status, html = await anne.page("/dashboard/audit?user=nobody")
    assert "data-action=" not in html.split("<tbody>")[1]
    async with client.app[DB].transaction() as s:
        views = (await s.exec(select(AuditEntry).where(AuditEntry.action == "view_audit"))).all()
    assert len(views) == 3


async def test_the_flows_page_shows_every_problem_with_its_place(
    aiohttp_client, config, tmp_path: Path
):
    flows = tmp_path / "flows"
    shutil.copytree(config.flows_dir, flows)
    app = dashboard_app(replace(config, flows_dir=flows))
    client = await aiohttp_client(app)
    await create_user(app[DB], "anne", role="admin")
    anne = await Worker.login(client, "anne")
    status, html = await anne.page("/dashboard/admin/flows")
    assert status == 200 and 'data-testid="problems-flows"' in html
    assert 'href="/simulator"' in html and "<code>geld</code>" in html  # try them right away
    # A flow author breaks a file while the dashboard runs.
    broken = flows / "geld.yaml"
    broken.write_text(broken.read_text(encoding="utf-8").replace("next:", "nxet:", 1))
    (flows / "replies" / "kapot.yaml").write_text(
        "replies:\n  - id: x\n    title: X\n    text:\n      nl: Hoi\n      fr: Salut\n",
        encoding="utf-8",
    )
    status, html = await anne.page("/dashboard/admin/flows")
    assert f"{flows}/geld.yaml:" in html and ": fout: " in html  # Dutch, for the authors
    assert f"{flows}/replies/kapot.yaml:6:7: fout:" in html
    assert "unknown language &#39;fr&#39;" in html


async def test_the_translations_page(client, add_user, monkeypatch):
    await add_user("anne", role="admin")
    anne = await Worker.login(client, "anne")
    status, html = await anne.page("/dashboard/admin/translations")
    assert status == 200 and 'data-testid="translations"' in html and "Arabisch" in html
    monkeypatch.setattr(admin, "translation_status", None)
    status, html = await anne.page("/dashboard/admin/translations")
    assert 'data-testid="translations-unavailable"' in html


async def test_the_translations_page_lists_flow_texts_whose_translation_is_missing(
    aiohttp_client, config, tmp_path: Path
):
    """A Dutch flow text changed: the page names its place and the languages that lack it,
    as `buurtbot flows validate` does (issue 18)."""
    flows = tmp_path / "flows"
    shutil.copytree(config.flows_dir, flows)
    app = dashboard_app(replace(config, flows_dir=flows))
    client = await aiohttp_client(app)
    await create_user(app[DB], "anne", role="admin")
    anne = await Worker.login(client, "anne")
    status, html = await anne.page("/dashboard/admin/translations")
    assert status == 200 and 'data-testid="stale-translations"' in html
    assert 'data-testid="stale-translation"' not in html
    flow = flows / "opvang.yaml"
    old = "Bel nu 112. Zeg dat je in gevaar bent, en waar je bent."
    flow.write_text(flow.read_text("utf-8").replace(old, "Bel nu meteen 112."), "utf-8")
    status, html = await anne.page("/dashboard/admin/translations")
    row = html.split('data-testid="stale-translation"')[1].split("</tr>")[0]
    assert 'data-context="opvang.nu_112"' in row
    assert f"{flows}/opvang.yaml:96:10" in row and "Bel nu meteen 112." in row
    assert "<td>ar, ti, en</td>" in row
