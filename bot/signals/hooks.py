"""Where the conversation path and the dashboard tell the signals what happened. Each is
called from one line (listed in docs/signals.md), inside the caller's transaction, and hands
`bot.signals.record` counts with an area, nothing about the resident.

Each counts inside a savepoint: a count that fails is logged and left out; the message or the
action it belongs to goes on. The simulator's conversations run on a database of their own and
never reach these counts; `Conversations(signals=False)` (the simulator's, `buurtbot chat`'s)
does not call them at all.
"""

from __future__ import annotations

import logging
from collections.abc import Coroutine
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.engine import MENU, FlowEnded, State
from bot.escalation import OfficeHours
from bot.signals import record
from bot.signals.area import area_of_case, area_of_resident
from storage.cases import Case
from storage.transcripts import TranscriptEntry

if TYPE_CHECKING:
    from bot.conversation.turn import Turn

logger = logging.getLogger(__name__)

SEEN = "signals_seen"  # conversation data: the last day the resident was counted as a contact
RETURNING_DAYS = 30  # a contact within this many days of the last one is a returning one
LEFT = ("restarted", "stopped")  # a flow's ends that mean the resident left it
NEW_CASES = "signals_new_cases"  # session info: cases inserted in this transaction
COUNTED = "signals_case"  # conversation data: the case last counted, where and under what
ANSWER_NAMES = {"not_helped": "not"}  # the follow-ups' answers as the figures name them


async def after_turn(turn: Turn, before: State) -> None:
    """A message was handled: a contact (once a day), a flow started, a case opened. Decided
    without the database; most messages count nothing and cost nothing."""
    if turn.s is None or turn.erased or turn.again or turn.resident is None:
        return
    today = record.day_of(turn.now)
    seen = _day(turn.data.get(SEEN))
    contact = seen != today
    if contact:
        turn.data[SEEN] = today.isoformat()
    after = turn.state
    started = after.flow if after.flow not in (None, MENU) and after.flow != before.flow else None
    opened = turn.session.info.pop(NEW_CASES, [])
    if contact or started or opened:
        await _safely(turn.session, _after_turn(turn, contact, seen, started, opened))


async def _after_turn(
    turn: Turn, contact: bool, seen: date | None, started: str | None, opened: list[Case]
) -> None:
    s, now = turn.session, turn.now
    area = await area_of_resident(s, turn.rid) if contact or started else ""
    if contact:
        returning = seen is not None and record.day_of(now) - seen <= timedelta(RETURNING_DAYS)
        await record.contact(s, area=area, language=turn.lang, returning=returning, when=now)
    if started:
        typed = not turn.inbound.payload and bool(turn.inbound.text)
        await record.topic(s, area=area, flow=started, typed=typed, when=now)
    for case in opened:
        categories = turn.assessment.categories if case.reason == turn.decision.reason else ()
        area = await area_of_case(s, case)
        measure = await record.case_routed(
            s,
            area=area,
            reason=case.reason,
            priority=case.priority,
            categories=list(categories),
            when=now,
        )
        day = record.day_of(now).isoformat()
        turn.data[COUNTED] = {"case": case.id, "day": day, "area": area, "measure": measure}


async def case_rerouted(turn: Turn, case: Case) -> None:
    """The resident's postcode moved `case` to another team after it was counted (at opening,
    under the default team): the count moves with it. A worker moving a case moves nothing:
    the figures are about where residents live."""
    counted = turn.data.get(COUNTED)
    if isinstance(counted, dict) and counted.get("case") == case.id:
        await _safely(turn.session, _rerouted(turn, case, counted))


async def _rerouted(turn: Turn, case: Case, counted: dict[str, Any]) -> None:
    new, day = await area_of_case(turn.session, case), _day(counted.get("day"))
    if day is None or new == counted.get("area"):
        return
    measure, old = str(counted.get("measure")), str(counted.get("area"))
    await record.case_moved(turn.session, day=day, measure=measure, old=old, new=new)
    turn.data[COUNTED] = {**counted, "area": new}


async def answered(turn: Turn, case_id: int | None, answer: str, *, after_close: bool) -> None:
    """A follow-up (or, `after_close`, the question after a closed case) was answered."""
    await _safely(turn.session, _answered(turn, case_id, answer, after_close))


async def _answered(turn: Turn, case_id: int | None, answer: str, after_close: bool) -> None:
    s = turn.session
    case = await s.get(Case, case_id) if case_id is not None else None
    area = await area_of_case(s, case) if case is not None else await area_of_resident(s, turn.rid)
    given = ANSWER_NAMES.get(answer, answer)
    when = turn.now
    await record.follow_up_answer(s, area=area, answer=given, when=when, after_close=after_close)


@event.listens_for(Session, "after_flush")
def _note_new_cases(session: Session, _context: Any) -> None:
    """Cases inserted in a transaction, kept in its session for `after_turn` (no query)."""
    new = [o for o in session.new if isinstance(o, Case)]
    if new:
        session.info.setdefault(NEW_CASES, []).extend(new)


def _day(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


async def flow_ended(turn: Turn, event: FlowEnded, before: State) -> None:
    """A flow ended; left by the resident (menu, stop) at an open question, it is counted."""
    if event.outcome in LEFT and before.flow == event.flow and before.node:
        await _safely(turn.session, _flow_left(turn, event.flow, before.node))


async def _flow_left(turn: Turn, flow: str, node: str) -> None:
    area = await area_of_resident(turn.session, turn.rid)
    await record.flow_left(turn.session, area=area, flow=flow, node=node, when=turn.now)


async def claimed(s: AsyncSession, case: Case, office: OfficeHours, now: datetime) -> None:
    """A worker claimed `case`: how long it waited, opened within office hours or not."""
    await _safely(s, _claimed(s, case, office, now))


async def _claimed(s: AsyncSession, case: Case, office: OfficeHours, now: datetime) -> None:
    await record.case_claimed(
        s,
        area=await area_of_case(s, case),
        waited=now - case.created_at,
        office=office.on_duty(case.created_at),
        when=now,
    )


async def replied(
    s: AsyncSession, case: Case, entry: TranscriptEntry, office: OfficeHours, now: datetime
) -> None:
    """A worker replied on `case`; the first reply is counted with how long it took."""
    await _safely(s, _replied(s, case, entry, office, now))


async def _replied(
    s: AsyncSession, case: Case, entry: TranscriptEntry, office: OfficeHours, now: datetime
) -> None:
    query = select(TranscriptEntry.data).where(
        TranscriptEntry.case_id == case.id,
        TranscriptEntry.direction == "out",
        col(TranscriptEntry.id) < (entry.id or 0),
    )
    for data in await s.exec(query):
        if data and data.get("worker_id") is not None and not data.get("bot"):
            return  # replied before
    await record.first_response(
        s,
        area=await area_of_case(s, case),
        waited=now - case.created_at,
        office=office.on_duty(case.created_at),
        when=now,
    )


async def closed(s: AsyncSession, case: Case, outcome: str, now: datetime) -> None:
    """A case was closed: for "no bed tonight", what followed."""
    if case.reason == "no_bed":
        await _safely(s, _no_bed(s, case, outcome, now))


async def _no_bed(s: AsyncSession, case: Case, outcome: str, now: datetime) -> None:
    await record.no_bed_outcome(s, area=await area_of_case(s, case), outcome=outcome, when=now)


async def _safely(s: AsyncSession, counting: Coroutine[Any, Any, None]) -> None:
    """Count inside a savepoint: a count that fails is logged and left out, and never takes
    the resident's message or the worker's action down with it."""
    try:
        async with s.begin_nested():
            await counting
    except SQLAlchemyError:
        logger.error("a neighbourhood signal was not counted", exc_info=True)
