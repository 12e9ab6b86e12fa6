"""Loading and validating the phrase lists: every broken case in tests/risk/broken/ must
produce exactly the problems in its expected.txt, all in one run."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.risk import RiskListsInvalid, RiskModel, check, load

ROOT = Path(__file__).resolve().parents[2]
BROKEN = Path(__file__).parent / "broken"
CASES = sorted(p.name for p in BROKEN.iterdir() if p.is_dir())


@pytest.mark.parametrize("case", CASES)
def test_broken_lists_report_every_problem_with_its_place(case: str) -> None:
    folder = BROKEN / case
    expected = (folder / "expected.txt").read_text(encoding="utf-8").splitlines()
    wants_model = expected[:1] == ["model: yes"]
    model, problems = check(folder)
    shown = [str(p).replace(f"{folder}/", "").replace(str(folder), case) for p in problems]
    assert shown == expected[1:] if wants_model else shown == expected
    assert (model is not None) == wants_model


def test_load_raises_with_every_error() -> None:
    with pytest.raises(RiskListsInvalid) as raised:
        load(BROKEN / "bad_values")
    assert len(raised.value.problems) == 18
    assert "ar.yaml:5:7: error: suicide.urgent[1]: empty phrase" in str(raised.value)


def test_the_shipped_lists_load_without_problems() -> None:
    model, problems = check(ROOT / "flows" / "risk")
    assert problems == []
    assert isinstance(model, RiskModel)
    assert model.languages == ("ar", "en", "nl", "ti")
    assert model.phrase_count > 2000


def test_the_shipped_drafts_say_so() -> None:
    for language in ("ar", "ti"):
        text = (ROOT / "flows" / "risk" / f"{language}.yaml").read_text(encoding="utf-8")
        assert "status: draft" in text
        assert "MUST be" in text and "native" in text
