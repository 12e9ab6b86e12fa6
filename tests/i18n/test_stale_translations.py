"""A changed Dutch flow text must not leave Arabic and Tigrinya readers with Dutch unseen:
`buurtbot flows validate` names the text's line and the languages that lack it, before and
after `make messages` (which keeps the old translation, marked fuzzy), and residents get the
fallback language meanwhile (issue 18)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.authoring import stale
from bot.engine.events import Say
from bot.i18n import Catalogs

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
OLD = "Bel nu 112. Zeg dat je in gevaar bent, en waar je bent."
NEW = "Bel nu meteen 112. Zeg dat je in gevaar bent, en waar je bent."
LINE = 96


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A copy of the flows and the catalogs, as a repository checkout has them."""
    shutil.copytree(ROOT / "flows", tmp_path / "flows")
    shutil.copytree(ROOT / "locales", tmp_path / "locales")
    return tmp_path


def _validate(content: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BUURTBOT_LOCALES_DIR": str(content / "locales")}
    env["BUURTBOT_AUTHOR_LANG"] = "en"  # the messages as this test quotes them
    return subprocess.run(
        [BIN / "buurtbot", "flows", "validate", str(content / "flows")],
        capture_output=True,
        text=True,
        env=env,
        cwd=content,
        timeout=120,
    )


def _edit(content: Path) -> None:
    flow = content / "flows" / "opvang.yaml"
    text = flow.read_text(encoding="utf-8")
    assert text.splitlines()[LINE - 1] == f"    say: {OLD}"
    flow.write_text(text.replace(OLD, NEW), encoding="utf-8")


def _make_messages(content: Path) -> None:
    """What `make messages` does, on the copy."""
    pot = content / "locales" / "messages.pot"
    cfg = content / "babel.cfg"
    cfg.write_text(
        "[extractors]\nflows = bot.authoring.i18n_extract:extract_flows\n[flows: flows/*.yaml]\n",
        encoding="utf-8",
    )
    run = {"check": True, "cwd": content, "capture_output": True, "timeout": 120}
    subprocess.run([BIN / "pybabel", "-q", "extract", "-F", cfg, "-o", pot, "."], **run)
    for lang in ("ar", "ti", "en"):
        subprocess.run(
            [
                BIN / "pybabel",
                "-q",
                "update",
                "-i",
                pot,
                "-d",
                content / "locales",
                "-l",
                lang,
                "--ignore-obsolete",
            ],
            **run,
        )


def test_the_shipped_flows_have_every_translation():
    assert stale.problems(ROOT / "flows", ROOT / "locales") == []


def test_a_changed_dutch_text_is_named_with_its_line_and_the_languages_it_lacks(content):
    assert _validate(content).returncode == 0
    assert "no translation" not in _validate(content).stdout
    _edit(content)
    result = _validate(content)
    assert result.returncode == 0  # a warning: the flow itself works
    lines = [line for line in result.stdout.splitlines() if "translation" in line]
    assert len(lines) == 1, result.stdout
    where = f"{content / 'flows' / 'opvang.yaml'}:{LINE}:10: warning: nodes.nu_112.say: "
    assert lines[0].startswith(where), lines[0]
    assert "ar, ti, en have no translation of this text" in lines[0]
    assert "ar in nl" in lines[0]  # what those residents read meanwhile
    assert "1 warning(s)" in result.stderr or "warning(s)" in result.stderr


def test_after_make_messages_the_old_translation_is_kept_fuzzy_and_not_served(content):
    _edit(content)
    _make_messages(content)
    with (content / "locales" / "ar" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        entry = read_po(f).get(NEW, context="opvang.nu_112")
    old = read_po((ROOT / "locales" / "ar" / "LC_MESSAGES" / "messages.po").open("rb"))
    assert entry.fuzzy and entry.string  # the old Arabic, kept for the translator
    assert entry.string == old.get(OLD, context="opvang.nu_112").string
    found = stale.check(content / "flows", content / "locales")
    assert [(s.problem.line, s.fuzzy) for s in found] == [(LINE, ("ar", "ti", "en"))]
    result = _validate(content)
    assert "the ar, ti, en translation is out of date" in result.stdout
    # Residents get the fallback (Dutch) until a translator removes the fuzzy mark.
    catalogs = Catalogs.load(content / "locales")
    rendered = catalogs.render(Say(NEW, "opvang.nu_112"), "ar")
    assert (rendered.text, rendered.language) == (NEW, "nl")


def test_the_translations_page_lists_the_same(content):
    """The dashboard's translations page reads the same check (tests/dashboard has the page)."""
    _edit(content)
    texts = [(s.context, s.missing) for s in stale.check(content / "flows", content / "locales")]
    assert texts == [("opvang.nu_112", ("ar", "ti", "en"))]


def test_a_new_flow_never_translated_gets_one_warning_not_one_per_text(content):
    flows = content / "flows"
    text = (flows / "opvang.yaml").read_text("utf-8").replace("flow: opvang", "flow: nieuw")
    (flows / "nieuw.yaml").write_text(text.replace("menu: 3", "menu: 4"), "utf-8")
    found = stale.check(flows, content / "locales")
    assert [(Path(s.problem.path).name, s.problem.line) for s in found] == [("nieuw.yaml", 20)]
    assert (
        "flow 'nieuw' has no translations yet (ar, ti, en: none of its" in found[0].problem.message
    )
