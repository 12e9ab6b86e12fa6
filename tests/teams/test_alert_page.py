"""Alert mails that could not be sent are shown on the queue page, to the case's team (and
admins); a simulator conversation never makes an alert."""

from __future__ import annotations

from bot.app import DB
from bot.config import Config
from bot.teams.alerts import AlertMail
from storage import alerts
from tests.dashboard.conftest import SUICIDE, Worker, resident_says
from tests.teams.conftest import join, make_teams


async def test_failed_alert_mail_is_on_the_queue_page(client, second_client, add_user) -> None:
    await make_teams(client.app)
    noor, zoe = await add_user("noor"), await add_user("zoe")
    await join(client.app, noor.id, "Noord")
    await join(client.app, zoe.id, "Zuid")
    await resident_says(client.app, "r1", SUICIDE)
    await resident_says(client.app, "r1", "1023")  # an urgent case in Noord
    away = AlertMail(client.app[DB], Config(smtp_url="smtp://127.0.0.1:1", office_hours="altijd"))
    assert await away.once() == 0
    async with client.app[DB].transaction() as s:
        [failing] = await alerts.failing(s)
    noor_page = await (await Worker.login(client, "noor")).page("/dashboard/")
    zoe_page = await (await Worker.login(second_client, "zoe")).page("/dashboard/")
    assert f'data-testid="alert-failure" data-case="{failing.case_id}"' in noor_page[1]
    assert 'data-testid="alert-failures"' not in zoe_page[1]


async def test_a_simulator_conversation_never_alerts(client, add_user) -> None:
    from tests.teams.smtp import SmtpServer

    await make_teams(client.app)
    await add_user("fatima")
    await Worker.login(client, "fatima")
    await client.post("/simulator/api/send", json={"text": "/start"})
    answer = await client.post("/simulator/api/send", json={"text": SUICIDE})
    cases = (await answer.json())["cases"]
    assert cases and cases[0]["priority"] == "urgent"  # the simulator would open one
    with SmtpServer() as smtp:
        mail = AlertMail(client.app[DB], Config(smtp_url=smtp.url, office_hours="altijd"))
        assert await mail.once() == 0
        assert smtp.inbox.mails == []
    async with client.app[DB].transaction() as s:
        assert await alerts.failing(s) == []
        assert await alerts.rounds_of(s, list(range(1, 20))) == {}
