"""Every shipped transcript test (flows/tests/*.yaml) in all four languages: in a language
other than Dutch every message the bot sends in the test, checked by a step or not, must really
be in that language, text and buttons."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.authoring.flowtest import _run_test
from bot.engine import load
from bot.engine.events import Say
from bot.i18n import LANGUAGES, SOURCE, Catalogs, Rendered, read_messages
from bot.yamldoc import Doc, read

ROOT = Path(__file__).resolve().parents[2]
FLOWS_DIR = ROOT / "flows"


def _shipped() -> list[tuple[Doc, int, str]]:
    tests = []
    for path in sorted((FLOWS_DIR / "tests").glob("*.y*ml")):
        doc, problems = read(path, display=str(path.relative_to(ROOT)))
        assert doc is not None and not problems, problems
        for i, test in enumerate(doc.data["tests"]):
            tests.append((doc, i, str(test.get("name") or i + 1)))
    return tests


SHIPPED = _shipped()


class Recording(Catalogs):
    """The shipped catalogs, keeping everything they render."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.rendered: list[tuple[Say, Rendered]] = []

    def render(self, say: Say, lang: str) -> Rendered:
        rendered = super().render(say, lang)
        self.rendered.append((say, rendered))
        return rendered


@pytest.fixture(scope="module")
def flows():
    return load(FLOWS_DIR)


@pytest.fixture(scope="module")
def messages():
    locales = ROOT / "locales"
    return {
        lang: read_messages(locales / lang / "LC_MESSAGES" / "messages.po")
        for lang in LANGUAGES
        if lang != SOURCE
    }


def test_there_are_transcript_tests() -> None:
    assert SHIPPED


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(
    ("doc", "index"),
    [(doc, i) for doc, i, _ in SHIPPED],
    ids=[f"{Path(doc.path).name}:{name}" for doc, _, name in SHIPPED],
)
def test_transcript_in_every_language(flows, messages, doc: Doc, index: int, lang: str) -> None:
    catalogs = Recording(messages)
    test = {**doc.data["tests"][index], "langs": [lang]}
    problems: list = []
    outcomes = _run_test(doc, ("tests", index), test, flows, catalogs, problems)
    assert not problems, problems
    assert [o.lang for o in outcomes] == [lang]
    failure = outcomes[0].failure
    assert failure is None, str(failure)
    other = [(say.context, say.msgid) for say, r in catalogs.rendered if r.language != lang]
    assert not other, f"not in {lang}: {other}"
