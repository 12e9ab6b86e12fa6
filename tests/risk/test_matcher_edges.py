"""Edges of matching and of reading the phrase lists that mutation testing found unguarded
(docs/mutation.md): each test here fails on a change to bot/risk that the rest of the suite let
through. Sentences, `within`, clitics at their minimum length, script changes, guards that only
touch a hit, which combination is reported, and every problem the loader reports."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from bot.risk import (
    CATEGORIES,
    Assessment,
    RiskListsInvalid,
    RiskModel,
    assess,
    check,
    load,
    normalize,
)
from bot.risk.normalize import ARABIC, GEEZ, OTHER

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = load(ROOT / "flows" / "risk")


def write(tmp_path: Path, name: str, body: str) -> None:
    (tmp_path / name).write_text(textwrap.dedent(body), encoding="utf-8")


def lists(tmp_path: Path, **files: str) -> RiskModel:
    for language, body in files.items():
        write(tmp_path, f"{language}.yaml", f"language: {language}\n" + textwrap.dedent(body))
    return load(tmp_path)


def problems(tmp_path: Path, body: str, name: str = "nl.yaml") -> list[str]:
    write(tmp_path, name, body)
    _, found = check(tmp_path)
    return [str(p).replace(f"{tmp_path}/", "") for p in found]


def found(result: Assessment, text: str) -> list[str]:
    """What the resident wrote, for each match."""
    return [text[m.start : m.end] for m in result.matches]


# --- the shipped lists: the cases the issue names -------------------------------------------


def test_a_crisis_in_the_second_sentence_is_found() -> None:
    result = assess(SHIPPED, "Hoi. Ik wil niet meer leven.")
    assert result.escalates and "suicide" in result.categories


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("💊 💊 💊", "suicide"),
        ("💊💊💊", "suicide"),
        ("وين انام", "no_bed"),
        ("Hoi. وين انام؟", "no_bed"),
    ],
)
def test_shipped_within_0_combinations_match(text: str, category: str) -> None:
    assert category in assess(SHIPPED, text).categories


# --- sentences -----------------------------------------------------------------------------


@pytest.fixture
def sentences(tmp_path: Path) -> RiskModel:
    return lists(
        tmp_path,
        nl="""
        suicide:
          urgent:
            - ik wil dood
            - all: [[touw], [zolder], [vanavond]]
              within: 1
            - all: [[touw], [zolder], [vanavond]]
        """,
    )


@pytest.mark.parametrize(
    ("text", "level", "where"),
    [
        ("Hoi. Ik wil dood.", "urgent", ["Ik wil dood"]),
        ("Het gaat slecht! Echt. Ik wil dood", "urgent", ["Ik wil dood"]),
        ("Ik wil dood. Hoi.", "urgent", ["Ik wil dood"]),
        ("Ik wil. Dood", "none", []),
        # Three parts: every one in the same sentence, not just the first two.
        ("het touw op zolder. vanavond", "none", []),
        ("vanavond. het touw op zolder", "none", []),
        ("het touw. op zolder vanavond", "none", []),
    ],
)
def test_sentences(sentences: RiskModel, text: str, level: str, where: list[str]) -> None:
    result = assess(sentences, text)
    assert result.level == level
    assert found(result, text) == where


@pytest.mark.parametrize(
    ("text", "where", "rules"),
    [
        # One word between the parts in total: both rules. Two: only the one without `within`.
        ("het touw op zolder vanavond", "touw op zolder vanavond", 2),
        ("het touw op de zolder vanavond", "touw op de zolder vanavond", 1),
    ],
)
def test_three_parts_count_every_word_between_and_report_the_whole_span(
    sentences: RiskModel, text: str, where: str, rules: int
) -> None:
    assert found(assess(sentences, text), text) == [where] * rules


# --- within: 0 and multi-word parts --------------------------------------------------------


@pytest.fixture
def adjacent(tmp_path: Path) -> RiskModel:
    return lists(
        tmp_path,
        nl="""
        no_bed:
          high:
            - all: [[waar], [slapen]]
              within: 0
        suicide:
          urgent:
            - all: [[ik], [wil dood, wil er niet meer zijn]]
              within: 0
        """,
    )


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("waar slapen", "high"),
        ("slapen waar?", "high"),
        ("waar kan ik slapen", "none"),
        ("ik wil dood", "urgent"),  # a part of two words right after the other part
        ("ik wil er niet meer zijn", "urgent"),
        ("ik zelf wil dood", "none"),
    ],
)
def test_within_0_means_next_to_each_other(adjacent: RiskModel, text: str, level: str) -> None:
    assert assess(adjacent, text).level == level


# --- which combination is reported ---------------------------------------------------------


@pytest.fixture
def pairs(tmp_path: Path) -> RiskModel:
    return lists(
        tmp_path,
        nl="""
        suicide:
          urgent:
            - all: [[alle], [pillen]]
              within: 2
        violence:
          urgent:
            - all: [[me], [vermoorden]]
              within: 1
        """,
        en="suicide:\n  urgent:\n    - all: [[rope], [ready]]\n",
    )


@pytest.mark.parametrize(
    ("text", "where"),
    [
        # A far hit that breaks `within` does not stop the search for a near one.
        ("hij belt me elke dag en zegt dat hij me gaat vermoorden", "me gaat vermoorden"),
        # Nor does one in another sentence.
        ("the rope. the rope is ready", "rope is ready"),
        # The closest combination wins, even when a near one came first.
        ("ik neem alle rode pillen, ja alle pillen", "alle pillen"),
        # On a tie, the first one.
        ("the rope is ready, a rope", "rope is ready"),
    ],
)
def test_the_closest_combination_is_reported(pairs: RiskModel, text: str, where: str) -> None:
    assert found(assess(pairs, text), text) == [where]


def test_the_nearest_hits_are_searched_from_where_the_anchor_starts(tmp_path: Path) -> None:
    # "slaat me" has one hit, so it is the anchor. Three hits of the other part overlap it;
    # the one that counts ("elke dag") lies after them.
    model = lists(
        tmp_path,
        nl="""
        violence:
          urgent:
            - all: [[slaat me], [slaat, hij slaat, en hij slaat, elke dag]]
              within: 0
        """,
    )
    text = "en hij slaat me elke dag"
    assert found(assess(model, text), text) == ["slaat me elke dag"]


def test_the_part_with_fewest_hits_is_the_anchor(tmp_path: Path) -> None:
    # Anchored on the first part (five hits), the window of the second part around "x y z"
    # would hold only the three hits that overlap it, never "w".
    model = lists(
        tmp_path,
        en="""
        suicide:
          urgent:
            - all: [[x y z, q], [y, z, y z, w]]
              within: 0
        """,
    )
    text = "q q q q and x y z w"
    assert found(assess(model, text), text) == ["x y z w"]


def test_the_search_window_starts_at_the_anchor_not_at_its_end(tmp_path: Path) -> None:
    # The anchor ("tra la la la", one hit) holds three hits of the other part; the one that
    # counts stands before it.
    model = lists(
        tmp_path,
        en="""
        suicide:
          urgent:
            - all: [[tra la la la], [la]]
              within: 1
        """,
    )
    text = "la and tra la la la"
    assert found(assess(model, text), text) == ["la and tra la la la"]


# --- levels and the order of matches and categories ----------------------------------------


@pytest.fixture
def levels(tmp_path: Path) -> RiskModel:
    return lists(
        tmp_path,
        nl="""
        acute_debt:
          high:
            - deurwaarder
        suicide:
          check:
            - ik wil
          urgent:
            - ik wil dood
        """,
    )


def test_at_the_same_place_the_more_serious_match_comes_first(levels: RiskModel) -> None:
    assert [m.level for m in assess(levels, "ik wil dood").matches] == ["urgent", "check"]


def test_categories_are_ordered_by_seriousness_before_position(tmp_path: Path) -> None:
    model = lists(
        tmp_path,
        nl="""
        acute_debt:
          high:
            - deurwaarder
        violence:
          urgent:
            - hij slaat me
        """,
    )
    result = assess(model, "de deurwaarder komt en hij slaat me")
    assert result.categories == ("violence", "acute_debt")
    assert result.level == "urgent"


def test_lists_without_phrases_find_nothing(tmp_path: Path) -> None:
    model = lists(tmp_path, en="")
    assert model.phrase_count == 0
    result = assess(model, "I want to kill myself")
    assert (result.level, result.matches) == ("none", ())


# --- guards overlap, touching is not enough ------------------------------------------------


@pytest.fixture
def touching(tmp_path: Path) -> RiskModel:
    return lists(
        tmp_path,
        nl="""
        suicide:
          urgent:
            - phrase: zelfmoord
              not: [preventie, anti]
        """,
    )


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("zelfmoord preventie", "urgent"),  # the guard starts where the hit ends
        ("anti zelfmoord", "urgent"),  # the guard ends where the hit starts
        ("zelfmoordpreventie", "none"),  # no `*`: not a whole word
        ("zelfmoord anti preventie", "urgent"),
    ],
)
def test_a_guard_that_only_touches_a_hit_does_not_cancel_it(
    touching: RiskModel, text: str, level: str
) -> None:
    assert assess(touching, text).level == level


# --- word boundaries: clitics at their minimum length, script changes, open starts --------


@pytest.fixture
def short(tmp_path: Path) -> RiskModel:
    return lists(
        tmp_path,
        ar="""
        suicide:
          high:
            - موت
            - سم
        """,
        ti="no_bed:\n  high:\n    - ገዛ ዘ\n",
        en="suicide:\n  high:\n    - aገ\n",
    )


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("بالموت", "high"),  # three letters: the minimum behind a clitic
        ("موتي", "high"),  # and before one
        ("الموتي", "high"),
        ("بسم الله", "none"),  # two letters: never inside a word
        ("سمك", "none"),
        ("سم", "high"),
        ("ገዛ ዘን", "high"),  # the clitic after a phrase that ends in a one-syllable word
        ("ገዛ ዘእ", "none"),
        ("aገን", "high"),  # two characters, the last one Ge'ez: Ge'ez rules at the end
    ],
)
def test_clitics_at_the_minimum_length(short: RiskModel, text: str, level: str) -> None:
    assert assess(short, text).level == level


@pytest.fixture
def mixed(tmp_path: Path) -> RiskModel:
    return lists(
        tmp_path,
        nl="""
        acute_debt:
          high:
            - deurwaarder
        suicide:
          urgent:
            - "*tabletten"
            - Xanax
        """,
    )


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("brief مdeurwaarder", ["deurwaarder"]),  # one Arabic letter glued on, not a clitic
        ("مdeurwaarder", ["deurwaarder"]),
        ("الdeurwaarderين", ["deurwaarder"]),  # Arabic glued after: not a known ending
        ("alle slaaptabletten", ["tabletten"]),  # `*` in front: may start inside a word
        ("ik heb xanax", ["xanax"]),  # the phrase is written with a capital X
    ],
)
def test_script_changes_and_open_starts(mixed: RiskModel, text: str, where: list[str]) -> None:
    assert found(assess(mixed, text), text) == where


@pytest.mark.parametrize("text", ["zo'n deurwaarder", "zo`n deurwaarder", "ma'am, de deurwaarder"])
def test_offsets_after_an_apostrophe(mixed: RiskModel, text: str) -> None:
    assert found(assess(mixed, text), text) == ["deurwaarder"]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (0x05FF, OTHER),
        (0x0600, ARABIC),
        (0x08FF, ARABIC),
        (0x0900, OTHER),
        (0xFB4F, OTHER),
        (0xFB50, ARABIC),
        (0xFEFF, ARABIC),
        (0xFF00, OTHER),
        (0x11FF, OTHER),
        (0x1200, GEEZ),
        (0x139F, GEEZ),
        (0x13A0, OTHER),
        (0x2D7F, OTHER),
        (0x2D80, GEEZ),
        (0x2DDF, GEEZ),
        (0x2DE0, OTHER),
        (0xAAFF, OTHER),
        (0xAB00, GEEZ),
        (0xAB2F, GEEZ),
        (0xAB30, OTHER),
    ],
)
def test_script_ranges_include_both_ends(code: int, expected: int) -> None:
    assert normalize.script(chr(code)) == expected


@pytest.mark.parametrize(
    ("written", "becomes"),
    [(chr(0x1220 + k), chr(0x1230 + k)) for k in range(8)]  # ሠ series -> ሰ series
    + [(chr(0x1340 + k), chr(0x1338 + k)) for k in range(7)]  # ፀ series -> ጸ series
    + [(chr(c), chr(c)) for c in (0x121F, 0x1228, 0x133F, 0x1347)],  # their neighbours stay
)
def test_geez_homophones(written: str, becomes: str) -> None:
    assert normalize.normalize(written) == becomes


# --- reading the lists: every problem, with its place -------------------------------------


def test_a_list_without_language(tmp_path: Path) -> None:
    assert problems(tmp_path, "suicide:\n  urgent:\n    - ik wil dood\n") == [
        "nl.yaml:1:1: error: missing `language:` (one of nl, ar, ti, en)"
    ]


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("3", "unknown language 3; use"),
        ("klingon", "unknown language 'klingon'; use"),
        ("nll", "unknown language 'nll' (did you mean 'nl'?); use"),
        ("Dutch", "unknown language 'Dutch' (did you mean 'nl'?); use"),
    ],
)
def test_an_unknown_language(tmp_path: Path, value: str, said: str) -> None:
    assert problems(tmp_path, f"language: {value}\n") == [
        f"nl.yaml:1:11: error: language: {said} one of: nl, ar, ti, en"
    ]


def test_an_empty_list_loads_with_warnings(tmp_path: Path) -> None:
    assert problems(tmp_path, "language: en\nsuicide:\n", name="en.yaml") == [
        f"en.yaml:1:1: warning: no phrases for {', '.join(CATEGORIES)} in language 'en'",
        "en.yaml:2:1: warning: suicide: no phrases here; add some or remove the key",
    ]


def test_an_unknown_category_far_from_any(tmp_path: Path) -> None:
    assert problems(tmp_path, "language: nl\nzzz:\n  urgent:\n    - ik wil dood\n") == [
        f"nl.yaml:2:1: error: zzz: unknown key 'zzz'; categories are {', '.join(CATEGORIES)}"
    ]


def test_lists_may_end_in_yml(tmp_path: Path) -> None:
    write(tmp_path, "nl.yml", "language: nl\nsuicide:\n  urgent:\n    - ik wil dood\n")
    model = load(tmp_path)
    assert model.languages == ("nl",)
    assert assess(model, "ik wil dood").level == "urgent"


def test_load_raises_with_one_error_per_line(tmp_path: Path) -> None:
    write(tmp_path, "nl.yaml", "language: nl\nsuicide:\n  urgent:\n    - ''\n    - '!!'\n")
    with pytest.raises(RiskListsInvalid) as raised:
        load(tmp_path)
    assert str(raised.value).replace(f"{tmp_path}/", "") == (
        "nl.yaml:4:7: error: suicide.urgent[1]: empty phrase\n"
        "nl.yaml:5:7: error: suicide.urgent[2]: phrase '!!' has no letters, digits or emoji "
        "to match"
    )


BAD_ENTRIES = """\
language: nl
not: ['']
suicide:
  urgent:
    - phrase: 30
    - phrase: ''
    - all: [alle, pillen]
      within: false
    - all: [alle, pillen]
      within:
    - phrase: ik wil dood
      not: ''
    - phrase: ik ga dood
      not: [ok, '']
    - all: [alle, '']
    - all: [[alle, ''], pillen]
    - all: [[], ['']]
"""


def test_every_bad_entry_is_reported_with_its_place(tmp_path: Path) -> None:
    assert problems(tmp_path, BAD_ENTRIES) == [
        "nl.yaml:2:7: error: not[1]: empty phrase",
        "nl.yaml:5:15: error: suicide.urgent[1].phrase: a phrase must be text (numbers in "
        "quotes); got 30",
        "nl.yaml:6:15: error: suicide.urgent[2].phrase: empty phrase",
        "nl.yaml:8:15: error: suicide.urgent[3].within: `within:` is how many other words may "
        "stand between the parts (0 or more); got false",
        "nl.yaml:10:14: error: suicide.urgent[4].within: `within:` is how many other words may "
        "stand between the parts (0 or more); got nothing",
        "nl.yaml:12:12: error: suicide.urgent[5].not: empty phrase",
        "nl.yaml:14:17: error: suicide.urgent[6].not[2]: empty phrase",
        "nl.yaml:15:19: error: suicide.urgent[7].all[2]: empty phrase",
        "nl.yaml:16:20: error: suicide.urgent[8].all[1][2]: empty phrase",
        "nl.yaml:17:13: error: suicide.urgent[9].all[1]: empty part; list at least one phrase",
        "nl.yaml:17:18: error: suicide.urgent[9].all[2][1]: empty phrase",
    ]


def test_a_broken_entry_is_dropped_whole(tmp_path: Path) -> None:
    # Neither the broken entries' good parts nor their good alternatives are registered: the
    # correct entries after them are not duplicates.
    body = """\
    language: nl
    suicide:
      urgent:
        - zelfmoord
        - all: [[], [zelfmoord]]
        - all: [['', alle], [pillen]]
        - all: [[alle], [pillen]]
    """
    assert problems(tmp_path, textwrap.dedent(body)) == [
        "nl.yaml:5:13: error: suicide.urgent[2].all[1]: empty part; list at least one phrase",
        "nl.yaml:6:14: error: suicide.urgent[3].all[1][1]: empty phrase",
    ]


def test_parts_written_without_brackets_are_whole_phrases(tmp_path: Path) -> None:
    model = lists(tmp_path, nl="suicide:\n  urgent:\n    - all: [alle, pillen]\n      within: 0\n")
    (match,) = assess(model, "ik neem alle pillen").matches
    assert match.phrase == "alle + pillen"


def test_duplicates_name_the_first_and_where_the_second_stands(tmp_path: Path) -> None:
    body = """\
    language: nl
    suicide:
      urgent:
        - zelfmoord
        - zelfmoord
        - phrase: ik wil dood
        - phrase: ik wil dood
    """
    assert problems(tmp_path, textwrap.dedent(body)) == [
        "nl.yaml:5:7: error: suicide.urgent[2]: duplicate phrase 'zelfmoord'; first at line 4",
        "nl.yaml:7:15: error: suicide.urgent[4].phrase: duplicate phrase 'ik wil dood'; "
        "first at line 6",
    ]


def test_a_short_emoji_or_number_phrase_is_no_warning(tmp_path: Path) -> None:
    said = problems(tmp_path, "language: nl\nsuicide:\n  check:\n    - 💊\n    - '12'\n    - zo\n")
    assert [p for p in said if "very short" in p] == [
        "nl.yaml:6:7: warning: suicide.check[3]: very short phrase 'zo' matches many messages; "
        "make it longer or combine it with `all:`"
    ]


def test_each_rule_knows_where_it_was_written(tmp_path: Path) -> None:
    model = lists(tmp_path, nl="suicide:\n  urgent:\n    - ik wil dood\n    - phrase: zelfmoord\n")
    assert [rule.origin for rule in model.rules] == [
        f"{tmp_path / 'nl.yaml'}:4:7",
        f"{tmp_path / 'nl.yaml'}:5:7",
    ]
