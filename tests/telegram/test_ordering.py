"""The update processor with real `Update` objects: one chat strictly in order, chats in
parallel up to the limit, a crisis message let in before a waiting crowd, idle chats forgotten."""

from __future__ import annotations

import asyncio

from telegram import Update

from bot.channels.telegram.ordering import PerChatOrder, PriorityGate

_ids = iter(range(1, 10_000))


def update(chat: int, text: str) -> Update:
    return Update.de_json(
        {
            "update_id": next(_ids),
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": chat, "type": "private"},
                "from": {"id": chat, "is_bot": False, "first_name": "B"},
                "text": text,
            },
        },
        None,
    )


async def test_one_chat_in_order_many_chats_at_once():
    processor = PerChatOrder(max_parallel=8)
    log: list[tuple[int, str, str]] = []
    running = {"now": 0, "most": 0}

    async def handle(u: Update) -> None:
        running["now"] += 1
        running["most"] = max(running["most"], running["now"])
        log.append((u.effective_chat.id, u.message.text, "start"))
        await asyncio.sleep(0.01)
        log.append((u.effective_chat.id, u.message.text, "end"))
        running["now"] -= 1

    updates = [update(chat, str(i)) for i in range(5) for chat in range(20)]
    await asyncio.gather(*(processor.process_update(u, handle(u)) for u in updates))
    for chat in range(20):
        mine = [(t, e) for c, t, e in log if c == chat]
        assert mine == [(str(i), e) for i in range(5) for e in ("start", "end")]
    assert running["most"] == 8  # parallel, up to the limit
    assert processor.busy_chats == 0  # idle chats leave nothing behind


async def test_a_crisis_message_gets_the_next_free_slot():
    async def urgent(u: Update) -> bool:
        return "dood" in u.message.text

    processor = PerChatOrder(max_parallel=2, urgent=urgent)
    order: list[str] = []

    async def handle(u: Update) -> None:
        await asyncio.sleep(0.01)
        order.append(u.message.text)

    crowd = [update(chat, f"vraag {chat}") for chat in range(30)]
    crisis = update(999, "ik wil dood")
    tasks = [asyncio.create_task(processor.process_update(u, handle(u))) for u in crowd]
    await asyncio.sleep(0)
    tasks.append(asyncio.create_task(processor.process_update(crisis, handle(crisis))))
    await asyncio.gather(*tasks)
    assert order.index("ik wil dood") <= 3  # not 30th


async def test_the_gate_hands_slots_on_and_survives_cancellation():
    gate = PriorityGate(1)
    await gate.acquire()
    waiting = asyncio.create_task(gate.acquire())
    cancelled = asyncio.create_task(gate.acquire())
    await asyncio.sleep(0)
    cancelled.cancel()
    await asyncio.sleep(0)
    gate.release()
    await waiting
    gate.release()
    await asyncio.wait_for(gate.acquire(urgent=True), 1)  # the slot was not lost
