"""`/dashboard/signals` and `/dashboard/signals.csv` through the real app: admins only, charts
as SVG drawn on the server, hidden cells as a dash, an A4 print stylesheet, and every view and
download in the audit log."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from sqlmodel import select

from bot.app import DB
from bot.signals import record
from storage.audit import AuditEntry
from tests.dashboard.conftest import Worker

WHEN = datetime(2026, 11, 10, 12, tzinfo=UTC)


async def seed(db) -> None:
    async with db.transaction() as s:
        for area, n in (("Noord", 12), ("Zuid", 3), ("West", 14)):
            for _ in range(n):
                await record.case_routed(
                    s, area=area, reason="asked_for_person", priority="normal", when=WHEN
                )
                await record.contact(s, area=area, language="nl", returning=False, when=WHEN)


async def test_workers_do_not_see_the_signals(client, add_user):
    await add_user("piet")
    worker = await Worker.login(client, "piet")
    status, _ = await worker.page("/dashboard/signals")
    assert status in (403, 404)
    status, _ = await worker.page("/dashboard/signals.csv")
    assert status in (403, 404)


async def test_an_admin_sees_charts_tables_and_a_download(client, add_user):
    await seed(client.app[DB])
    await add_user("anna", role="admin")
    admin = await Worker.login(client, "anna")
    status, html = await admin.page("/dashboard/signals?period=month")
    assert status == 200, html
    assert 'data-area="Noord"' in html and 'data-area="West"' in html
    assert "<svg" in html and "<script" not in html.split("<main", 1)[1]
    assert ">12</text>" in html  # Noord's cases in a chart
    assert 'class="bar-hidden"' in html  # Zuid's 3, hidden
    assert ">3<" not in html
    assert 'href="/dashboard/signals.csv?period=month"' in html
    # The tables in words, the measure's name beside them.
    assert '<tr data-measure="case.normal.asked_for_person">' in html
    assert "Normaal · Vraagt om een mens</th>" in html

    css = await client.get("/dashboard/static/signals.css")
    assert "size: A4" in await css.text()

    download = await client.get("/dashboard/signals.csv?period=month")
    assert download.status == 200
    assert download.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in download.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(await download.text())))
    cases = {r["area"]: r["value"] for r in rows if r["measure"] == "case.normal.asked_for_person"}
    assert cases["Noord"] == "12" and cases["West"] == "14" and cases["Zuid"] == ""

    async with client.app[DB].transaction() as s:
        logged = (await s.exec(select(AuditEntry).where(AuditEntry.user_name == "anna"))).all()
    actions = [(e.action, e.detail) for e in logged if "signals" in e.action]
    assert actions == [
        ("view_signals", "period=month from= to= team="),
        ("download_signals", "period=month from= to= team="),
    ]


async def test_a_bad_date_is_refused(client, add_user):
    await add_user("anna", role="admin")
    admin = await Worker.login(client, "anna")
    status, html = await admin.page("/dashboard/signals?from=gisteren")
    assert status == 400
    assert "JJJJ-MM-DD" in html
