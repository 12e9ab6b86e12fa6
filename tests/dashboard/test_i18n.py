"""The dashboard in Dutch and English through the shared Babel catalogs: its texts are
extracted with msgctxt `dashboard`, and a worker who chooses English gets English."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from babel.messages.extract import extract_from_dir

from bot.app import DB
from bot.dashboard import texts
from storage import users
from tests.dashboard.conftest import Worker, create_user, dashboard_app, with_translations

ROOT = Path(__file__).resolve().parents[2]
MAPPING = {
    "method_map": [
        ("bot/dashboard/templates/**.html", "bot.dashboard.i18n:extract_templates"),
        ("bot/dashboard/**.py", "bot.authoring.i18n_extract:extract_python"),
    ],
    "options_map": {"bot/dashboard/**.py": {"context": "dashboard"}},
}


def extracted() -> list[tuple[str, int, str, list[str], str]]:
    return list(extract_from_dir(ROOT, comment_tags=("Translators:",), **MAPPING))


def test_template_and_python_texts_are_extracted_with_the_dashboard_context():
    found = extracted()
    by_id = {(msgid, context) for _, _, msgid, _, context in found}
    assert ("Wachtrij", "dashboard") in by_id  # a template text
    assert ("Opgepakt door %(name)s", "dashboard") in by_id  # with a parameter
    assert (texts.CLOSED, "dashboard") in by_id  # the resident's text, from Python
    assert {context for _, _, _, _, context in found} == {"dashboard"}
    closing = next(c for _, _, m, c, _ in found if m == texts.CLOSED)
    assert any("resident" in line for line in closing)  # the translator's comment came along


async def test_a_worker_can_switch_the_dashboard_to_english(aiohttp_client, config, tmp_path):
    locales = with_translations(
        config.locales_dir,
        tmp_path / "locales",
        "en",
        {"Wachtrij": "Queue", "Uitloggen": "Log out", "Gesloten": ""},  # "": not translated
    )
    app = dashboard_app(replace(config, locales_dir=locales))
    client = await aiohttp_client(app)
    await create_user(app[DB], "fatima")
    worker = await Worker.login(client, "fatima")
    status, html = await worker.page("/dashboard/")
    assert status == 200
    assert "<h1>Wachtrij</h1>" in html and 'lang="nl"' in html
    _, html = await worker.page("/dashboard/?lang=en")
    assert "<h1>Queue</h1>" in html and "Log out" in html and 'lang="en"' in html
    # The choice is kept for this worker.
    _, html = await worker.page("/dashboard/closed")
    assert "Log out" in html
    async with app[DB].transaction() as s:
        assert (await users.find_user(s, "fatima")).language == "en"
    # Untranslated texts stay Dutch rather than break.
    assert "Gesloten" in html
    _, html = await worker.page("/dashboard/?lang=nl")
    assert "Uitloggen" in html


async def test_the_login_page_in_english(client):
    response = await client.get("/dashboard/login?lang=en")
    assert 'lang="en"' in await response.text()
