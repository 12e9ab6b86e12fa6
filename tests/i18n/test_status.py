"""`buurtbot i18n status`: counts per locale against the template, as a table and as JSON."""

from __future__ import annotations

import io
import json
from pathlib import Path

from bot.authoring.i18n_status import DRAFT_MARKER, LocaleStatus, run_cli, status
from bot.cli import main

POT = """\
msgid ""
msgstr ""
"Content-Type: text/plain; charset=utf-8\\n"

msgctxt "engine"
msgid "Ja"
msgstr ""

msgctxt "engine"
msgid "Nee"
msgstr ""

msgctxt "geld.start"
msgid "Hoeveel?"
msgstr ""

msgctxt "geld.start"
msgid "Nieuw"
msgstr ""

msgctxt "dashboard"
msgid "Wachtrij"
msgstr ""
"""

AR = f"""\
msgid ""
msgstr ""
"Content-Type: text/plain; charset=utf-8\\n"
"Language: ar\\n"

# {DRAFT_MARKER}
msgctxt "engine"
msgid "Ja"
msgstr "نعم"

msgctxt "engine"
msgid "Nee"
msgstr "لا"

#, fuzzy
msgctxt "geld.start"
msgid "Hoeveel?"
msgstr "كم؟"
"""


def _locales(tmp_path: Path) -> Path:
    (tmp_path / "messages.pot").write_text(POT, encoding="utf-8")
    ar = tmp_path / "ar" / "LC_MESSAGES"
    ar.mkdir(parents=True)
    (ar / "messages.po").write_text(AR, encoding="utf-8")
    return tmp_path


def test_counts_per_locale(tmp_path: Path) -> None:
    """The dashboard's "Wachtrij" is only needed in English: it is missing there, and does
    not count at all in Arabic and Tigrinya."""
    assert status(_locales(tmp_path)) == [
        LocaleStatus("ar", total=4, translated=2, reviewed=1, draft=1, fuzzy=1, missing=1),
        LocaleStatus("ti", total=4, translated=0, reviewed=0, draft=0, fuzzy=0, missing=4),
        LocaleStatus("en", total=5, translated=0, reviewed=0, draft=0, fuzzy=0, missing=5),
    ]


def test_table(tmp_path: Path) -> None:
    out = io.StringIO()
    assert run_cli(_locales(tmp_path), False, out) == 0
    assert out.getvalue() == (
        "locale  total  translated  reviewed  draft  fuzzy  missing\n"
        "ar          4           2         1      1      1        1\n"
        "ti          4           0         0      0      0        4\n"
        "en          5           0         0      0      0        5\n"
    )


def test_command_json(tmp_path: Path, capsys) -> None:
    assert main(["i18n", "status", "--json", str(_locales(tmp_path))]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0] == {
        "locale": "ar",
        "total": 4,
        "translated": 2,
        "reviewed": 1,
        "draft": 1,
        "fuzzy": 1,
        "missing": 1,
    }


def test_shipped_catalogs_have_nothing_missing() -> None:
    root = Path(__file__).resolve().parents[2]
    for row in status(root / "locales"):
        assert row.missing == 0 and row.fuzzy == 0, row
        assert row.translated == row.total == row.reviewed + row.draft, row
