"""Matching: word boundaries, guards, combinations, clitics, sentences, offsets, levels."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from bot.risk import Assessment, RiskModel, assess, load

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = load(ROOT / "flows" / "risk")


def lists(tmp_path: Path, **files: str) -> RiskModel:
    for language, body in files.items():
        text = f"language: {language}\n" + textwrap.dedent(body)
        (tmp_path / f"{language}.yaml").write_text(text, encoding="utf-8")
    return load(tmp_path)


def found(result: Assessment, text: str) -> list[str]:
    """What the resident wrote, for each match."""
    return [text[m.start : m.end] for m in result.matches]


# --- word boundaries and spelling --------------------------------------------------------


@pytest.fixture
def dutch(tmp_path: Path) -> RiskModel:
    return lists(
        tmp_path,
        nl="""
        violence:
          high:
            - sla
        suicide:
          urgent:
            - zelfmoord
            - deurwaarder*
        """,
    )


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("hij sla mij", "high"),
        ("ik ga het opslaan", "none"),  # inside a word
        ("slaap lekker", "none"),
        ("SLA!", "high"),
        ("zelfmoord", "urgent"),
        ("zelf moord", "urgent"),  # spaces inside a phrase do not matter
        ("zelf-moord", "urgent"),
        ("Zelfmoordd", "urgent"),  # repeated letters
        ("zelfmoordpoging", "none"),  # no `*`: the word may not go on
        ("deurwaardersbrief", "urgent"),  # `*`: it may
    ],
)
def test_word_boundaries(dutch: RiskModel, text: str, level: str) -> None:
    assert assess(dutch, text).level == level


def test_offsets_are_into_the_original_text(dutch: RiskModel) -> None:
    text = "Ik   wil... ZELF-MOOOORD!!"
    result = assess(dutch, text)
    assert found(result, text) == ["ZELF-MOOOORD"]
    assert result.matches[0].phrase == "zelfmoord"


def test_a_script_change_inside_a_word_is_a_boundary(tmp_path: Path) -> None:
    model = lists(tmp_path, nl="acute_debt:\n  high:\n    - deurwaarder\n")
    text = "اجا الdeurwaarder عالبيت"
    assert found(assess(model, text), text) == ["deurwaarder"]


# --- guards ------------------------------------------------------------------------------


@pytest.fixture
def guarded(tmp_path: Path) -> RiskModel:
    return lists(
        tmp_path,
        nl="""
        not:
          - telefoon is dood
          - dood van het lachen
        suicide:
          urgent:
            - all: [[wil], [dood]]
              within: 2
          check:
            - phrase: ik ga dood
              not: [ga dood van de honger]
        """,
    )


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("mijn telefoon is dood", "none"),
        ("ik lag dood van het lachen", "none"),
        ("ik ga dood", "check"),
        ("ik ga dood van de honger", "none"),
        ("ik wil dood", "urgent"),
        ("ik wil dood van het lachen", "none"),  # the guard covers the only "dood"
        # A guard only cancels what it overlaps: the second "dood" still counts.
        ("mijn telefoon is dood en ik wil dood", "urgent"),
    ],
)
def test_guards_cancel_only_what_they_overlap(guarded: RiskModel, text: str, level: str) -> None:
    assert assess(guarded, text).level == level


# --- combinations ------------------------------------------------------------------------


@pytest.fixture
def pills(tmp_path: Path) -> RiskModel:
    return lists(
        tmp_path,
        nl="""
        suicide:
          urgent:
            - all: [[alle, al mijn, "30"], [pillen, tabletten, 💊]]
              within: 2
          check:
            - all: [[💊], [💊], [💊]]
        """,
    )


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("ik ben mijn pillen vergeten", "none"),  # one part only
        ("ik neem alle pillen", "urgent"),
        ("pillen, ik neem ze alle", "none"),  # "ze" and "ik neem": 3 words between
        ("pillen? alle", "none"),  # another sentence
        ("alle pillen", "urgent"),
        ("al mijn slaap pillen", "urgent"),
        ("ik heb 50 pillen genomen", "urgent"),  # any number of 2+ digits
        ("ik heb 2 pillen genomen", "none"),
        ("٣٠ 💊", "urgent"),  # Arabic-Indic digits, emoji
        ("💊💊", "none"),
        ("💊💊💊", "check"),  # three different words needed
        ("alle tabletten tabletten", "urgent"),
    ],
)
def test_combinations(pills: RiskModel, text: str, level: str) -> None:
    assert assess(pills, text).level == level


def test_a_combination_reports_its_parts_and_span(pills: RiskModel) -> None:
    text = "vanavond neem ik al mijn   pillen in"
    (match,) = assess(pills, text).matches
    assert match.phrase == "al mijn + pillen"
    assert text[match.start : match.end] == "al mijn   pillen"


def test_a_long_message_full_of_a_generic_part_still_finds_the_pair(tmp_path: Path) -> None:
    model = lists(tmp_path, nl="violence:\n  urgent:\n    - all: [[me], [vermoorden]]\n")
    text = "hij belt me, " * 60 + "en nu zegt hij dat hij me gaat vermoorden"
    result = assess(model, text)
    assert result.level == "urgent"
    assert found(result, text) == ["me gaat vermoorden"]


def test_parts_may_come_in_any_order(tmp_path: Path) -> None:
    model = lists(tmp_path, ti="suicide:\n  urgent:\n    - all: [[ኩሉ], [ከኒና*]]\n")
    assert assess(model, "ኩሉ ከኒናታት ውሒጠ").level == "urgent"
    assert assess(model, "ከኒናይ ኩሉ ወሲደ").level == "urgent"


def test_within_leaves_out_means_anywhere_in_the_sentence(tmp_path: Path) -> None:
    model = lists(tmp_path, en="suicide:\n  urgent:\n    - all: [[rope], [ready]]\n")
    assert assess(model, "the rope is in the shed and it is ready").level == "urgent"
    assert assess(model, "the rope is in the shed. dinner is ready").level == "none"


# --- clitics -----------------------------------------------------------------------------


@pytest.fixture
def arabic(tmp_path: Path) -> RiskModel:
    return lists(
        tmp_path,
        ar="""
        suicide:
          high:
            - انتحار
          urgent:
            - all: [[اشرب], [سم]]
        violence:
          high:
            - يضرب
        """,
    )


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("الانتحار", "high"),  # article
        ("بالانتحار", "high"),  # preposition + article
        ("والانتحار", "high"),  # conjunction + article
        ("وبالانتحار", "high"),
        ("للانتحار", "high"),  # لـ + الـ
        ("انتحاري", "high"),  # pronoun ending
        ("مانتحار", "none"),  # م is not a clitic
        ("انتحارات", "none"),  # ات is not an allowed ending
        ("بدي اشرب سم", "urgent"),
        ("بسم الله", "none"),  # two letters never match inside a word
        ("اشرب سمك", "none"),
        ("يضربني", "high"),  # ـني
        ("ما بيضربش", "high"),  # بـ in front, ـش behind
    ],
)
def test_arabic_clitics(arabic: RiskModel, text: str, level: str) -> None:
    assert assess(arabic, text).level == level


def test_arabic_offsets_leave_the_clitic_out(arabic: RiskModel) -> None:
    text = "بفكر بالانتحار"
    assert found(assess(arabic, text), text) == ["انتحار"]


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("ገዛ የብለይን", "high"),
        ("ገዛና የብልናን", "high"),  # possessive -ና on a two-syllable word
        ("ንገዛ", "high"),  # ን- in front
        ("ገዛእ", "none"),  # not a clitic
    ],
)
def test_geez_clitics(tmp_path: Path, text: str, level: str) -> None:
    model = lists(tmp_path, ti="no_bed:\n  high:\n    - ገዛ\n")
    assert assess(model, text).level == level


# --- levels, categories, languages -------------------------------------------------------


def test_level_is_the_highest_and_categories_by_seriousness(tmp_path: Path) -> None:
    model = lists(
        tmp_path,
        nl="""
        acute_debt:
          high:
            - deurwaarder
        suicide:
          check:
            - ik kan niet meer
          urgent:
            - ik wil dood
        """,
    )
    result = assess(model, "ik kan niet meer, de deurwaarder komt en ik wil dood")
    assert result.level == "urgent"
    assert result.categories == ("suicide", "acute_debt")
    assert [m.level for m in result.matches] == ["check", "high", "urgent"]  # by position
    assert result.escalates


def test_every_language_is_checked_at_once(tmp_path: Path) -> None:
    model = lists(
        tmp_path,
        nl="suicide:\n  urgent:\n    - ik wil dood\n",
        ar="suicide:\n  urgent:\n    - بدي موت\n",
    )
    result = assess(model, "ik wil dood بدي موت")
    assert sorted(m.language for m in result.matches) == ["ar", "nl"]


def test_nothing_found(dutch: RiskModel) -> None:
    result = assess(dutch, "hoe vraag ik huurtoeslag aan?")
    assert (result.level, result.categories, result.matches) == ("none", (), ())
    assert not result.escalates


def test_the_model_is_immutable(dutch: RiskModel) -> None:
    with pytest.raises(AttributeError):
        dutch._rules = ()  # type: ignore[misc]


# --- the shipped lists: the cases the brief names ----------------------------------------


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("ik zie het niet meer zitten", "check"),
        ("I can't go on", "check"),
        ("ik ben het zat", "check"),
        ("مش قادر أكمل", "check"),
        ("ik ben mijn pillen vergeten", "none"),
        ("ik ga alle pillen innemen", "urgent"),
        ("ik heb 30 pillen genomen", "urgent"),
        ("💊💊💊 alle tabletten", "urgent"),
        ("mijn telefoon is dood", "none"),
        ("ik lag dood van het lachen", "none"),
        ("ik ben doodmoe", "none"),
        ("ik ga dood van de honger", "none"),
        ("you're killing it", "none"),
        ("the battery died", "none"),
        ("ik schiet op", "none"),
        ("ik sla het formulier op", "none"),
        ("hoe moet ik dit opslaan", "none"),
        ("I could kill for a coffee", "none"),
        ("ميت من الضحك", "none"),
        ("تعبان موت", "none"),
        ("بدي أموت", "urgent"),
        ("بدي انتحر", "urgent"),
        ("عايز أموت", "urgent"),
        ("جوزي بيضربني", "high"),
        ("جوزي بيضربني هلق", "urgent"),
        ("ክሞት እየ", "urgent"),
        ("ክሞት ደልየ", "urgent"),
        ("ርእሰይ ክቐትል እየ", "urgent"),
        ("ሰብኣየ ይወቕዓኒ", "high"),
        ("መደቀሲ የብለይን", "high"),
        ("ik wil doooood", "urgent"),
        ("zelf moord", "high"),
        ("kill my self", "urgent"),
        ("killmyself", "urgent"),
        ("ik spring voor de trein", "urgent"),
        ("ik neem de trein naar Utrecht", "none"),
        ("want die brief snap ik niet", "none"),  # Dutch "die", not English
        ("de brug is dicht. ik spring even bij je binnen", "none"),
    ],
)
def test_shipped_lists(text: str, level: str) -> None:
    assert assess(SHIPPED, text).level == level, assess(SHIPPED, text)


def test_one_model_serves_many_threads() -> None:
    from concurrent.futures import ThreadPoolExecutor

    from bot.risk import normalize

    texts = [
        text
        for i in range(50)
        for text in (f"{i} ik wil dood {i}", f"جوزي بيضربني هلق {i}", f"ክሞት እየ {i}", f"hallo {i}")
    ]
    expected = [assess(SHIPPED, t) for t in texts]
    normalize._WORDS.clear()  # the caches fill up while threads race
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(lambda t: assess(SHIPPED, t), texts)) == expected
