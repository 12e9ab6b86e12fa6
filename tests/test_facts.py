"""Facts stated to residents come from a sourced, dated file in the repository: docs/facts.md.
The flows cite it, never a file outside the repository that a deployment does not have
(issue 18)."""

from __future__ import annotations

import re
from pathlib import Path

from bot import yamldoc
from bot.authoring.i18n_extract import flow_texts

ROOT = Path(__file__).resolve().parents[1]
FACTS = ROOT / "docs" / "facts.md"
CONTENT = [
    *sorted((ROOT / "flows").glob("*.yaml")),
    *sorted((ROOT / "flows" / "replies").glob("*.yaml")),
    ROOT / "bot" / "escalation.py",
]
SOURCE = re.compile(r"#\s*Source: (?P<file>\S+) (?P<section>[A-Z][A-Za-z]*(?: [a-z]+)?)")
PHONE = re.compile(r"\b0[89]00-?\d{4}\b|\b11[23]\b")


def _sections() -> list[str]:
    return [line[3:] for line in FACTS.read_text("utf-8").splitlines() if line.startswith("## ")]


def test_the_facts_file_is_in_the_repository_with_its_date():
    text = FACTS.read_text("utf-8")
    assert "Checked from public pages in November 2026" in text
    assert {"Help lines", "Debt", "Shelter"} <= set(_sections())
    assert any(s.startswith("Allowances") for s in _sections())


def test_no_content_cites_a_file_outside_the_repository():
    for path in [*CONTENT, ROOT / "docs" / "content.md"]:
        text = path.read_text("utf-8")
        assert "../shared" not in text and "shared/domain" not in text, path
        assert "FACTS.md" not in text, path


def test_every_source_comment_names_a_section_of_docs_facts():
    sections = _sections()
    cited = 0
    for path in CONTENT:
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            found = SOURCE.search(line)
            if not found:
                continue
            cited += 1
            where = f"{path.relative_to(ROOT)}:{number}"
            assert found["file"] == "docs/facts.md", where
            assert any(s.startswith(found["section"]) for s in sections), (where, found["section"])
    assert cited >= 40  # the flows cite their facts, one comment per fact


def test_every_phone_number_a_flow_gives_is_in_docs_facts():
    facts = FACTS.read_text("utf-8")
    for path in sorted((ROOT / "flows").glob("*.yaml")):
        doc, _ = yamldoc.read(path)
        if doc is None or not isinstance(doc.data, dict) or "flow" not in doc.data:
            continue
        for _, text, context in flow_texts(doc.data["flow"], doc.data):
            for number in PHONE.findall(text):
                assert number in facts, (path.name, context, number)
