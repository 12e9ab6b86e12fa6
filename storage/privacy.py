"""What is stored about a resident, erasing it (`/vergeet`), and the purge by retention period.

Rows are deleted explicitly, children first, instead of trusting `ON DELETE CASCADE`: the
counts a resident is told come from the deletes themselves, and a database whose foreign keys
were created without CASCADE (or a SQLite connection without `PRAGMA foreign_keys`) still loses
everything. Rows without a foreign key are handled too: notes by their case, and the audit log,
which keeps a row saying *that* something was erased, never what.

Erasing keeps the resident row itself, emptied and under a fresh pseudonym, so the confirmation
can still go out through the outbox (whose rows belong to a resident). The purge removes such an
empty row once nothing is waiting to be sent (`ERASED_GRACE`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, exists, func, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import attachments as attachment_db
from storage import audit, handled, outbox_erase
from storage import followups as followup_db
from storage.cases import OPEN, Case
from storage.contacts import ContactEvent
from storage.db import ERASED
from storage.notes import CaseNote
from storage.residents import Resident, new_pseudonym
from storage.states import Conversation
from storage.transcripts import TranscriptEntry

ERASED_GRACE = timedelta(days=1)
"""How long the emptied row of an erased resident stays after its last message went out: long
enough for the web chat to show the confirmation."""

_CHUNK = 500  # ids per `IN (...)`: well below SQLite's and asyncpg's parameter limits
_PSEUDONYM_ATTEMPTS = 8


@dataclass(frozen=True)
class Retention:
    """Days each kind of data is kept (see docs/privacy.md)."""

    closed_case_days: int  # a closed case, its notes and the conversation it refers to
    flow_only_days: int  # messages and choices of residents without a case
    outbox_days: int  # delivery records of messages already sent (or given up)
    audit_days: int  # the audit log

    def __post_init__(self) -> None:
        for name in ("closed_case_days", "flow_only_days", "outbox_days", "audit_days"):
            if getattr(self, name) < 1:
                raise ValueError(f"retention {name} must be at least 1 day")


# --- what is stored ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Stored:
    """Counts and dates of what is kept about one resident: no text."""

    pseudonym: str
    language: str | None
    messages: int  # in and out
    first_message: datetime | None
    last_message: datetime | None
    topics: int  # flows started, and "did not help" answers (storage/contacts.py)
    answers: int  # answers saved in the conversation state (an amount, a date, ...)
    cases: int
    open_cases: int
    last_closed: datetime | None
    notes: int
    attachments: int = 0  # photos, PDFs, voice notes (storage/attachments.py)
    postcode: str | None = None  # its 4 digits, for the team of their area (storage/teams.py)


async def _count(s: AsyncSession, query: Any) -> int:
    return int((await s.exec(query)).one() or 0)


def _answers(state: dict[str, Any] | None) -> int:
    return len((state or {}).get("vars") or {})


async def stored(s: AsyncSession, resident_id: int) -> Stored:
    resident = await s.get(Resident, resident_id)
    if resident is None:
        raise LookupError(f"no resident {resident_id}")
    first, last, messages = (
        await s.exec(
            select(
                func.min(TranscriptEntry.created_at),
                func.max(TranscriptEntry.created_at),
                func.count(),
            ).where(TranscriptEntry.resident_id == resident_id)
        )
    ).one()
    found = list((await s.exec(select(Case).where(Case.resident_id == resident_id))).all())
    closed = [c.closed_at for c in found if c.status == "closed" and c.closed_at]
    state = (
        await s.exec(select(Conversation.state).where(Conversation.resident_id == resident_id))
    ).first()
    return Stored(
        pseudonym=resident.pseudonym,
        language=resident.language,
        postcode=resident.postcode,
        messages=int(messages or 0),
        first_message=first,  # MIN()/MAX() keep the column's type: aware UTC
        last_message=last,
        topics=await _count(s, select(func.count()).where(ContactEvent.resident_id == resident_id)),
        answers=_answers(state),
        cases=len(found),
        open_cases=sum(c.status in OPEN for c in found),
        last_closed=max(closed, default=None),
        notes=await _count(
            s,
            select(func.count()).where(
                col(CaseNote.case_id).in_(select(Case.id).where(Case.resident_id == resident_id))
            ),
        ),
        attachments=await attachment_db.count_of(s, resident_id),
    )


# --- erasing one resident (/vergeet) ------------------------------------------------------------


@dataclass(frozen=True)
class Erased:
    """What `/vergeet` removed: counts only."""

    pseudonym: str  # the pseudonym workers knew; the resident row now has a fresh one
    messages: int
    topics: int
    answers: int
    cases: int
    open_case: int | None  # the id of the case that was still open, if any
    notes: int
    outbox: int  # delivery records (the same messages, as queued for sending)
    attachments: int = 0


async def erase(s: AsyncSession, resident_id: int, *, now: datetime) -> Erased:
    """Delete everything stored about a resident, in the caller's transaction, and record in
    the audit log that it happened (pseudonym, case ids, counts; no content).

    An open case is erased as well: the resident's wish outranks the open conversation. The
    audit log keeps a row per erased case, so the worker who held it can see what happened.
    The resident row stays, emptied, under a new pseudonym and without a language: the
    confirmation is sent through it, and their next message starts afresh.
    """
    resident = (
        await s.exec(
            select(Resident)
            .where(Resident.id == resident_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).first()
    if resident is None:
        raise LookupError(f"no resident {resident_id}")
    old_pseudonym = resident.pseudonym
    s.info[ERASED] = True  # the transaction checkpoints after its commit (storage/db.py)
    # Cases first: a worker writing to the case holds its row; waiting for it here means the
    # reply they were sending is committed, and is deleted with the rest below.
    found = list(
        (
            await s.exec(
                select(Case.id, Case.status)
                .where(Case.resident_id == resident_id)
                .order_by(col(Case.id))
                .with_for_update()
            )
        ).all()
    )
    case_ids = [cid for cid, _ in found]
    open_case = next((cid for cid, status in found if status in OPEN), None)
    state = (
        await s.exec(select(Conversation.state).where(Conversation.resident_id == resident_id))
    ).first()
    notes = await _delete_in(s, CaseNote, col(CaseNote.case_id), case_ids)
    cases = await _delete_in(s, Case, col(Case.id), case_ids)
    topics = await _delete(s, ContactEvent, ContactEvent.resident_id == resident_id)
    await followup_db.delete_of(s, [resident_id])  # the question after a case stays, anonymous
    outbox = await outbox_erase.delete_of(s, [resident_id])
    files = await attachment_db.delete_of(s, [resident_id])
    messages = await _delete(s, TranscriptEntry, TranscriptEntry.resident_id == resident_id)
    await _delete(s, Conversation, Conversation.resident_id == resident_id)
    await _rekey(s, resident, now)
    erased = Erased(
        pseudonym=old_pseudonym,
        messages=messages,
        topics=topics,
        answers=_answers(state),
        cases=cases,
        open_case=open_case,
        notes=notes,
        outbox=outbox,
        attachments=files,
    )
    for cid, status in found:
        await audit.record(
            s,
            "erase",
            now=now,
            case_id=cid,
            detail=f"{old_pseudonym} erased their data; case was {status}",
        )
    await audit.record(s, "erase", now=now, detail=f"{old_pseudonym}: {describe(erased)}")
    return erased


def describe(erased: Erased) -> str:
    """The counts, for the audit log: `messages=12 topics=2 answers=1 cases=1 notes=3 ...`."""
    always = ("messages", "topics", "answers", "cases", "notes", "outbox")
    parts = [f"{k}={getattr(erased, k)}" for k in always]
    if erased.attachments:
        parts.append(f"attachments={erased.attachments}")
    if erased.open_case is not None:
        parts.append(f"open_case={erased.open_case}")
    return " ".join(parts)


async def _rekey(s: AsyncSession, resident: Resident, now: datetime) -> None:
    """A fresh pseudonym, no language, created now: nothing links the row to who it was."""
    for _ in range(_PSEUDONYM_ATTEMPTS):
        try:
            async with s.begin_nested():
                resident.pseudonym = new_pseudonym()
                resident.language = None
                resident.created_at = resident.last_seen_at = now
                resident.blocked_at = None
                resident.postcode = resident.postcode_declined_at = None  # teams (issue 20)
                s.add(resident)
        except IntegrityError:
            continue  # the pseudonym is taken: draw another
        return
    raise RuntimeError("could not draw a free pseudonym")


async def _delete(s: AsyncSession, table: Any, *where: Any) -> int:
    result = await s.exec(delete(table).where(*where))  # type: ignore[call-overload]
    return int(result.rowcount or 0)


async def _delete_in(s: AsyncSession, table: Any, column: Any, ids: Sequence[int]) -> int:
    removed = 0
    for start in range(0, len(ids), _CHUNK):
        removed += await _delete(s, table, column.in_(ids[start : start + _CHUNK]))
    return removed


# --- the purge by retention ----------------------------------------------------------------------

CATEGORIES = ("closed_cases", "flow_only", "erased", "outbox_sent", "handled_keys", "audit")
"""The retention categories, in the order the purge handles them."""


@dataclass
class Purged:
    """Rows removed (or, in a dry run, that would be), per category and table. No content."""

    removed: dict[str, dict[str, int]] = field(
        default_factory=lambda: {category: {} for category in CATEGORIES}
    )
    skipped: bool = False  # another process was purging at the same moment

    def add(self, category: str, table: str, count: int) -> None:
        if count:
            found = self.removed[category]
            found[table] = found.get(table, 0) + count

    @property
    def total(self) -> int:
        return sum(sum(tables.values()) for tables in self.removed.values())

    def describe(self) -> str:
        """`closed_cases: cases=2 notes=3; flow_only: residents=4 messages=51 ...`."""
        parts = []
        for category, tables in self.removed.items():
            counts = " ".join(f"{t}={n}" for t, n in tables.items()) or "0"
            parts.append(f"{category}: {counts}")
        return "; ".join(parts)


async def purge(s: AsyncSession, retention: Retention, *, now: datetime) -> Purged:
    """Delete what has outlived its retention period, in the caller's transaction, and record
    the counts in the audit log. Roll the transaction back for a dry run.

    - closed_cases: cases closed more than `closed_case_days` ago, with their notes.
    - flow_only: residents without a case (any more) who wrote nothing for `flow_only_days`,
      with everything of theirs; of the others without a case, messages and choices older
      than that. A resident with a case keeps their whole conversation: the case refers to it.
    - erased: the emptied row `/vergeet` leaves, once nothing waits to be sent to it.
    - outbox_sent: delivery records of messages sent or given up `outbox_days` ago.
    - handled_keys: ids of handled messages (storage/handled.py) older than `handled.KEEP`.
    - audit: audit log rows older than `audit_days`.
    """
    s.info[ERASED] = True  # the transaction checkpoints after its commit (storage/db.py)
    report = Purged()
    if not await _only_purger(s):
        report.skipped = True
        return report
    await _closed_cases(s, now - timedelta(days=retention.closed_case_days), report)
    # Delivery records before messages: a record points at its message (ON DELETE SET NULL).
    await _outbox_sent(s, now - timedelta(days=retention.outbox_days), report)
    await _flow_only(s, now - timedelta(days=retention.flow_only_days), report)
    await _erased(s, now - ERASED_GRACE, report)
    report.add("handled_keys", "keys", await handled.forget(s, before=now - handled.KEEP))
    audit_cutoff = now - timedelta(days=retention.audit_days)
    report.add(
        "audit", "audit_log", await _delete(s, audit.AuditEntry, audit.AuditEntry.at < audit_cutoff)
    )
    await audit.record(s, "purge", now=now, detail=report.describe())
    return report


async def _only_purger(s: AsyncSession) -> bool:
    """On PostgreSQL one purge at a time across processes (others skip this round): two purges
    deleting the same rows in a different order could deadlock."""
    if s.get_bind().dialect.name != "postgresql":
        return True
    query = text(
        "SELECT pg_try_advisory_xact_lock(hashtext('buurtbot.purge.' || current_schema()))"
    )
    return bool((await s.exec(query)).scalar())  # type: ignore[call-overload]


def _has_case() -> Any:
    return exists().where(Case.resident_id == Resident.id)


async def _closed_cases(s: AsyncSession, cutoff: datetime, report: Purged) -> None:
    query = select(Case.id).where(Case.status == "closed", col(Case.closed_at) < cutoff)
    ids = list((await s.exec(query.with_for_update(skip_locked=True))).all())
    report.add("closed_cases", "notes", await _delete_in(s, CaseNote, col(CaseNote.case_id), ids))
    report.add("closed_cases", "cases", await _delete_in(s, Case, col(Case.id), ids))


async def _outbox_sent(s: AsyncSession, cutoff: datetime, report: Purged) -> None:
    report.add("outbox_sent", "outbox", await outbox_erase.delete_finished(s, before=cutoff))


async def _residents(s: AsyncSession, *where: Any) -> list[int]:
    """Ids of the residents to remove, their rows locked: a message arriving meanwhile updates
    `last_seen_at` and waits for this transaction, so nobody is removed while writing."""
    query = select(Resident.id).where(*where).order_by(col(Resident.id)).with_for_update()
    return list((await s.exec(query)).all())


async def _remove_residents(s: AsyncSession, ids: list[int], category: str, report: Purged) -> None:
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        topics = await _delete(s, ContactEvent, col(ContactEvent.resident_id).in_(chunk))
        outbox = await outbox_erase.delete_of(s, chunk)
        files = await attachment_db.delete_of(s, chunk)
        messages = await _delete(s, TranscriptEntry, col(TranscriptEntry.resident_id).in_(chunk))
        await _delete(s, Conversation, col(Conversation.resident_id).in_(chunk))
        report.add(category, "residents", await _delete(s, Resident, col(Resident.id).in_(chunk)))
        report.add(category, "messages", messages)
        report.add(category, "topics", topics)
        report.add(category, "outbox", outbox)
        report.add(category, "attachments", files)


async def _flow_only(s: AsyncSession, cutoff: datetime, report: Purged) -> None:
    idle = await _residents(s, ~_has_case(), col(Resident.last_seen_at) < cutoff)
    await _remove_residents(s, idle, "flow_only", report)
    # Residents still writing: what they wrote before the cutoff.
    without_case = select(Resident.id).where(~_has_case())
    old = (col(TranscriptEntry.resident_id).in_(without_case), TranscriptEntry.created_at < cutoff)
    await outbox_erase.unlink_transcript(s, select(TranscriptEntry.id).where(*old))
    files = await attachment_db.delete_for_entries(s, select(TranscriptEntry.id).where(*old))
    report.add("flow_only", "attachments", files)
    report.add("flow_only", "messages", await _delete(s, TranscriptEntry, *old))
    old_topics = (col(ContactEvent.resident_id).in_(without_case), ContactEvent.at < cutoff)
    report.add("flow_only", "topics", await _delete(s, ContactEvent, *old_topics))


async def _erased(s: AsyncSession, cutoff: datetime, report: Purged) -> None:
    """Rows `/vergeet` emptied: no conversation, no case, nothing the resident wrote, nothing
    waiting to be sent. Every other resident has a conversation or a message of their own."""
    conversation = exists().where(Conversation.resident_id == Resident.id)
    wrote = exists().where(
        TranscriptEntry.resident_id == Resident.id, TranscriptEntry.direction == "in"
    )
    empty = (~conversation, ~_has_case(), ~wrote, ~outbox_erase.has_pending())
    ids = await _residents(s, *empty, col(Resident.last_seen_at) < cutoff)
    await _remove_residents(s, ids, "erased", report)
