"""The detector's answers remembered per chat (bot/risk/recent.py): a typed message is assessed
before it is queued and again on the conversation path, and the second read is a lookup."""

from __future__ import annotations

import asyncio

from bot.conversation import Conversations, risk_thread
from bot.engine import load as load_flows
from bot.i18n import Catalogs
from bot.risk import assess
from bot.risk.recent import Recent
from tests.support.ticking import Ticker
from tests.test_conversation_model import BURIED, DETECTOR, PHRASES, ROOT


def test_the_same_message_of_a_chat_is_read_once_and_answered_the_same() -> None:
    recent = Recent(DETECTOR)
    first = recent("ik wil niet meer leven", "chat-1")
    assert first.level == "urgent" and len(recent) == 1
    assert recent("ik wil niet meer leven", "chat-1") is first
    assert len(recent) == 1
    assert recent("hoe vraag ik huurtoeslag aan?", "chat-1").level == "none"
    assert len(recent) == 2


def test_another_chat_or_no_chat_is_read_anew() -> None:
    recent = Recent(DETECTOR)
    first = recent("ik wil niet meer leven", "chat-1")
    other = recent("ik wil niet meer leven", "chat-2")
    assert other == first and other is not first and len(recent) == 2
    unnamed = recent("ik wil niet meer leven")
    assert unnamed == first and unnamed is not first and len(recent) == 2  # nothing kept


def test_it_answers_what_the_detector_answers() -> None:
    recent = Recent(DETECTOR)
    for text in (BURIED, "ik maak je af haha, 3-0 voor ons", "وين انام الليلة", "ok"):
        assert recent(text, "chat") == assess(DETECTOR, text)


def test_the_least_recently_used_message_is_forgotten_first() -> None:
    recent = Recent(PHRASES, size=2)
    a = recent("ik wil dood", "x")
    c = recent("ze hebben het gas afgesloten", "x")
    assert a.level == "urgent" and c.level == "high"  # answers of their own, not one shared
    assert recent("ik wil dood", "x") is a  # used again: now the most recent
    recent("ik slaap vannacht buiten", "x")  # the gas goes
    assert len(recent) == 2
    assert recent("ik wil dood", "x") is a
    again = recent("ze hebben het gas afgesloten", "x")
    assert again == c and again is not c and len(recent) == 2


def test_new_content_brings_a_detector_that_remembers_nothing(database) -> None:
    flows = load_flows(ROOT / "flows")
    catalogs = Catalogs.load(ROOT / "locales")
    c = Conversations(database, flows, catalogs, risk=DETECTOR)
    assert c.assess(BURIED, "chat").level == "high"  # only the model reads the car as a bed
    c.use_content(flows=flows, catalogs=catalogs, risk=PHRASES, router=c.router)
    assert c.risk is PHRASES
    assert c.assess(BURIED, "chat").level == "none"  # the lists alone, not the old answer
    c.risk = None
    assert c.assess(BURIED).level == "none" and c.risk is None


async def test_a_read_runs_on_the_risk_thread_while_the_loop_serves_others() -> None:
    # BURIED is one the deep head embeds: tens of milliseconds the loop would otherwise wait.
    recent = Recent(DETECTOR)
    async with Ticker() as ticker:
        answer = await risk_thread.read(recent, BURIED, "chat")
    assert answer == assess(DETECTOR, BURIED) and answer.level == "high"
    assert ticker.ticks > 1  # on the loop's own thread the ticker would not have run at all
    async with Ticker() as ticker:
        assert await risk_thread.read(recent, BURIED, "chat") is answer  # kept: no trip
    assert ticker.ticks == 0


async def test_reads_from_the_loop_and_another_thread_keep_one_answer_per_message() -> None:
    recent = Recent(PHRASES, size=50)
    texts = [f"ik wil dood {n}" for n in range(200)]

    def elsewhere() -> None:
        for text in texts:
            recent(text, "x")

    other = asyncio.get_running_loop().run_in_executor(None, elsewhere)
    for text in texts:
        assert (await risk_thread.read(recent, text, "x")).level == "urgent"
    await other
    assert len(recent) == 50
