"""The author tools in Dutch (the default), English behind BUURTBOT_AUTHOR_LANG or the locale
(issue 18)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.authoring import author_lang
from bot.cli import main
from bot.engine.loader import check

ROOT = Path(__file__).resolve().parents[2]
BROKEN = Path(__file__).parent / "broken_flows"


@pytest.mark.parametrize(
    ("environ", "lang"),
    [
        ({}, "nl"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "nl_NL.UTF-8"}, "nl"),
        ({"LANG": "C.UTF-8"}, "nl"),
        ({"LANG": "en_GB.UTF-8", "BUURTBOT_AUTHOR_LANG": "nl"}, "nl"),
        ({"LANG": "nl_NL.UTF-8", "BUURTBOT_AUTHOR_LANG": "en"}, "en"),
        ({"LC_ALL": "en_US.UTF-8", "LANG": "nl_NL.UTF-8"}, "en"),
    ],
)
def test_the_language_is_dutch_unless_english_is_asked_for(environ, lang):
    assert author_lang.language(environ) == lang


def test_validate_speaks_dutch(monkeypatch, capsys):
    monkeypatch.setenv("BUURTBOT_AUTHOR_LANG", "nl")
    case = BROKEN / "goto_unknown"
    assert main(["flows", "validate", str(case)]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        f"{case}/flow.yaml:16:11: fout: nodes.b.goto: geen flow 'sheltr' (bedoel je 'shelter'?)",
        f"{case}/flow.yaml:19:11: fout: nodes.c.goto: geen flow 'money_trouble' "
        "(controleer de regel 'flow:' van dat bestand)",
    ]
    assert "2 fout(en), 0 waarschuwing(en)" in err


def test_flows_test_with_broken_flows_speaks_dutch(monkeypatch, capsys, tmp_path: Path):
    import shutil

    monkeypatch.setenv("BUURTBOT_AUTHOR_LANG", "nl")
    flows = tmp_path / "flows"
    shutil.copytree(ROOT / "flows", flows)
    opvang = flows / "opvang.yaml"
    opvang.write_text(opvang.read_text("utf-8").replace("start: wanneer", "start: wanner"))
    assert main(["flows", "test", str(flows)]) == 2
    out, err = capsys.readouterr()
    assert "opvang.yaml:23:8: fout: start: geen node 'wanner' (bedoel je 'wanneer'?)" in out
    assert "geen enkele test kon draaien, want de flows hebben 1 fout(en)" in err


def test_every_message_of_the_broken_flow_examples_has_its_dutch():
    """Each fixture under tests/engine/broken_flows, in Dutch: no English left."""
    unknown = set()
    seen = 0
    for case in sorted(p for p in BROKEN.iterdir() if p.is_dir()):
        _, problems = check(case)
        for problem in problems:
            seen += 1
            if not author_lang.known(problem.message):
                unknown.add(problem.message)
    assert seen > 100
    assert sorted(unknown) == []


def test_the_indentation_advice_in_dutch():
    from bot import yamldoc

    _, problems = yamldoc.parse("flow: x\nnodes:\n  a:\n    say: Hoi\n      ask: Wat?\n", "f")
    assert author_lang.message(problems[0].message, "nl") == (
        "YAML: 'ask:' springt verder in dan 'say:' op regel 4 (6 spaties in plaats van 4); de "
        "sleutels van één node beginnen in dezelfde kolom (zet 'ask:' 2 naar links)"
    )


def test_a_quoted_example_keeps_its_quotes_without_backslashes():
    english = 'must be a text, not a number (put it in quotes if it is meant as text: "42")'
    assert author_lang.message(english, "nl") == (
        'moet een tekst zijn, geen getal (zet het tussen aanhalingstekens als het tekst is: "42")'
    )


CONDITIONS = [
    "a = 1", "a === 1", "a <> 1", "a =< 1", "a ≥ 1", "a && b", "!a", "a AND b", "a >=",
    "a and", "a and )", ">= 5", "1 < x < 3", "(a == 1", "a == 1)", "()", "(a == 1) == true",
    "a == 'x", "a-b == 1", "€5 > a", "a > 5%", "a > 1.000", "a > 5,000", "a > 12,5", "a > 5.",
    "a > .5", "a > ٥", "a + 1 > 2", "a == 1, b == 2", "a in x", "a b", "a @ b", "", "(" * 300,
]  # fmt: skip


@pytest.mark.parametrize("condition", CONDITIONS)
def test_every_condition_mistake_has_its_dutch(condition):
    from bot.engine import expr

    with pytest.raises(expr.ExprError) as raised:
        expr.parse(condition)
    assert author_lang.known(raised.value.message), raised.value.message


def test_a_condition_mistake_in_dutch():
    assert author_lang.message("use a '.' for decimals: write 12.5, not 12,5", "nl") == (
        "gebruik een '.' voor decimalen: schrijf 12.5, niet 12,5"
    )
