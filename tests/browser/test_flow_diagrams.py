"""The flows drawn, in a real browser: on the dashboard's Flows page with the vendored Mermaid
(no CDN, script from the app only), and in the page `buurtbot flows graph <flow> --html`
writes, opened from disk (issue 18)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import expect

from bot.cli import main
from bot.dashboard import passwords
from bot.keys import DB
from tests.browser.conftest import app_config, screenshot_path
from tests.browser.test_dashboard import WIDE, log_in
from tests.dashboard.conftest import create_user, dashboard_app

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def quick_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    from argon2 import PasswordHasher

    monkeypatch.setattr(
        passwords, "hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


async def test_the_flows_page_draws_each_flow(browser, aiohttp_server, tmp_path: Path):
    app = dashboard_app(app_config(tmp_path))
    server = await aiohttp_server(app)
    base = str(server.make_url("/")).rstrip("/")
    await create_user(app[DB], "anne", role="admin")
    page = await browser.new_page(viewport=WIDE)
    outside: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(base) else outside.append(r.url))
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    await log_in(page, base, "anne")
    await page.goto(f"{base}/dashboard/admin/flows")
    diagrams = page.get_by_test_id("flow-diagram")
    await expect(diagrams).to_have_count(3)
    first = diagrams.first
    await expect(first.locator("svg")).to_have_count(1, timeout=15_000)
    # Drawn, not printed: boxes with the flow's own node ids in them.
    await expect(first.locator("svg g.node").first).to_be_visible()
    assert await first.locator("svg g.node").count() > 10
    await expect(first.locator("svg")).to_contain_text("einde")
    # A closed one is drawn when it is opened.
    await page.locator("details.diagram summary").nth(1).click()
    await expect(diagrams.nth(1).locator("svg")).to_have_count(1, timeout=15_000)
    await page.screenshot(path=screenshot_path("dashboard-flow-diagram"), full_page=True)
    assert outside == [] and refused == []


async def test_flows_graph_html_draws_the_flow_from_disk(browser, tmp_path: Path, capsys):
    target = tmp_path / "opvang.html"
    assert (
        main(["flows", "graph", "opvang", "--html", str(target), "--dir", str(ROOT / "flows")]) == 0
    )
    assert str(target) in capsys.readouterr().err
    page = await browser.new_page(viewport=WIDE)
    await page.goto(target.as_uri())
    drawing = page.locator("pre.mermaid svg")
    await expect(drawing).to_have_count(1, timeout=15_000)
    await expect(drawing).to_contain_text("wanneer")
    assert await page.locator("pre.mermaid svg g.node").count() > 10
    await page.screenshot(path=screenshot_path("flows-graph-html"), full_page=True)


def test_flows_graph_still_prints_mermaid_without_html(capsys):
    assert main(["flows", "graph", "opvang", "--dir", str(ROOT / "flows")]) == 0
    assert capsys.readouterr().out.startswith("flowchart TD")
