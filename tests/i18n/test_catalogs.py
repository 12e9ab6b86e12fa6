"""The shipped catalogs: valid for GNU gettext, complete for every text the sources have, with
the same placeholders, phone numbers, URLs and names as the Dutch, and CLDR's plural rules."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.catalog import Message
from babel.messages.frontend import CommandLineInterface

from bot import escalation
from bot.authoring.i18n_extract import PLURAL_FORMS, set_plural_forms
from bot.authoring.i18n_status import DRAFT_MARKER, catalog_path, needed, read_catalog
from bot.engine.events import Say
from bot.i18n import FSI, PDI, Catalogs

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ROOT / "locales"
TRANSLATED = ("ar", "ti", "en")

# What must come through a translation exactly as in the Dutch.
PHONE = re.compile(r"(?<![\d-])(?:0[89]00-\d{4}|11[23])(?![\d-])")
URL = re.compile(r"\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.nl(?:/[A-Za-z0-9_/-]*[A-Za-z0-9_])?")
NAMES = re.compile(
    r"DigiD|Geldfit|Veilig Thuis|Zelfmoordpreventie|BelastingTelefoon|Mijn toeslagen"
)
COMMAND = re.compile(r"(?<!\w)/[a-z]+\b(?![./])")
PLACEHOLDER = re.compile(r"\{[a-z_][a-z0-9_]*\}|%\([a-z_]+\)[sd]")
SCRIPT = {"ar": re.compile(r"[\u0600-\u06ff]"), "ti": re.compile(r"[\u1200-\u137f]")}


def _messages(lang: str) -> list[Message]:
    return [m for m in read_catalog(catalog_path(LOCALES, lang), lang) if m.id]


def _template() -> list[Message]:
    return [m for m in read_catalog(LOCALES / "messages.pot") if m.id]


def _where(m: Message) -> str:
    return f"[{m.context}] {m.id[:60]!r}"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_msgfmt_check(lang: str) -> None:
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        reason = "GNU gettext's msgfmt is not installed (make system-packages installs gettext)"
        if os.environ.get("BUURTBOT_REQUIRE_SERVICES") == "1":
            pytest.fail(f"{reason}; required because BUURTBOT_REQUIRE_SERVICES=1", pytrace=False)
        pytest.skip(reason)
    po = catalog_path(LOCALES, lang)
    result = subprocess.run(
        [msgfmt, "--check", "-o", os.devnull, str(po)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("lang", TRANSLATED)
def test_plural_forms(lang: str) -> None:
    assert read_catalog(catalog_path(LOCALES, lang), lang).plural_forms == PLURAL_FORMS[lang]


def test_tigrinya_plural_rule_is_cldrs() -> None:
    """CLDR: one = n in 0..1; Babel's own table says (n != 1)."""
    assert PLURAL_FORMS["ti"] == "nplurals=2; plural=(n > 1);"
    assert PLURAL_FORMS["ar"].startswith("nplurals=6;")


def test_a_new_catalog_gets_cldrs_plural_rule(tmp_path: Path) -> None:
    """`pybabel init -l ti` writes (n != 1); `make messages` corrects it once, and
    `pybabel update` keeps the correction."""
    args = ["-i", str(LOCALES / "messages.pot"), "-d", str(tmp_path), "-l", "ti"]
    CommandLineInterface().run(["pybabel", "-q", "init", *args])
    po = catalog_path(tmp_path, "ti")
    assert read_catalog(po, "ti").plural_forms == "nplurals=2; plural=(n != 1);"
    assert set_plural_forms(tmp_path) == [po]
    assert set_plural_forms(tmp_path) == []
    CommandLineInterface().run(["pybabel", "-q", "update", *args])
    assert read_catalog(po, "ti").plural_forms == "nplurals=2; plural=(n > 1);"


def test_plural_forms_and_draft_markers_survive_pybabel_update(tmp_path: Path) -> None:
    locales = tmp_path / "locales"
    shutil.copytree(LOCALES, locales)
    for lang in TRANSLATED:
        args = ["pybabel", "-q", "update", "-i", str(locales / "messages.pot"), "-d", str(locales)]
        CommandLineInterface().run([*args, "-l", lang, "--ignore-obsolete"])
        catalog = read_catalog(catalog_path(locales, lang), lang)
        assert catalog.plural_forms == PLURAL_FORMS[lang]
        before = {(m.context, m.id): m.user_comments for m in _messages(lang)}
        after = {(m.context, m.id): m.user_comments for m in catalog if m.id}
        assert after == before


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_text_is_translated(lang: str) -> None:
    """Every text residents read (flows, engine, crisis texts, ...) has a finished translation
    in every language, and the social workers' texts in the languages of their screens; a
    fuzzy translation does not count, nobody would see it."""
    found = {(m.context, m.id): m for m in _messages(lang)}
    missing = [
        _where(m)
        for m in _template()
        if needed(lang, m.context)
        and ((t := found.get((m.context, m.id))) is None or not t.string or t.fuzzy)
    ]
    assert not missing, f"{len(missing)} texts not translated into {lang}: {missing[:10]}"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_translations_keep_placeholders_numbers_urls_names_and_commands(lang: str) -> None:
    problems = []
    for m in _messages(lang):
        if not m.string:
            continue
        if Counter(PLACEHOLDER.findall(m.id)) != Counter(PLACEHOLDER.findall(m.string)):
            problems.append(f"placeholders differ: {_where(m)}")
        for pattern in (PHONE, URL, NAMES, COMMAND):
            for kept in set(pattern.findall(m.id)) - set(pattern.findall(m.string)):
                problems.append(f"{kept!r} is not in the translation of {_where(m)}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_translations_are_in_their_language(lang: str) -> None:
    """Arabic in Arabic script, Tigrinya in Ge'ez script; English not a copy of the Dutch
    (except where the Dutch is a name or the same word, such as "Menu")."""
    same_in_english = {"Menu", "DigiD", "Bot", "Details", "Flows", "Status", "Urgent"}
    same_in_english |= {"Tigrinya", "%(m)s min", "Team", "Teams", "Postcodes"}
    wrong = []
    for m in _messages(lang):
        if not m.string:
            continue
        if lang in SCRIPT and not SCRIPT[lang].search(m.string):
            wrong.append(_where(m))
        if lang == "en" and m.string == m.id and m.id not in same_in_english:
            wrong.append(_where(m))
    assert not wrong, f"not in {lang}: {wrong[:10]}"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_draft_marker_is_written_exactly(lang: str) -> None:
    """`buurtbot i18n status` counts drafts by this exact comment; a misspelt one would
    count a draft as reviewed."""
    wrong = [
        f"{c!r} at {_where(m)}"
        for m in _messages(lang)
        for c in m.user_comments
        if c.strip().lower().startswith("draft") and c.strip() != DRAFT_MARKER
    ]
    assert not wrong, "\n".join(wrong)


def test_dashboard_texts_for_residents_are_in_every_language() -> None:
    """The dashboard's own screens are Dutch or English, but what it sends to a resident is
    needed in every language."""
    texts = pytest.importorskip("bot.dashboard.texts")
    catalogs = Catalogs.load(LOCALES)
    for lang in TRANSLATED:
        assert catalogs.lookup(lang, texts.CLOSED, texts.CONTEXT), lang


@pytest.mark.parametrize(
    "msgid", [escalation.CRISIS_SUICIDE, escalation.CRISIS_VIOLENCE, escalation.OFF_DUTY]
)
def test_arabic_crisis_texts_show_the_numbers_left_to_right(msgid: str) -> None:
    catalogs = Catalogs.load(LOCALES)
    rendered = catalogs.render(Say(msgid, "escalation"), "ar")
    assert rendered.language == "ar"
    isolated = re.findall(rf"{FSI}([^{PDI}]*){PDI}", rendered.text)
    for number in PHONE.findall(msgid):
        assert any(number in PHONE.findall(run) for run in isolated), number
    # No digit outside an isolate.
    outside = re.sub(rf"{FSI}[^{PDI}]*{PDI}", "", rendered.text)
    assert not re.search(r"[0-9]", outside), outside
