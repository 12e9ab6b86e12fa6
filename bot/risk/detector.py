"""Risk detection in layers: the phrase lists (precise, explainable, editable by social
workers) and the trained model (`classifier`), which recognises meaning the lists never named.

- The phrase lists decide first; the model can add what they missed, sentence by sentence, so a
  risk buried in the middle of a long message is scored on its own sentence.
- The quick head reads every message. Only where it is unsure (a cascade: its risk is in a band
  chosen at training), the deep head reads the whole message again with a sentence embedding
  (`encoder`), and its reading counts instead. Everyday messages and clear risk are decided by
  the quick head alone: the deep head costs about 20 ms of CPU a message.
- The phrase hits are features of the model, so it weighs them against their context. A hit
  counts as a case only where the model escalates the message too; in a denial, a quote or a
  game, a suicide or violence hit becomes `check` (the bot still asks directly) and any other
  hit is dropped.
- Every model decision names its sentence, category and score (`Match.source == "model"`).

The thresholds are chosen when the model is trained (`make risk-model`, docs/risk.md) and stored
with it.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

from bot.risk import matcher, normalize
from bot.risk.assessment import NOTHING, RANK, Assessment, Match
from bot.risk.classifier import MODEL_FILE, Classifier, ClassifierInvalid, Scores, load_classifier
from bot.risk.encoder import Encoder, EncoderMissing
from bot.risk.features import hit_names
from bot.risk.matcher import RiskModel
from bot.risk.phrases import load

logger = logging.getLogger(__name__)

# A sentence: up to and including its end mark, or a line.
_SENTENCE = re.compile(r"[^.!?\u061f\u1362\u1367\n]+[.!?\u061f\u1362\u1367]*")
SHOWN = 160  # characters of a flagged sentence kept in a match
# Categories whose phrase hits the model may turn into a question, not drop.
ASK_INSTEAD = ("suicide", "violence")
URGENT_CATEGORIES = ("suicide", "violence")
MAX_SENTENCES = 40  # beyond this, the rest of a very long message is scored as one piece
SECONDS = 0.5  # the model's weight on a phrase hit's category that keeps the hit (`_seconds`)
BARE_REST = 1  # words besides its phrase a message may have and still be the phrase said plainly
LATIN_SURE = 0.9  # how sure the language head must be that Latin letters are Arabic or Tigrinya


@dataclass(frozen=True)
class Detector:
    """The phrase lists and, when a model file is there, the trained layer. Immutable."""

    phrases: RiskModel
    classifier: Classifier | None = None
    encoder: Encoder | None = None


def with_model(phrases: RiskModel, path: Path = MODEL_FILE) -> Detector:
    """The phrase lists with the trained layer. Without a readable model file the phrase lists
    work alone: a crisis must still be caught, so this logs an error instead of failing."""
    try:
        classifier = load_classifier(path)
    except ClassifierInvalid as exc:
        logger.error("risk model not loaded, phrase lists only: %s", exc)
        return Detector(phrases)
    if classifier.deep is None:
        return Detector(phrases, classifier)
    try:
        return Detector(phrases, classifier, Encoder())
    except EncoderMissing as exc:
        logger.error("risk model's deep head not loaded, quick head only: %s", exc)
        return Detector(phrases, classifier)


def load_detector(directory: Path | str, path: Path = MODEL_FILE) -> Detector:
    """`phrases.load(directory)` (raises RiskListsInvalid) and the model file, once at start."""
    return with_model(load(directory), path)


def assess(model: Detector | RiskModel, text: str) -> Assessment:
    """The risk in one message: phrase matches, then what the model adds or overrules."""
    if isinstance(model, RiskModel):
        return matcher.assess(model, text)
    found = matcher.assess(model.phrases, text)
    if model.classifier is None or not text.strip() or _command(text):
        return found
    return _judge(model.classifier, model.encoder, text, found)


def _judge(
    classifier: Classifier, encoder: Encoder | None, text: str, found: Assessment
) -> Assessment:
    t = classifier.thresholds
    if one_word(text) and not found.matches:
        return found  # one word: the lists' to judge, and they found nothing (see `decide`)
    words = normalize.words(text)
    hits = hit_names(found.matches)
    whole = classifier.scores(words, hits)
    scored = _scored(classifier, text, sentences(text), found)
    if encoder is not None and needs_deep(whole, scored, t):
        whole = classifier.rescore(words, hits, encoder.embed(text), whole)
        if scored:  # and the sentence that looks most at risk, out of its context
            i = suspect(scored)
            start, end, quick = scored[i]
            piece = text[start:end]
            deep = classifier.rescore(
                normalize.words(piece), _hits_in(found, start, end), encoder.embed(piece), quick
            )
            scored[i] = (start, end, deep)
    return decide(text, found, whole, scored, t)


def suspect(scored: list[tuple[int, int, Scores]]) -> int:
    """The index of the sentence the quick head finds most at risk."""
    return max(range(len(scored)), key=lambda i: scored[i][2].escalate + scored[i][2].risk["check"])


def _hits_in(found: Assessment, start: int, end: int) -> set[str]:
    return hit_names(m for m in found.matches if start <= m.start < end)


def needs_deep(whole: Scores, scored: list[tuple[int, int, Scores]], t: dict[str, float]) -> bool:
    """Whether the deep head should read the message: only where the quick head is unsure (a
    cascade). Its doubt is the highest risk it sees (`doubt`) in the message or one of its
    sentences; the deep head reads when that is in the band from `deep` up to `deep_until`.
    Below, the message is everyday; above, the quick head is sure of the risk on its own,
    unless it is as sure that the whole message is harmless (`veto`): a sentence and its
    message disagree, and only the deep head can let the sentence through (`sure`). The
    phrase hits are features of the quick head, so they move the doubt too."""
    risk = doubt(whole, scored)
    if risk < t["deep"]:
        return False
    return risk < t["deep_until"] or whole.risk["none"] >= t["veto"]


def doubt(whole: Scores, scored: list[tuple[int, int, Scores]]) -> float:
    """The highest risk (escalate and check together) the quick head sees in the whole message
    or in one of its sentences."""
    return max(s.escalate + s.risk["check"] for s in (whole, *(s for _, _, s in scored)))


def decide(
    text: str,
    found: Assessment,
    whole: Scores,
    scored: list[tuple[int, int, Scores]],
    t: dict[str, float],
) -> Assessment:
    """The assessment from the phrase hits, the model's scores of the whole message and of
    its sentences (`scored`, empty for a one-sentence message), and thresholds `t`: "high"
    for the whole message, "piece" (stricter) for one sentence out of its context, "check",
    "urgent" (suicide and violence), "veto" (harmless enough to ignore the sentences) and
    "sure" (a sentence the deep head escalates this surely is not vetoed: a risk buried in a
    long, ordinary question dilutes the whole message). A message of one word is the lists'
    to judge: the model confirms or overrules their hits but raises nothing of its own (a
    bare "sorry", "gas" or "geld" carries no context to read meaning from, and the lists hold
    the single words that do show risk)."""
    flagged = []
    level = _level(whole, t, t["high"])
    if level != "none":
        flagged.append(_model_match(text, 0, len(text), whole, level, whole))
    vetoed = whole.risk["none"] >= t["veto"]
    for start, end, scores in scored:
        if vetoed and not (scores.deep and scores.escalate >= t["sure"]):
            continue
        level = _level(scores, t, t["piece"])
        if level != "none":
            flagged.append(_model_match(text, start, end, scores, level, whole))
    best = max(flagged, key=lambda m: (RANK[m.level], m.score or 0), default=None)
    agrees = best is not None and best.level in ("urgent", "high")
    matches = list(found.matches) if agrees else _overruled(text, found.matches, whole)
    if (
        best is not None
        and not one_word(text)
        and not any(
            m.category == best.category and RANK[m.level] >= RANK[best.level] for m in matches
        )
    ):
        matches.append(best)
    return _assessment(matches) if matches else NOTHING


def one_word(text: str) -> bool:
    """A message of one word (or none) is the lists' to judge (`decide`)."""
    return len(normalize.words(text)) < 2


def _command(text: str) -> bool:
    """A bare command ("/mens", "/stop") is our vocabulary, like a button: the lists check it,
    the model does not ("/vergeet ik wil dood" has words after it and is read)."""
    words = text.split()
    return len(words) == 1 and words[0].startswith("/")


def sentences(text: str) -> list[tuple[int, int]]:
    """The spans of the sentences of `text` (end marks included, white space trimmed)."""
    spans = []
    for m in _SENTENCE.finditer(text):
        start, end = m.start(), m.end()
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            spans.append((start, end))
    return spans


def _scored(
    classifier: Classifier, text: str, pieces: list[tuple[int, int]], found: Assessment
) -> list[tuple[int, int, Scores]]:
    """The quick head's scores of each sentence, when there are two or more."""
    if len(pieces) < 2:
        return []
    if len(pieces) > MAX_SENTENCES:
        pieces = [*pieces[: MAX_SENTENCES - 1], (pieces[MAX_SENTENCES - 1][0], pieces[-1][1])]
    out = []
    for start, end in pieces:
        words = normalize.words(text[start:end])
        out.append((start, end, classifier.scores(words, _hits_in(found, start, end))))
    return out


def _level(scores: Scores, t: dict[str, float], high: float) -> str:
    """The level one set of scores gives. Hopelessness beside a risk counts towards it: the
    model torn between "check" and a risk category escalates where the risk together with
    `lean` times the hopelessness reaches `high` (`lean` is below `high`, so hopelessness
    alone never makes a case; it gets the question)."""
    escalate = scores.escalate
    if escalate + t.get("lean", 0.0) * scores.risk["check"] >= high:
        category = scores.category
        if category in URGENT_CATEGORIES and scores.risk[category] >= t["urgent"]:
            return "urgent"
        return "high"
    if escalate + scores.risk["check"] >= t["check"]:
        return "check"
    return "none"


def _model_match(
    text: str, start: int, end: int, scores: Scores, level: str, whole: Scores
) -> Match:
    shown = text[start:end]
    if len(shown) > SHOWN:
        shown = shown[: SHOWN - 1] + "…"
    score = scores.escalate if level != "check" else scores.escalate + scores.risk["check"]
    return Match(
        phrase=shown,
        category=scores.category,
        level=level,
        language=_language(text, whole),
        start=start,
        end=end,
        source="model",
        score=round(score, 2),
    )


def _language(text: str, whole: Scores) -> str:
    """The language to answer a model match in (before the resident chose one): Arabic or
    Tigrinya by script; for Latin letters the language head, which must be sure to pick Arabic
    (Arabizi) or Tigrinya over Dutch or English."""
    scripts = [normalize.script(c) for c in text if c.isalpha()]
    arabic, geez = scripts.count(normalize.ARABIC), scripts.count(normalize.GEEZ)
    if arabic or geez:
        return "ar" if arabic >= geez else "ti"
    p = whole.language
    sure = max(("ar", "ti"), key=lambda lang: p.get(lang, 0.0))
    if p.get(sure, 0.0) >= LATIN_SURE:
        return sure
    return "en" if p.get("en", 0.0) > p.get("nl", 0.0) else "nl"


def _overruled(text: str, matches: tuple[Match, ...], whole: Scores) -> list[Match]:
    """Phrase hits in a message the model does not escalate: a question instead of a case for
    suicide and violence, nothing for the rest; hits of level check stay. A hit in the
    category the model itself finds most of (`_seconds`) keeps its level: the model is only
    unsure how serious it is ("ik wil niet meer leven"). So does a suicide or violence phrase
    said plainly (`_bare`)."""
    score = round(whole.risk["none"], 2)
    kept = []
    for m in matches:
        if _seconds(m, whole) or _bare(text, m):
            kept.append(m)
        elif m.category in ASK_INSTEAD:
            kept.append(replace(m, level="check", harmless=score))
        elif m.level not in ("urgent", "high"):
            kept.append(m)
    return kept


def _seconds(match: Match, whole: Scores) -> bool:
    """Whether the model puts at least half of its weight on the hit's category, and at least
    twice as much as on "none". It keeps the lists' plainest phrases at their level. For a
    suicide hit, "check" (hopelessness, the same family) counts with it: a model unsure only
    how serious "ik wil niet meer leven" is (check 0.63, suicide 0.36 in round 5) does not
    make it a question; a denial, which the model reads as "none", still does."""
    p = whole.risk.get(match.category, 0.0)
    if match.category == "suicide":
        p += whole.risk.get("check", 0.0)
    return p >= SECONDS and p >= 2 * whole.risk["none"]


def _bare(text: str, match: Match) -> bool:
    """Whether a suicide or violence hit is the whole message, give or take `BARE_REST` words:
    "I want to die", "ik wil dood", "بدي موت". There is no context to read a denial, a quote or
    a game from, so the model's doubt does not make it a question (round 6 read a bare "I want
    to die" as 0.55 harmless: jokes about homework taught it that). A word the phrase leaves
    out ("I don't want to die", "I want to die lol") is context, and the model reads it. One
    word ("zelfmoord") names a topic rather than saying something: the model may ask instead."""
    if match.category not in URGENT_CATEGORIES or one_word(text):
        return False
    rest = Counter(normalize.words(text)) - Counter(normalize.words(match.phrase))
    return sum(rest.values()) <= BARE_REST


def _assessment(matches: list[Match]) -> Assessment:
    ordered = sorted(matches, key=lambda m: (-RANK[m.level], m.source != "phrase", m.start))
    categories = tuple(dict.fromkeys(m.category for m in ordered))
    return Assessment(ordered[0].level, categories, tuple(ordered))
