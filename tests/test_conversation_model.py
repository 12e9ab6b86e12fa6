"""The trained risk layer in the conversation path: what only the model catches opens a case
with the sentence it flagged, a denial the lists would escalate gets a question instead, and
children without food get their own help. Real database, the shipped lists and model."""

from __future__ import annotations

import re
from pathlib import Path

from sqlmodel import select

from bot import escalation
from bot.config import Config
from bot.conversation import Conversations
from bot.risk import Detector, assess, load, load_detector
from storage import transcripts as transcript_db
from storage.cases import Case
from storage.db import Database
from storage.residents import Resident
from tests.test_conversation_risk import begin, conversations, msg, only_case

ROOT = Path(__file__).resolve().parents[1]
DETECTOR = load_detector(ROOT / "flows" / "risk")
PHRASES = load(ROOT / "flows" / "risk")

BURIED = (
    "Goedemiddag, ik heb een vraag over de huurtoeslag voor volgend jaar. "
    "Sinds gisteren overnachten de kinderen en ik op de achterbank van de auto bij de sporthal. "
    "Moet ik dat formulier opnieuw invullen?"
)


async def test_a_risk_only_the_model_sees_opens_a_case_naming_the_sentence(database):
    assert not assess(PHRASES, BURIED).escalates  # the lists alone miss it
    c = conversations(database, risk=DETECTOR)
    await begin(c, "m1")
    replies = await c.receive(msg("m1", BURIED))
    assert replies[0].text == escalation.HELP_NO_BED
    case = await only_case(database)
    assert (case.priority, case.reason) == ("high", "no_bed")
    # The worker sees why: the sentence the model flagged (the category is the case's reason,
    # shown in words); never the model's score, which is internal.
    assert "overnachten de kinderen en ik op de achterbank" in case.detail
    assert case.detail.startswith("«") and case.detail.endswith("»"), case.detail
    assert "no_bed" not in case.detail and not re.search(r"\d\.\d\d", case.detail)
    async with database.transaction() as s:
        resident = (await s.exec(select(Resident))).one()
        entry = next(e for e in await transcript_db.transcript(s, resident.id) if e.text == BURIED)
    (match,) = [m for m in entry.data["risk"]["matches"] if m["source"] == "model"]
    assert match["category"] == "no_bed" and 0.5 < match["score"] <= 1


async def test_a_denial_the_lists_escalate_gets_a_question_not_a_case(database):
    text = "ik denk niet aan zelfmoord hoor, ik wil alleen weten hoe huurtoeslag werkt"
    assert assess(PHRASES, text).level == "urgent"
    c = conversations(database, risk=DETECTOR)
    await begin(c, "m2")
    replies = await c.receive(msg("m2", text))
    assert replies[-1].text == escalation.CHECK_QUESTION
    async with database.transaction() as s:
        assert (await s.exec(select(Case))).first() is None


async def test_children_without_food_today_get_help_and_a_high_case(database):
    c = conversations(database, risk=DETECTOR)
    await begin(c, "m3")
    replies = await c.receive(
        msg("m3", "de kinderen hebben vandaag nog niks gegeten en ik heb geen geld")
    )
    assert replies[0].text == escalation.HELP_NO_FOOD
    case = await only_case(database)
    assert (case.priority, case.reason) == ("high", "no_food")


async def test_the_app_loads_the_model_and_its_deep_head_beside_the_lists(tmp_path: Path):
    config = Config(database_url=f"sqlite:///{tmp_path / 'x.db'}", flows_dir=ROOT / "flows")
    db = Database(config.database_url)
    built = Conversations.from_config(db, config)
    assert isinstance(built.risk, Detector)
    assert built.risk.classifier is not None and built.risk.encoder is not None
    assert built.assess(BURIED).level == "high"
    await db.dispose()
