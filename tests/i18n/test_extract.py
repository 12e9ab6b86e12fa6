"""Extraction: flow YAML and `N_` texts reach the template with the msgctxt the runtime uses,
their place and their translator comments; babel.cfg covers every module that marks texts."""

from __future__ import annotations

import ast
import io
from pathlib import Path

from babel.messages.extract import extract
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from bot.authoring.i18n_extract import COMMENT_TAGS, extract_all, extract_flows, extract_python
from bot.engine.events import ENGINE_CONTEXT

ROOT = Path(__file__).resolve().parents[2]
# babel.cfg's [extractors], as Babel resolves them
FLOWS = "bot.authoring.i18n_extract:extract_flows"
PYTHON = "bot.authoring.i18n_extract:extract_python"

SAMPLE_FLOW = """\
# Header of the file: not above a text, so not for translators.
flow: schuld
# Translators: the menu button of this flow.
title: Geldzorgen
start: vraag
nodes:
  vraag:
    # Source: FACTS.md, checked November 2026
    # Translators: keep "Geldfit".
    say: Geldfit helpt gratis, bel 0800-8115.
    ask: "Wat speelt er: {naam}?"

    options:
      # A button.
      - label: Ik heb achterstanden
        next: klaar
      - next: klaar
        label: |
          De deurwaarder
  klaar:
    say: >-
      Succes,
      tot ziens.
    end: true
  wissel:
    switch:
      - else: klaar
"""


def _flow_messages(text: str) -> list[tuple[int, str, list[str], str | None]]:
    return list(extract(extract_flows, io.BytesIO(text.encode()), comment_tags=COMMENT_TAGS))


def test_flow_texts_with_context_line_and_comments() -> None:
    assert _flow_messages(SAMPLE_FLOW) == [
        (4, "Geldzorgen", ["Translators: the menu button of this flow."], "schuld.title"),
        (
            10,
            "Geldfit helpt gratis, bel 0800-8115.",
            ["Source: FACTS.md, checked November 2026", 'Translators: keep "Geldfit".'],
            "schuld.vraag",
        ),
        (11, "Wat speelt er: {naam}?", [], "schuld.vraag"),  # a blank line cuts the comment off
        (15, "Ik heb achterstanden", ["A button."], "schuld.vraag"),
        (18, "De deurwaarder\n", [], "schuld.vraag"),
        (21, "Succes, tot ziens.", [], "schuld.klaar"),
    ]


def test_broken_or_foreign_yaml_gives_nothing() -> None:
    assert _flow_messages("flow: [unclosed\n") == []
    assert _flow_messages("tests:\n  - name: x\n") == []
    assert _flow_messages("flow: x\nnodes: 3\ntitle: 7\n") == []


def test_python_texts_get_the_context_of_their_section() -> None:
    source = b"""
from bot.engine.texts import N_

# Translators: shown after the last question.
DONE = N_("Klaar, " "tot ziens.")
OTHER = _("not ours")
"""
    found = list(
        extract(
            extract_python,
            io.BytesIO(source),
            comment_tags=COMMENT_TAGS,
            options={"context": "engine"},
        )
    )
    comment = "Translators: shown after the last question."
    assert found == [(5, "Klaar, tot ziens.", [comment], "engine")]


def _mapping() -> tuple[list[tuple[str, str]], dict[str, dict[str, str]]]:
    with (ROOT / "babel.cfg").open(encoding="utf-8") as f:
        return parse_mapping_cfg(f, "babel.cfg")


def _section(relative: str) -> tuple[str, dict[str, str]] | None:
    """(method, options) of the babel.cfg section that takes this file, as Babel picks it."""
    from babel.util import pathmatch

    method_map, options_map = _mapping()
    for pattern, method in method_map:
        if pathmatch(pattern, relative):
            options = next((o for p, o in options_map.items() if pathmatch(p, relative)), {})
            return method, options
    return None


def test_every_module_that_marks_texts_has_a_context() -> None:
    """A new module with `N_("...")` must get a section in babel.cfg, or its texts would
    silently never reach the translators."""
    marked = [
        p.relative_to(ROOT).as_posix() for p in sorted((ROOT / "bot").rglob("*.py")) if _marks(p)
    ]
    assert "bot/escalation.py" in marked
    for relative in marked:
        section = _section(relative)
        assert section is not None, f"{relative} marks texts with N_ but babel.cfg skips it"
        assert section[0] == PYTHON and section[1].get("context"), relative


def _marks(path: Path) -> bool:
    """Whether the module calls `N_("...")`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any(
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "N_"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        for node in ast.walk(tree)
    )


def _context_constant(relative: str) -> str | None:
    tree = ast.parse((ROOT / relative).read_text(encoding="utf-8"))
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "CONTEXT" for t in node.targets)
            and isinstance(node.value, ast.Constant)
        ):
            return node.value.value
    return None


def test_babel_cfg_contexts_are_the_ones_the_runtime_renders_with() -> None:
    expected = {
        "bot/engine/texts.py": ENGINE_CONTEXT,
        "bot/engine/answers.py": ENGINE_CONTEXT,
        "bot/escalation.py": "escalation",
    }
    for relative in (
        "bot/conversation/turn.py",
        "bot/i18n.py",
        "bot/channels/telegram/texts.py",
        "bot/conversation/privacy.py",
    ):
        if (ROOT / relative).exists():
            expected[relative] = _context_constant(relative)
    for relative, context in expected.items():
        assert context, relative
        section = _section(relative)
        assert section is not None and section[1]["context"] == context, relative


def test_only_flow_files_are_extracted_as_flows() -> None:
    assert _section("flows/geld.yaml") == (FLOWS, {})
    assert _section("flows/tests/geld.yaml") is None
    assert _section("flows/risk/ar.yaml") is None


def test_template_is_up_to_date_with_the_sources() -> None:
    """A text added or changed without `make messages` fails here."""
    with (ROOT / "locales" / "messages.pot").open("rb") as f:
        template = {(m.context, m.id) for m in read_po(f) if m.id}
    sources = {(context, msgid) for _, _, msgid, _, context in extract_all(ROOT)}
    new = sorted(sources - template)
    gone = sorted(template - sources)
    assert not new and not gone, (
        f"locales/messages.pot is out of date: run `make messages`.\n"
        f"not in the template: {new[:5]}\nno longer in the sources: {gone[:5]}"
    )
