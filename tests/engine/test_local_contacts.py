"""Local contacts (flows/local.yaml, bot/engine/local.py): flows refer to them by name, a name
the file lacks is an error at the text that uses it, and the shipped file is an example that
`flows validate` warns about until a team fills it in."""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.cli import main
from bot.engine import Say, Text, check, load, resume, start
from bot.engine.inputs import Env

ROOT = Path(__file__).resolve().parents[2]


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "flows"
    shutil.copytree(ROOT / "flows", target)
    return target


def test_a_reference_the_local_file_lacks_fails_validation_with_its_position(tmp_path, capsys):
    flows = _copy(tmp_path)
    path = flows / "local.yaml"
    path.write_text(path.read_text().replace("  opvang_nacht:", "  opvang_nachten:"))
    assert main(["flows", "validate", str(flows)]) == 1
    out = capsys.readouterr().out
    lines = (flows / "opvang.yaml").read_text().splitlines()
    row = next(
        i for i, line in enumerate(lines, 1) if "say:" in line and "{lokaal.opvang_nacht}" in line
    )
    col = lines[row - 1].index("{lokaal.opvang_nacht}") + 1
    assert (
        f"{flows}/opvang.yaml:{row}:{col}: error: nodes.vannacht_nacht.say: no local contact "
        "'opvang_nacht' in local.yaml" in out
    )


def test_the_example_file_warns_until_it_is_filled_in(tmp_path, capsys):
    flows = _copy(tmp_path)
    assert main(["flows", "validate", str(flows)]) == 0
    assert "local.yaml:18:1: warning: example: these local contacts are an EXAMPLE" in (
        capsys.readouterr().out
    )
    text = (flows / "local.yaml").read_text()
    assert "VOORBEELD - MOET INGEVULD WORDEN" in text
    (flows / "local.yaml").write_text(text.replace("example: true", "example: false"))
    _, problems = check(flows)
    assert not [p for p in problems if "local.yaml" in p.path]


def test_at_night_the_no_bed_path_gives_the_night_number_and_promises_no_worker_tonight():
    flows = load(ROOT / "flows")
    night = Env(on_duty=lambda: False)
    state, _ = start(flows, None, env=night)
    said: list[Say] = []
    for typed in ("Een slaapplek", "Vannacht", "Ik heb kinderen bij me", "Nee"):
        state, events = resume(flows, state, Text(typed), env=night)
        said += [e for e in events if isinstance(e, Say)]
    texts = [s.msgid for s in said]
    night_line = next(s for s in said if "{lokaal.opvang_nacht}" in s.msgid)
    assert night_line.params["lokaal.opvang_nacht"] == flows.local["opvang_nacht"]
    assert "[" in flows.local["opvang_nacht"]  # the example: clearly a placeholder
    assert not any("met je mee te zoeken naar een plek voor vannacht" in t for t in texts)
