"""`buurtbot risk check`: one message per line in, one JSON object per line out."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main

ROOT = Path(__file__).resolve().parents[2]
BUURTBOT = Path(sys.executable).parent / "buurtbot"


def run(
    monkeypatch: pytest.MonkeyPatch, lines: str, *args: str, flows: Path = ROOT / "flows"
) -> tuple[int, list[dict], str]:
    monkeypatch.setenv("BUURTBOT_FLOWS_DIR", str(flows))
    monkeypatch.setattr(sys, "stdin", io.StringIO(lines))
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    code = main(["risk", "check", *args])
    return code, [json.loads(line) for line in out.getvalue().splitlines()], err.getvalue()


def test_one_object_per_line_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = "ik wil dood\n\nmijn telefoon is dood\nجوزي بيضربني\nik zie het niet meer zitten\n"
    code, out, _ = run(monkeypatch, lines)
    assert code == 0
    assert [o["text"] for o in out] == [
        "ik wil dood",
        "",
        "mijn telefoon is dood",
        "جوزي بيضربني",
        "ik zie het niet meer zitten",
    ]
    # "my husband is hitting me": the lists say high, the model reads violence now (urgent).
    assert [o["level"] for o in out] == ["urgent", "none", "none", "urgent", "check"]
    assert out[0]["categories"] == ["suicide"]
    assert out[1] == {
        "text": "",
        "level": "none",
        "categories": [],
        "matches": [],
        "source": None,
        "score": None,
    }
    match = out[0]["matches"][0]
    # Issue 13 added where each decision came from ("phrase" or "model") and the model's score.
    fields = {"phrase", "category", "level", "language", "start", "end", "source", "score"}
    assert set(match) == fields | {"harmless"}
    assert (match["category"], match["level"], match["language"]) == ("suicide", "urgent", "nl")
    assert (match["source"], out[0]["source"]) == ("phrase", "phrase")
    assert out[3]["matches"][0]["language"] == "ar"


def test_a_model_decision_names_its_sentence_source_and_score(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = (
        "Hallo, ik heb een vraag over de huurtoeslag. Sinds gisteren overnachten de kinderen "
        "en ik op de achterbank van de auto bij de sporthal. Moet ik een formulier invullen?"
    )
    _, (out,), _ = run(monkeypatch, text + "\n")
    assert out["level"] == "high" and out["categories"] == ["no_bed"]
    assert out["source"] == "model" and 0.5 <= out["score"] <= 1
    (match,) = out["matches"]
    assert match["source"] == "model" and match["score"] == out["score"]
    assert text[match["start"] : match["end"]] == match["phrase"]
    assert "overnachten de kinderen" in match["phrase"]


def test_text_is_kept_as_written_and_not_escaped(monkeypatch: pytest.MonkeyPatch) -> None:
    _, out, _ = run(monkeypatch, "ክሞት፡እየ 💊\r\n")
    assert out[0]["text"] == "ክሞት፡እየ 💊"  # \r\n line ends are not part of the text


def test_no_trailing_newline_still_gives_the_last_message(monkeypatch: pytest.MonkeyPatch) -> None:
    _, out, _ = run(monkeypatch, "a\nik wil dood")
    assert [o["level"] for o in out] == ["none", "urgent"]


def test_lang_prefers_that_language_when_lists_overlap(monkeypatch: pytest.MonkeyPatch) -> None:
    # "suicide" is in the nl and en lists: both match, the preferred one is printed.
    _, auto, _ = run(monkeypatch, "suicide\n")
    _, nl, _ = run(monkeypatch, "suicide\n", "--lang", "nl")
    _, en, _ = run(monkeypatch, "suicide\n", "--lang", "en")
    assert sorted(m["language"] for m in auto[0]["matches"]) == ["en", "nl"]
    assert [m["language"] for m in nl[0]["matches"]] == ["nl"]
    assert [m["language"] for m in en[0]["matches"]] == ["en"]
    # --lang never limits the lists: an Arabic message is found with --lang nl too.
    _, out, _ = run(monkeypatch, "بدي انتحر\n", "--lang", "nl")
    assert out[0]["level"] == "urgent"


def test_broken_lists_exit_2_with_errors_on_stderr(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "risk").mkdir()
    (tmp_path / "risk" / "nl.yaml").write_text("language: nl\nsuicide:\n  urgnt: [x]\n")
    code, out, err = run(monkeypatch, "ik wil dood\n", flows=tmp_path)
    assert code == 2
    assert out == []
    assert err.splitlines() == [
        f"{tmp_path}/risk/nl.yaml:3:3: error: suicide.urgnt: unknown level 'urgnt' "
        "(did you mean 'urgent'?); levels are urgent, high, check"
    ]


@pytest.mark.skipif(not BUURTBOT.exists(), reason="the buurtbot script is not installed")
def test_the_command_answers_each_line_before_the_next_arrives() -> None:
    env = {**os.environ, "BUURTBOT_FLOWS_DIR": str(ROOT / "flows")}
    with subprocess.Popen(
        [str(BUURTBOT), "risk", "check", "--lang", "auto"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    ) as proc:
        assert proc.stdin and proc.stdout
        try:
            for text, levels in [
                ("ik wil dood", {"urgent"}),
                ("hallo", {"none"}),
                (
                    "ሰብኣየ ይወቕዓኒ",
                    {"urgent", "high"},
                ),  # "my husband beats me": the model may say urgent
            ]:
                proc.stdin.write(text.encode() + b"\n")
                proc.stdin.flush()
                line = proc.stdout.readline()  # blocks until flushed: stdin is still open
                assert json.loads(line)["level"] in levels
            proc.stdin.write(b"bad \xff bytes\n")  # not UTF-8: replaced, not fatal
            proc.stdin.flush()
            assert json.loads(proc.stdout.readline())["text"] == "bad \ufffd bytes"
            proc.stdin.close()
            assert proc.wait(timeout=30) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
