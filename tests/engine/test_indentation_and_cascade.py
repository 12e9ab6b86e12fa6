"""An author's indentation slip is reported on the line to fix, with advice about indentation
(not "put the text in quotes"); a broken file adds no false errors to other files (issue 18)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot import yamldoc
from bot.engine.loader import check

ROOT = Path(__file__).resolve().parents[2]
NODE = "flow: x\nnodes:\n  welkom:\n"


def _only(text: str) -> yamldoc.Problem:
    _, problems = yamldoc.parse(text, "f.yaml")
    assert len(problems) == 1, problems
    return problems[0]


@pytest.mark.parametrize(
    ("body", "line", "says"),
    [
        # the first key of a node indented too far: the lines below agree with each other
        (
            "      say: Hallo daar\n    ask: Wat?\n    next: b\n",
            4,
            "further (6 spaces) than the lines below it (4 spaces)",
        ),
        # a later key indented too far: PyYAML calls it a ':' in a text
        (
            "    say: Hallo daar\n      ask: Wat?\n    next: b\n",
            5,
            "'ask:' is indented further than 'say:' on line 4",
        ),
        (
            "    say: Hallo daar\n    ask: Wat?\n      next: b\n",
            6,
            "'next:' is indented further than 'ask:' on line 5",
        ),
        # a key indented too little
        (
            "    say: Hallo daar\n   ask: Wat?\n    next: b\n",
            5,
            "indented differently (3 spaces) from the line above it (4 spaces)",
        ),
    ],
)
def test_indentation_is_reported_on_the_line_to_fix(body: str, line: int, says: str):
    problem = _only(NODE + body)
    assert problem.line == line, str(problem)
    assert says in problem.message
    assert "quotes" not in problem.message


def test_an_answer_key_too_far_right_under_its_label():
    problem = _only(NODE + "    ask: Wat?\n    options:\n      - label: Ja\n         next: b\n")
    assert (problem.line, problem.col) == (7, 1)
    assert "'next:' is indented further than 'label:' on line 6 (9 spaces instead of 8)" in (
        problem.message
    )


def test_a_colon_inside_a_text_still_gets_the_quotes_advice():
    problem = _only(NODE + "    say: Let op: dit is zo\n    next: b\n")
    assert problem.line == 4 and "put the text in quotes" in problem.message


def test_a_broken_file_adds_no_false_error_to_other_files(tmp_path: Path):
    flows = tmp_path / "flows"
    shutil.copytree(ROOT / "flows", flows)
    geld = flows / "geld.yaml"
    lines = geld.read_text(encoding="utf-8").splitlines()
    first = next(i for i, text in enumerate(lines) if text.startswith("    say:"))
    lines[first] = "  " + lines[first]
    geld.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _, problems = check(flows)
    errors = [p for p in problems if p.severity == "error"]
    assert [(Path(p.path).name, p.line) for p in errors] == [("geld.yaml", first + 1)], errors
    assert not any("no flow 'geld'" in p.message for p in problems)


def test_a_flow_whose_nodes_are_wrong_adds_no_never_saved_errors_elsewhere(tmp_path: Path):
    """`toeslagen` goes to `geld`; with `geld` unreadable as a flow its gotos are trusted."""
    flows = tmp_path / "flows"
    shutil.copytree(ROOT / "flows", flows)
    geld = flows / "geld.yaml"
    geld.write_text(geld.read_text("utf-8").replace("nodes:\n", "nodes: [\n", 1) + "]\n", "utf-8")
    _, problems = check(flows)
    others = [p for p in problems if p.severity == "error" and "geld.yaml" not in p.path]
    assert others == []
