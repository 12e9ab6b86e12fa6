"""Canned replies in YAML: the shipped files load without errors, and every mistake an author
can make is reported with file, line and column, all in one run."""

from __future__ import annotations

from pathlib import Path

from bot.dashboard import replies

ROOT = Path(__file__).resolve().parents[2]


def problems_of(tmp_path: Path, **files: str) -> list[str]:
    folder = tmp_path / "replies"
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    _, found = replies.check(folder)
    return [str(p).replace(f"{folder}/", "") for p in found if p.severity == "error"]


def test_the_shipped_replies_have_no_errors():
    loaded = replies.load(ROOT / "flows" / "replies")
    assert [p for p in loaded.problems if p.severity == "error"] == []
    assert len(loaded.replies) >= 5
    assert all("nl" in r.texts for r in loaded.replies)


def test_a_reply_falls_back_along_the_language_chain():
    loaded = replies.load(ROOT / "flows" / "replies")
    offers = {o.reply.id: o for o in loaded.for_language("ti")}
    assert offers["kennismaken"].language == "ti" and offers["kennismaken"].draft
    assert offers["geldfit"].language == "en"  # no Tigrinya yet: English, then Dutch
    assert {o.language for o in loaded.for_language("nl")} == {"nl"}


def test_every_mistake_with_its_place(tmp_path):
    found = problems_of(
        tmp_path,
        a="""replies:
  - id: hallo
    title: Hallo
    text:
      nl: Hallo!
      fr: Salut
      en: ""
  - id: Hallo Daar
    titel: Fout
    text:
      en: Hi
  - id: hallo
    title: Dubbel
    text:
      nl: "Hoi {naam}"
    draft: [ar]
""",
        b="replies:\n  - id: x\n   title: kapot\n",
    )
    assert found == [
        "a.yaml:6:7: error: replies[1].text.fr: unknown language 'fr' (languages: nl, ar, ti, en)",
        "a.yaml:7:11: error: replies[1].text.en: the text is empty",
        "a.yaml:8:5: error: replies[2]: 'title' is required",
        "a.yaml:8:9: error: replies[2].id: 'Hallo Daar' cannot be an id: use lowercase "
        "letters, digits and _ (e.g. kennismaken)",
        "a.yaml:9:5: error: replies[2].titel: unknown key 'titel' (did you mean 'title'?) "
        "(allowed: id, title, text, draft)",
        "a.yaml:10:5: error: replies[2].text: a Dutch text ('nl:') is required",
        "a.yaml:15:11: error: replies[3].text.nl: '{' and '}' are not allowed: canned replies "
        "have no placeholders",
        "a.yaml:16:13: error: replies[3].draft[1]: there is no 'ar:' text",
        "b.yaml:3:4: error: YAML syntax: this line is indented differently (3 spaces) from the "
        "line above it (4 spaces); keys of one node must start in the same column",
    ]


def test_a_duplicate_id_across_files_names_the_first(tmp_path):
    one = "replies:\n  - id: hallo\n    title: Hallo\n    text:\n      nl: Hallo\n"
    found = problems_of(tmp_path, a=one, b=one)
    assert found == [
        "b.yaml:2:5: error: replies[1].id: there is already a reply 'hallo' (at a.yaml:2); "
        "give this one another id"
    ]


def test_missing_translations_are_warnings(tmp_path):
    folder = tmp_path / "replies"
    folder.mkdir()
    (folder / "a.yaml").write_text(
        "replies:\n  - id: hallo\n    title: Hallo\n    text:\n      nl: Hallo\n",
        encoding="utf-8",
    )
    loaded = replies.load(folder)
    assert [r.id for r in loaded.replies] == ["hallo"]
    warnings = [str(p) for p in loaded.problems]
    assert len(warnings) == 3 and all(": warning: " in w for w in warnings)
