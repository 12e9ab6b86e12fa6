"""Odd input to the dashboard gets a clear 4xx, never a 500: ids too big for the database, and
control characters in where to go after login."""

from __future__ import annotations

import pytest

from bot.dashboard.views import safe_next
from tests.dashboard.conftest import Worker, submit_login

HUGE = "99999999999999999999999"


@pytest.mark.parametrize(
    "path,status",
    [
        (f"/dashboard/cases/{HUGE}", 404),
        (f"/dashboard/cases/{HUGE}/close", 404),
        (f"/dashboard/cases/{HUGE}/updates", 404),
        ("/dashboard/cases/1/updates?after=" + HUGE, 400),
        ("/dashboard/cases/1/updates?notes_after=" + HUGE, 400),
        ("/dashboard/audit?case=" + HUGE, 400),
        ("/dashboard/audit?before=" + HUGE, 400),
        ("/dashboard/audit?before=-1", 400),
        ("/dashboard/audit?case=9223372036854775807", 200),
    ],
)
async def test_huge_ids_are_not_found_or_refused(client, add_user, path, status):
    await add_user("anna", role="admin")
    await Worker.login(client, "anna")
    response = await client.get(path)
    assert response.status == status, await response.text()


async def test_a_huge_colleague_id_is_refused_with_a_message(client, add_user):
    from tests.dashboard.conftest import only_open_case, resident_says

    await add_user("anna", role="admin")
    anna = await Worker.login(client, "anna")
    await resident_says(client.app, "r1", "/mens")
    case = await only_open_case(client.app)
    await anna.post(f"/dashboard/cases/{case.id}/claim")
    response = await anna.post(f"/dashboard/cases/{case.id}/reassign", {"to": HUGE})
    assert response.status == 400


@pytest.mark.parametrize(
    "value",
    [
        "/dashboard/\r\nSet-Cookie: x=1",
        "/dashboard/cases/1\n",
        "/dashboard/\x00",
        "/dashboard/\t",
        "/dashboard/caf\u00e9",
    ],
)
def test_safe_next_refuses_control_characters(value):
    assert safe_next(value) == "/dashboard/"


async def test_a_login_with_crlf_in_next_goes_to_the_queue(client, add_user):
    await add_user("anna")
    response = await submit_login(
        client, "anna", "correct horse battery", next="/dashboard/\r\nSet-Cookie: x=1"
    )
    assert response.status == 200 and response.url.path == "/dashboard/"
    assert "x" not in response.cookies
