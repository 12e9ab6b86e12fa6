"""What social workers do with cases: the queue, claiming, releasing, reassigning, closing.

Every change is a conditional UPDATE whose row count is checked, so two workers pressing at
the same moment never both win: on SQLite transactions take turns (`BEGIN IMMEDIATE`), on
PostgreSQL the second UPDATE waits for the first and then finds its condition false. Taking the
next case from the queue skips rows another transaction holds (`FOR UPDATE SKIP LOCKED`).

Functions raise a `CaseworkError` subclass when the action cannot be done; the dashboard maps
them to HTTP answers in one place (`bot/dashboard/middlewares.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, update
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.case_filter import CaseFilter, narrow
from storage.cases import OPEN, Case
from storage.residents import Resident
from storage.teams import EVERYTHING, Visible
from storage.transcripts import TranscriptEntry
from storage.users import User

OUTCOMES = ("helped", "referred", "no_reply", "not_needed", "other")


class CaseworkError(Exception):
    """A case action that cannot be done now."""


class CaseNotFound(CaseworkError):
    def __init__(self, case_id: int) -> None:
        super().__init__(f"no case {case_id}")
        self.case_id = case_id


class AlreadyClaimed(CaseworkError):
    """Someone else holds the case."""

    def __init__(self, case_id: int, holder: str) -> None:
        super().__init__(f"case {case_id} is held by {holder}")
        self.case_id = case_id
        self.holder = holder


class NotHolder(CaseworkError):
    """Only the worker who holds the case (or an admin) may do this."""

    def __init__(self, case_id: int, holder: str | None) -> None:
        super().__init__(f"case {case_id} is not yours (held by {holder or 'nobody'})")
        self.case_id = case_id
        self.holder = holder


class CaseClosed(CaseworkError):
    def __init__(self, case_id: int) -> None:
        super().__init__(f"case {case_id} is closed")
        self.case_id = case_id


class InvalidAction(CaseworkError):
    """The request itself is wrong (an unknown outcome, an inactive colleague, ...)."""


@dataclass(frozen=True)
class Actor:
    """The worker doing something."""

    id: int
    name: str
    role: str

    @property
    def admin(self) -> bool:
        return self.role == "admin"


@dataclass(frozen=True)
class QueueRow:
    """One open case as the queue shows it: never the chat id, only the pseudonym."""

    case: Case
    pseudonym: str
    channel: str
    worker_name: str | None
    last_message_at: datetime | None  # the resident's latest message


@dataclass(frozen=True)
class CaseView:
    case: Case
    resident: Resident
    worker_name: str | None


# --- reading --------------------------------------------------------------------------------


def _rows_query():
    worker = aliased(User)
    last_in = (
        select(func.max(TranscriptEntry.created_at))
        .where(TranscriptEntry.resident_id == Case.resident_id, TranscriptEntry.direction == "in")
        .correlate(Case)
        .scalar_subquery()
    )
    query = (
        select(Case, Resident.pseudonym, Resident.channel, worker.name, last_in)
        .join(Resident, col(Resident.id) == Case.resident_id)
        .outerjoin(worker, col(worker.id) == Case.worker_id)
    )
    return query


def _to_row(found: tuple[Case, str, str, str | None, datetime | None]) -> QueueRow:
    return QueueRow(*found)


async def queue(
    s: AsyncSession, wanted: CaseFilter | None = None, visible: Visible = EVERYTHING
) -> list[QueueRow]:
    """Every open case (that `wanted` lets through, of the teams `visible`), most urgent
    first, then the longest waiting."""
    query = _rows_query().where(col(Case.status).in_(OPEN), visible.condition())
    query = narrow(query, wanted or CaseFilter())
    query = query.order_by(col(Case.priority_rank), col(Case.created_at), col(Case.id))
    return [_to_row(r) for r in (await s.exec(query)).all()]


async def recently_closed(
    s: AsyncSession,
    *,
    limit: int = 50,
    wanted: CaseFilter | None = None,
    visible: Visible = EVERYTHING,
) -> list[QueueRow]:
    query = _rows_query().where(Case.status == "closed", visible.condition())
    query = narrow(query, wanted or CaseFilter(), dated=Case.closed_at)
    query = query.order_by(col(Case.closed_at).desc(), col(Case.id).desc()).limit(limit)
    return [_to_row(r) for r in (await s.exec(query)).all()]


async def case_view(s: AsyncSession, case_id: int) -> CaseView:
    found = (
        await s.exec(
            select(Case, Resident, User.name)
            .join(Resident, col(Resident.id) == Case.resident_id)
            .outerjoin(User, col(User.id) == Case.worker_id)
            .where(Case.id == case_id)
        )
    ).first()
    if found is None:
        raise CaseNotFound(case_id)
    case, resident, worker_name = found
    return CaseView(case, resident, worker_name)


async def _holder_name(s: AsyncSession, case: Case) -> str | None:
    if case.worker_id is None:
        return None
    user = await s.get(User, case.worker_id)
    return user.name if user else f"#{case.worker_id}"


async def _current(s: AsyncSession, case_id: int, *, lock: bool = False) -> Case:
    """The case as committed now (not a stale copy from this session's identity map)."""
    query = select(Case).where(Case.id == case_id).execution_options(populate_existing=True)
    if lock:
        query = query.with_for_update()
    case = (await s.exec(query)).first()
    if case is None:
        raise CaseNotFound(case_id)
    return case


# --- claiming -------------------------------------------------------------------------------


async def claim(s: AsyncSession, case_id: int, actor: Actor, *, now: datetime) -> Case:
    """Take a waiting case. Claiming one's own case again is fine; anyone else's raises
    `AlreadyClaimed` naming the holder."""
    result = await s.exec(
        update(Case)
        .where(col(Case.id) == case_id, Case.status == "waiting")
        .values(status="claimed", worker_id=actor.id, claimed_at=now)
    )
    case = await _current(s, case_id)
    if result.rowcount == 1:
        return case
    if case.status == "closed":
        raise CaseClosed(case_id)
    if case.worker_id == actor.id:
        return case
    raise AlreadyClaimed(case_id, await _holder_name(s, case) or "?")


async def claim_next(
    s: AsyncSession, actor: Actor, *, now: datetime, visible: Visible = EVERYTHING
) -> Case | None:
    """Take the most urgent, longest waiting case (of the teams `visible`); None when nothing
    waits."""
    for _ in range(5):
        query = (
            select(Case.id)
            .where(Case.status == "waiting", visible.condition())
            .order_by(col(Case.priority_rank), col(Case.created_at), col(Case.id))
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        case_id = (await s.exec(query)).first()
        if case_id is None:
            return None
        try:
            return await claim(s, case_id, actor, now=now)
        except (AlreadyClaimed, CaseClosed, CaseNotFound):
            continue  # taken in between (SQLite has no SKIP LOCKED): try the next one
    return None


async def _held(s: AsyncSession, case_id: int, actor: Actor) -> Case:
    """The open case, locked for this transaction, if `actor` may act on it: its holder, or an
    admin."""
    case = await _current(s, case_id, lock=True)
    if case.status == "closed":
        raise CaseClosed(case_id)
    if case.worker_id != actor.id and not actor.admin:
        raise NotHolder(case_id, await _holder_name(s, case))
    return case


async def for_reply(s: AsyncSession, case_id: int, actor: Actor) -> Case:
    """The case, locked, if `actor` may write to its resident now: they hold it."""
    case = await _current(s, case_id, lock=True)
    if case.status == "closed":
        raise CaseClosed(case_id)
    if case.status != "claimed" or case.worker_id != actor.id:
        raise NotHolder(case_id, await _holder_name(s, case))
    return case


async def release(s: AsyncSession, case_id: int, actor: Actor) -> Case:
    """Back to the queue, waiting for anyone."""
    case = await _held(s, case_id, actor)
    await s.exec(
        update(Case)
        .where(col(Case.id) == case_id, col(Case.status).in_(OPEN))
        .values(status="waiting", worker_id=None, claimed_at=None)
    )
    return await _current(s, case.id or case_id)


async def reassign(s: AsyncSession, case_id: int, actor: Actor, to: User, *, now: datetime) -> Case:
    """Hand the case to a colleague, who then holds it."""
    if not to.active or to.role not in ("worker", "admin"):
        raise InvalidAction(f"{to.name} cannot take cases")
    case = await _held(s, case_id, actor)
    await s.exec(
        update(Case)
        .where(col(Case.id) == case_id, col(Case.status).in_(OPEN))
        .values(status="claimed", worker_id=to.id, claimed_at=now)
    )
    return await _current(s, case.id or case_id)


async def close(
    s: AsyncSession, case_id: int, actor: Actor, outcome: str, *, now: datetime
) -> Case:
    """Close the case with an outcome; the caller tells the resident and hands them back."""
    if outcome not in OUTCOMES:
        raise InvalidAction(f"unknown outcome {outcome!r}")
    case = await _held(s, case_id, actor)
    result = await s.exec(
        update(Case)
        .where(col(Case.id) == case_id, col(Case.status).in_(OPEN))
        .values(status="closed", closed_at=now, outcome=outcome)
    )
    if result.rowcount != 1:
        raise CaseClosed(case_id)
    return await _current(s, case.id or case_id)


async def release_all(s: AsyncSession, worker_id: int) -> list[int]:
    """Put every case `worker_id` holds back in the queue (their account is disabled):
    no resident waits for someone who is gone. Returns the case ids."""
    held = select(Case.id).where(Case.worker_id == worker_id, Case.status == "claimed")
    ids = list((await s.exec(held)).all())
    if ids:
        await s.exec(
            update(Case)
            .where(col(Case.id).in_(ids), Case.status == "claimed")
            .values(status="waiting", worker_id=None, claimed_at=None)
        )
    return ids
