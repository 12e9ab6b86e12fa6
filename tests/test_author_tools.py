"""The flow author's tools: transcript tests, the Mermaid graph and the terminal chat."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from bot.authoring.flowtest import run_directory
from bot.channels.terminal import run as chat
from bot.cli import main
from bot.config import Config

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def flows_copy(tmp_path: Path) -> Path:
    target = tmp_path / "flows"
    shutil.copytree(ROOT / "flows", target)
    return target


def test_shipped_transcript_tests_pass():
    outcomes, problems = run_directory(ROOT / "flows", ROOT / "locales")
    assert not problems
    assert outcomes and all(o.passed for o in outcomes), [str(o.failure) for o in outcomes]


def test_a_failing_step_names_file_line_and_what_the_bot_said(flows_copy: Path):
    (flows_copy / "tests" / "broken.yaml").write_text(
        "tests:\n"
        "  - name: verkeerde tekst\n"
        "    steps:\n"
        "      - press: Toeslagen (geld van de overheid)\n"
        "      - bot: Welkom bij de gemeente\n",
        encoding="utf-8",
    )
    outcomes, problems = run_directory(flows_copy, ROOT / "locales")
    failed = [o for o in outcomes if not o.passed]
    assert len(failed) == 1 and not problems
    message = str(failed[0].failure)
    assert message.startswith(f"{flows_copy}/tests/broken.yaml:5:14: error: tests[1].steps[2].bot:")
    assert "Welkom bij de gemeente" in message and "Waar gaat je vraag over?" in message


def test_pressing_a_button_that_is_not_there(flows_copy: Path):
    (flows_copy / "tests" / "broken.yaml").write_text(
        "tests:\n  - name: x\n    steps:\n      - press: Bestaat niet\n", encoding="utf-8"
    )
    outcomes, _ = run_directory(flows_copy, ROOT / "locales")
    failure = next(o.failure for o in outcomes if o.failure)
    assert failure.line == 4 and "no button 'Bestaat niet'" in failure.message
    assert "'Toeslagen (geld van de overheid)'" in failure.message


def test_a_broken_test_file_is_reported_not_run(flows_copy: Path):
    (flows_copy / "tests" / "broken.yaml").write_text(
        "tests:\n  - name: x\n    stappen: []\n", encoding="utf-8"
    )
    _, problems = run_directory(flows_copy, ROOT / "locales")
    assert any(p.line == 2 and "steps" in p.message for p in problems)


def test_unknown_step_kind(flows_copy: Path):
    (flows_copy / "tests" / "broken.yaml").write_text(
        "tests:\n  - name: x\n    steps:\n      - zeg: hallo\n", encoding="utf-8"
    )
    outcomes, _ = run_directory(flows_copy, ROOT / "locales")
    failure = next(o.failure for o in outcomes if o.failure)
    assert failure.line == 4 and "unknown step 'zeg'" in failure.message


def test_flows_test_command_exit_codes(flows_copy: Path, capsys):
    outcomes, _ = run_directory(flows_copy, ROOT / "locales")
    assert main(["flows", "test", str(flows_copy)]) == 0
    assert f"{len(outcomes)} passed, 0 failed" in capsys.readouterr().err
    (flows_copy / "tests" / "broken.yaml").write_text(
        "tests:\n  - name: x\n    steps:\n      - bot: niet gezegd\n", encoding="utf-8"
    )
    assert main(["flows", "test", str(flows_copy)]) == 1
    assert "broken.yaml:4:" in capsys.readouterr().out


TEST_FLOWS = ROOT / "tests" / "engine" / "runtime_flows"


def test_graph_is_mermaid_with_every_edge(capsys):
    assert main(["flows", "graph", "geld", "--dir", str(TEST_FLOWS)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("flowchart TD")
    assert 'n_situation -- "Ik heb achterstanden" --> n_arrears' in out
    assert 'n_route -- "debt_total >= 5000" --> n_gemeente' in out
    assert 'n_route -- "anders" --> n_self_help' in out
    assert 'n_gemeente -.-> flow_n_opvang(["flow opvang"])' in out
    assert "esc_bailiff" in out and "n_self_help --> done((einde))" in out


def test_graph_of_an_unknown_flow(capsys):
    assert main(["flows", "graph", "gel", "--dir", str(TEST_FLOWS)]) == 1
    assert "no flow 'gel' (flows: geld, opvang)" in capsys.readouterr().err


def test_terminal_chat_walks_a_flow_through_the_database(tmp_path: Path):
    flows = tmp_path / "flows"
    shutil.copytree(TEST_FLOWS, flows)
    shutil.copytree(ROOT / "flows" / "risk", flows / "risk")
    config = Config(database_url=f"sqlite:///{tmp_path / 'chat.db'}", flows_dir=flows)
    out = io.StringIO()
    assert chat(config, "nl", io.StringIO("1\nIk heb achterstanden\n7500\n2\n/quit\n"), out) == 0
    text = out.getvalue()
    assert "geen mens" in text and "[1] Geldzorgen en schulden" in text
    assert "Je bent niet de enige." in text
    assert "Bij 7.500 euro kan de gemeente helpen." in text  # the number, formatted
    assert "Ik zoek een mens voor je." in text  # "2" pressed "Nee" to "Heb je vannacht …?"


def test_terminal_chat_refuses_an_unknown_language(tmp_path: Path, capsys):
    assert chat(Config(database_url=f"sqlite:///{tmp_path / 'c.db'}"), "fr") == 2
    assert "unknown language 'fr'" in capsys.readouterr().err


def test_validate_checks_the_risk_lists_too(flows_copy: Path, capsys):
    (flows_copy / "risk" / "zz.yaml").write_text(
        "language: nl\nstatus: draft\nsuicide:\n  urgnt:\n    - x\n", encoding="utf-8"
    )
    assert main(["flows", "validate", str(flows_copy)]) == 1
    out = capsys.readouterr().out
    assert f"{flows_copy}/risk/zz.yaml:4:3: error: suicide.urgnt: unknown level 'urgnt'" in out


def test_flows_test_with_broken_flows_says_no_test_ran_and_fails(flows_copy: Path, capsys):
    """Not "0 passed, 0 failed" with exit 0: the flows are broken, so nothing could run."""
    broken = flows_copy / "opvang.yaml"
    broken.write_text(broken.read_text("utf-8").replace("start: wanneer", "start: wanner"), "utf-8")
    code = main(["flows", "test", str(flows_copy)])
    out, err = capsys.readouterr()
    assert code == 2
    assert "opvang.yaml:23:8: error: start: no node 'wanner'" in out
    assert "no test could run, because the flows have 1 error(s)" in err
    assert "0 passed" not in err + out
