"""The flow loader: valid flows become the model; every broken flow gives exactly the problems
written in its `# expect:` lines (see broken_flows/)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.cli import main
from bot.engine.errors import FlowSetInvalid
from bot.engine.expr import Expr
from bot.engine.loader import check, load
from bot.engine.model import Case, Escalation, Flow, FlowSet, Node, Option, Pos

HERE = Path(__file__).parent
VALID = HERE / "valid_flows"
BROKEN = HERE / "broken_flows"
CASES = sorted(p.name for p in BROKEN.iterdir() if p.is_dir())
EXPECT = "# expect: "


def expected(case: Path) -> dict[str, set[str]]:
    """File name -> the problem lines its `# expect:` comments promise (without the path)."""
    lines = {}
    for path in sorted(case.glob("*.y*ml")):
        text = path.read_text(encoding="utf-8")
        promised = {
            line[len(EXPECT) :].replace("{dir}", str(case))
            for line in text.splitlines()
            if line.startswith(EXPECT)
        }
        if promised:
            lines[path.name] = promised
    return lines


def found(case: Path) -> dict[str, set[str]]:
    flows, problems = check(case)
    assert (flows is None) == any(p.severity == "error" for p in problems)
    lines: dict[str, set[str]] = {}
    for problem in problems:
        assert problem.path.startswith(str(case))
        name = Path(problem.path).name
        lines.setdefault(name, set()).add(str(problem)[len(problem.path) + 1 :])
    return lines


@pytest.mark.parametrize("case", CASES)
def test_broken_flow_gives_exactly_the_expected_problems(case: str) -> None:
    assert found(BROKEN / case) == expected(BROKEN / case)


def test_every_broken_case_promises_something() -> None:
    assert len(CASES) >= 20
    for case in CASES:
        assert expected(BROKEN / case), f"{case} has no '# expect:' lines"


def test_all_problems_of_a_file_come_out_in_one_run() -> None:
    _, problems = check(BROKEN / "questions")
    errors = [p for p in problems if p.severity == "error"]
    assert len(errors) == 11
    assert len({p.line for p in errors}) == 11  # from all over the file
    wheres = {p.where for p in errors}
    assert {"nodes.a.next", "nodes.b", "nodes.c.goto", "nodes.d.options", "nodes.e"} <= wheres


def test_problems_of_every_file_come_out_in_one_run() -> None:
    """A YAML syntax error in one file does not hide the problems of the others."""
    _, problems = check(BROKEN / "yaml_syntax")
    assert {Path(p.path).name for p in problems} == {"flow.yaml", "other.yaml"}


def test_paths_are_shown_as_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(HERE)
    _, problems = check("broken_flows/start_unknown")
    assert [str(p) for p in problems] == [
        "broken_flows/start_unknown/flow.yaml:4:8: error: start: no node 'welcom' "
        "(did you mean 'welcome'?)"
    ]


# --- valid flows ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def flows() -> FlowSet:
    return load(VALID)


def test_valid_flows_have_no_problems() -> None:
    flows, problems = check(VALID)
    assert problems == []
    assert flows is not None
    assert sorted(flows.flows) == ["allowance", "debt", "shelter"]


def test_flow_fields(flows: FlowSet) -> None:
    debt = flows.flows["debt"]
    assert isinstance(debt, Flow)
    assert (debt.id, debt.title, debt.start, debt.menu) == (
        "debt",
        "Geldzorgen en schulden",
        "situation",
        2,
    )
    assert debt.path == str(VALID / "debt.yaml")
    assert list(debt.nodes) == [
        "situation",
        "arrears",
        "amount",
        "route",
        "bailiff",
        "gemeente",
        "self_help",
    ]
    assert flows.flows["allowance"].title is None
    assert [f.id for f in flows.menu()] == ["shelter", "debt"]


def test_question_with_options(flows: FlowSet) -> None:
    node = flows.node("debt", "situation")
    assert node == Node(
        id="situation",
        flow="debt",
        ask="Wat speelt er?",
        options=(
            Option("Ik heb achterstanden", "arrears"),
            Option("De deurwaarder staat voor de deur", "bailiff"),
        ),
    )
    assert node.pos == Pos(str(VALID / "debt.yaml"), 7, 3)
    assert node.options[1].pos == Pos(str(VALID / "debt.yaml"), 12, 9)
    assert node.waits and node.context == "debt.situation"


def test_option_values_and_say_before_ask(flows: FlowSet) -> None:
    node = flows.node("allowance", "intro")
    assert node.say == "Ik stel je een paar vragen over toeslagen."
    assert node.ask == "Voor welke toeslag kom je?"
    assert node.save == "allowance"
    assert node.input is None
    assert [(o.label, o.value) for o in node.options] == [
        ("Huurtoeslag", "rent"),
        ("Zorgtoeslag", "care"),
        ("Weet ik niet", None),
    ]


def test_typed_questions(flows: FlowSet) -> None:
    amount = flows.node("debt", "amount")
    assert (amount.input, amount.save, amount.next, amount.options) == (
        "number",
        "debt_total",
        "route",
        (),
    )
    assert flows.node("allowance", "name").input == "text"  # the default
    inputs = {n.input for f in flows.flows.values() for n in f.nodes.values() if n.input}
    assert inputs == {"text", "number", "yes_no", "date", "postcode"}


def test_switch(flows: FlowSet) -> None:
    node = flows.node("debt", "route")
    assert node is not None and not node.waits
    first, other = node.switch
    assert isinstance(first, Case) and isinstance(first.expr, Expr)
    assert (first.source, first.next) == ("debt_total >= 5000", "gemeente")
    assert first.expr.names == frozenset({"debt_total"})
    assert first.pos == Pos(str(VALID / "debt.yaml"), 24, 9)
    assert (other.expr, other.source, other.next) == (None, None, "self_help")
    assert (node.say, node.ask, node.next) == (None, None, None)


def test_ways_on(flows: FlowSet) -> None:
    bailiff = flows.node("debt", "bailiff")
    assert bailiff.escalate == Escalation("high", "eviction_or_seizure")
    assert (bailiff.next, bailiff.end, bailiff.goto) == (None, False, None)
    gemeente = flows.node("debt", "gemeente")
    assert (gemeente.goto, gemeente.next, gemeente.end) == ("shelter", None, False)
    assert flows.node("debt", "self_help").end is True
    urgent = flows.node("shelter", "urgent")
    assert (urgent.escalate, urgent.next) == (Escalation("urgent", "no_shelter_tonight"), "wait")
    unsure = flows.node("allowance", "unsure")
    assert unsure.escalate is not None and unsure.end is True


# --- the folder ---------------------------------------------------------------------------------


def test_load_raises_with_every_problem() -> None:
    with pytest.raises(FlowSetInvalid) as caught:
        load(BROKEN / "switch")
    assert len(caught.value.problems) == 11
    assert "nodes.b.switch: no '- else:' item" in str(caught.value)


def test_only_yaml_files_directly_in_the_folder(tmp_path: Path) -> None:
    shutil.copytree(VALID, tmp_path / "flows")
    (tmp_path / "flows" / "debt.yaml").rename(tmp_path / "flows" / "debt.yml")
    for sub in ("tests", "risk"):
        (tmp_path / "flows" / sub).mkdir()
        (tmp_path / "flows" / sub / "x.yaml").write_text("not: [a flow\n")
    (tmp_path / "flows" / "notes.txt").write_text("flow: [\n")
    flows, problems = check(tmp_path / "flows")
    assert problems == []
    assert flows is not None and sorted(flows.flows) == ["allowance", "debt", "shelter"]


def test_missing_or_empty_folder(tmp_path: Path) -> None:
    assert [str(p) for p in check(tmp_path / "nope")[1]] == [
        f"{tmp_path / 'nope'}:1:1: error: no such folder (check the path)"
    ]
    assert [str(p) for p in check(tmp_path)[1]] == [
        f"{tmp_path}:1:1: error: no flow files here (a flow is a file ending in .yaml)"
    ]


def test_not_utf8(tmp_path: Path) -> None:
    shutil.copytree(VALID, tmp_path / "flows")
    (tmp_path / "flows" / "latin.yaml").write_bytes("flow: caf\xe9\n".encode("latin-1"))
    flows, problems = check(tmp_path / "flows")
    assert flows is None
    assert [(Path(p.path).name, p.severity) for p in problems] == [("latin.yaml", "error")]


# --- the command --------------------------------------------------------------------------------


def test_cli_reports_errors_and_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    case = BROKEN / "goto_unknown"
    assert main(["flows", "validate", str(case)]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        f"{case}/flow.yaml:16:11: error: nodes.b.goto: no flow 'sheltr' (did you mean 'shelter'?)",
        f"{case}/flow.yaml:19:11: error: nodes.c.goto: no flow 'money_trouble' "
        "(check the 'flow:' line of that file)",
    ]
    assert "2 error(s), 0 warning(s)" in err


def test_cli_exits_0_with_warnings_only(capsys: pytest.CaptureFixture[str]) -> None:
    case = BROKEN / "long_texts"
    assert main(["flows", "validate", str(case)]) == 0
    out, _ = capsys.readouterr()
    # These test flows were never translated: one warning says so (tests/i18n has those).
    lines = [line for line in out.splitlines() if "has no translations yet" not in line]
    assert len(lines) == 3 and all(": warning: " in line for line in lines)
    assert lines[0] == (
        f"{case}/flow.yaml:6:1: warning: menu: has no effect without 'title' "
        "(add a title, or remove 'menu')"
    )


def test_cli_exits_0_on_valid_flows(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["flows", "validate", str(VALID)]) == 0
    out, err = capsys.readouterr()
    # The test flows were never translated: one warning per file says so, nothing else.
    assert all("has no translations yet (ar, ti, en" in line for line in out.splitlines())
    assert "0 error(s)" in err
