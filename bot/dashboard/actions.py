"""What a worker does, each in one transaction together with its audit row; afterwards the
senders and the live updates are woken (`Conversations.notifier`).

Replies go the way every message to a resident goes: a transcript entry and an outbox row in
the same transaction; the channel's sender delivers it (the web chat shows the transcript).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.conversation import Conversations
from bot.dashboard import audit_reads, texts
from bot.dashboard.attachments import may_view_attachment
from bot.dashboard.whatsapp_window import WindowState, window_state
from bot.engine import Say, State
from bot.followups import closing
from bot.i18n import RTL, SOURCE, isolate_ltr, script_language
from bot.signals import hooks as signal_hooks
from storage import attachments as attachment_db
from storage import audit, casework, followups, history, notes, teams, users
from storage import outbox as outbox_db
from storage import residents as resident_db
from storage import states as state_db
from storage import transcripts as transcript_db
from storage.attachments import Attachment
from storage.case_filter import CaseFilter
from storage.cases import Case
from storage.casework import Actor, CaseView, QueueRow
from storage.db import Database
from storage.followups import FollowUp
from storage.history import History
from storage.notes import CaseNote
from storage.outbox import PRIORITY_NORMAL
from storage.residents import Resident
from storage.transcripts import TranscriptEntry
from storage.types import utcnow

logger = logging.getLogger(__name__)

MAX_REPLY = 4000  # Telegram takes 4096 characters; leave room for bidi marks
MAX_NOTE = 10_000
TRANSCRIPT_SHOWN = 300


class Refused(Exception):
    """The worker asked for something that cannot be done; `msgid` (bot/dashboard/texts.py)
    says why, with `params` filled in."""

    def __init__(self, msgid: str, status: int = 400, **params: object) -> None:
        super().__init__(msgid % params if params else msgid)
        self.msgid = msgid
        self.status = status
        self.params = params


@dataclass(frozen=True)
class Work:
    """One worker's request: where to write, who they are, where they are."""

    db: Database
    conversations: Conversations
    actor: Actor
    ip: str

    def notify(self) -> None:
        # A sender's trouble must not undo a committed action.
        self.conversations.notifier.notify_quietly(PRIORITY_NORMAL)


@dataclass
class CaseData:
    """Everything the case page shows."""

    view: CaseView
    transcript: list[TranscriptEntry]
    notes: list[CaseNote]
    names: dict[int, str] = field(default_factory=dict)  # user id -> name
    state: State | None = None
    colleagues: list[users.User] = field(default_factory=list)
    window: WindowState | None = None  # WhatsApp's 24-hour window, for a WhatsApp resident
    history: History | None = None  # the resident's earlier cases and the flows they used
    follow_ups: list[FollowUp] = field(default_factory=list)  # scheduled on this case


async def _record(
    s: AsyncSession,
    work: Work,
    action: str,
    now: datetime,
    case_id: int | None = None,
    detail: str = "",
    *,
    poll: bool = False,
) -> None:
    """An audit row of `work`'s worker. With `poll` (what a page fetches by itself) none when a
    read of the same thing by the same worker is on record lately (`audit_reads.POLL_EVERY`):
    polls must not drown the log."""
    if poll and await audit_reads.seen_lately(s, work.actor.id, case_id, now):
        return
    await audit.record(
        s,
        action,
        now=now,
        user_id=work.actor.id,
        user_name=work.actor.name,
        case_id=case_id,
        detail=detail,
        ip=work.ip,
    )


async def _visible(s: AsyncSession, work: Work) -> teams.Visible:
    """The teams whose cases the worker may see (bot/dashboard/need_to_know.py)."""
    return await teams.visible_teams(s, work.actor.id, work.actor.role)


async def log_view(work: Work, action: str, detail: str = "") -> None:
    """Note in the audit log that the worker looked at a page (`view_queue`, `view_audit`)."""
    async with work.db.transaction() as s:
        await _record(s, work, action, utcnow(), detail=detail)


async def log_poll(work: Work, action: str) -> None:
    """Note a page's own fetch of content (`view_queue_rows`), at most once in a while."""
    async with work.db.transaction() as s:
        await _record(s, work, action, utcnow(), poll=True)


async def view_close(work: Work, case_id: int) -> CaseView:
    """The case for its close page; the view is logged (the page shows who the resident is)."""
    async with work.db.transaction() as s:
        view = await casework.case_view(s, case_id)
        await _record(s, work, "view_close", utcnow(), case_id)
    return view


async def recently_closed(work: Work, wanted: CaseFilter | None = None) -> list[QueueRow]:
    """The cases closed lately (that `wanted` lets through); the view is logged."""
    async with work.db.transaction() as s:
        rows = await casework.recently_closed(
            s, wanted=wanted, limit=200 if wanted else 50, visible=await _visible(s, work)
        )
        await _record(s, work, "view_closed", utcnow())
    return rows


async def view_case(work: Work, case_id: int) -> CaseData:
    """The case with its transcript and notes; the view is logged."""
    now = utcnow()
    async with work.db.transaction() as s:
        view = await casework.case_view(s, case_id)
        entries = await transcript_db.transcript(s, view.case.resident_id, limit=TRANSCRIPT_SHOWN)
        found_notes = await notes.notes_of(s, case_id)
        state = await state_db.load_state(s, view.case.resident_id)
        everyone = await users.all_users(s)
        window = await window_state(s, view.resident, now)
        earlier = await history.of_resident(s, view.case.resident_id, besides=case_id)
        colleagues = [  # those who could see the case: of its team, or admins
            u
            for u in everyone
            if u.active
            and u.id not in (None, work.actor.id)
            and await teams.may_see(s, u.id or 0, u.role, view.case.team_id)
        ]
        planned = await followups.of_case(s, case_id)
        await _record(s, work, "view_case", now, case_id)
    return CaseData(
        view,
        entries,
        found_notes,
        {u.id: u.name for u in everyone if u.id is not None},
        State.from_dict(state) if state else None,
        colleagues,
        window,
        earlier,
        planned,
    )


async def view_attachment(work: Work, case_id: int, attachment_id: int) -> Attachment:
    """An attachment shown on a case's page, through the one access check; the view is
    logged. Raises `CaseNotFound` for one that is not there or not to be seen (alike)."""
    now = utcnow()
    async with work.db.transaction() as s:
        view = await casework.case_view(s, case_id)
        found = await attachment_db.get(s, attachment_id)
        if found is None or not await may_view_attachment(s, work.actor, view, found):
            raise casework.CaseNotFound(case_id)
        await _record(s, work, "view_attachment", now, case_id, f"attachment {attachment_id}")
    return found


async def updates(
    work: Work, case_id: int, *, after: int, notes_after: int
) -> tuple[CaseView, list[TranscriptEntry], list[CaseNote], dict[int, str]]:
    """What is new on a case page since transcript entry `after` and note `notes_after`."""
    async with work.db.transaction() as s:
        view = await casework.case_view(s, case_id)
        entries = [
            e
            for e in await transcript_db.transcript(
                s, view.case.resident_id, limit=TRANSCRIPT_SHOWN
            )
            if (e.id or 0) > after
        ]
        found = await notes.notes_of(s, case_id, after=notes_after)
        names = {u.id: u.name for u in await users.all_users(s) if u.id is not None}
        if entries or found:  # content the page had not shown yet: a read, audited
            detail = f"{len(entries)} messages, {len(found)} notes"
            await _record(s, work, "view_case_updates", utcnow(), case_id, detail, poll=True)
    return view, entries, found, names


async def claim(work: Work, case_id: int) -> Case:
    now = utcnow()
    async with work.db.transaction() as s:
        case = await casework.claim(s, case_id, work.actor, now=now)
        await signal_hooks.claimed(s, case, work.conversations.office, now)
        await _record(s, work, "claim", now, case_id)
    work.notify()
    return case


async def claim_next(work: Work) -> Case:
    now = utcnow()
    async with work.db.transaction() as s:
        case = await casework.claim_next(s, work.actor, now=now, visible=await _visible(s, work))
        if case is None:
            raise Refused(texts.NOTHING_WAITING, status=409)
        await signal_hooks.claimed(s, case, work.conversations.office, now)
        await _record(s, work, "claim", now, case.id, "next in queue")
    work.notify()
    return case


def _resident_language(resident: Resident, case: Case) -> str:
    return resident.language or case.language or SOURCE


def signed(text: str, name: str, lang: str) -> str:
    """A worker's reply as a channel shows it: "Sanne (buurtteam): ...", so that on Telegram
    too the resident sees a person wrote it, not the bot (the web chat shows the name apart)."""
    who = f"{name} (buurtteam):"
    return f"{isolate_ltr(who) if lang in RTL else who} {text}"


async def reply(work: Work, case_id: int, text: str) -> TranscriptEntry:
    """Send `text` to the case's resident (through the outbox)."""
    text = text.strip().replace("\r\n", "\n")
    if not text:
        raise Refused(texts.EMPTY_REPLY)
    if len(text) > MAX_REPLY:
        raise Refused(texts.REPLY_TOO_LONG, max=MAX_REPLY)
    now = utcnow()
    async with work.db.transaction() as s:
        case = await casework.for_reply(s, case_id, work.actor)
        resident = await s.get(Resident, case.resident_id)
        assert resident is not None  # the foreign key cascades
        lang = _resident_language(resident, case)
        if lang in RTL and script_language(text) == lang:
            text = isolate_ltr(text)  # phone numbers the right way round in Arabic
        entry = await transcript_db.add_transcript(
            s, case.resident_id, "out", text, now=now, data={"worker_id": work.actor.id}
        )
        entry.case_id = case.id
        worker = await s.get(users.User, work.actor.id)
        sent = signed(text, users.shown_name(worker) if worker else work.actor.name, lang)
        await outbox_db.enqueue(s, case.resident_id, sent, now=now, transcript_id=entry.id)
        await signal_hooks.replied(s, case, entry, work.conversations.office, now)
        await _record(s, work, "reply", now, case_id, f"transcript {entry.id}")
    work.notify()
    return entry


async def add_note(work: Work, case_id: int, text: str) -> CaseNote:
    """An internal note: for colleagues, never sent."""
    text = text.strip()
    if not text:
        raise Refused(texts.EMPTY_NOTE)
    now = utcnow()
    async with work.db.transaction() as s:
        await casework.case_view(s, case_id)  # exists
        note = await notes.add_note(s, case_id, work.actor.id, text[:MAX_NOTE], now=now)
        await _record(s, work, "note", now, case_id, f"note {note.id}")
    work.notify()
    return note


async def release(work: Work, case_id: int) -> Case:
    now = utcnow()
    async with work.db.transaction() as s:
        case = await casework.release(s, case_id, work.actor)
        await _record(s, work, "release", now, case_id)
    work.notify()
    return case


async def reassign(work: Work, case_id: int, to_user_id: int) -> Case:
    now = utcnow()
    async with work.db.transaction() as s:
        to = await users.get_user(s, to_user_id)
        found = await s.get(Case, case_id)
        if to is None or not to.active:
            raise Refused(texts.UNKNOWN_COLLEAGUE)
        if found is not None and not await teams.may_see(s, to_user_id, to.role, found.team_id):
            raise Refused(texts.UNKNOWN_COLLEAGUE)  # not of the case's team: could not see it
        case = await casework.reassign(s, case_id, work.actor, to, now=now)
        await _record(s, work, "reassign", now, case_id, f"to {to.name}")
    work.notify()
    return case


def closing_message(conversations: Conversations, lang: str) -> str:
    return conversations.catalogs.render(Say(texts.CLOSED, texts.CONTEXT), lang).text


async def close(work: Work, case_id: int, outcome: str, note: str = "") -> Case:
    """Close the case with `outcome`, tell the resident in their language, and hand them back
    to the bot: no open case any more, and the conversation idle, so their next message gets
    the menu."""
    if outcome not in casework.OUTCOMES:
        raise Refused(texts.UNKNOWN_OUTCOME)
    now = utcnow()
    async with work.db.transaction() as s:
        # The chat first, then the case row: the order the conversation path takes them in,
        # so the two cannot deadlock; and no message of theirs is half handled meanwhile.
        found = await s.get(Case, case_id)
        owner = await s.get(Resident, found.resident_id) if found is not None else None
        if owner is not None:
            await resident_db.lock_chat(s, owner.channel, owner.external_id)
        case = await casework.close(s, case_id, work.actor, outcome, now=now)
        if note.strip():
            await notes.add_note(
                s, case_id, work.actor.id, note.strip()[:MAX_NOTE], now=now, kind="close"
            )
        resident = await s.get(Resident, case.resident_id)
        assert resident is not None
        text = closing_message(work.conversations, _resident_language(resident, case))
        entry = await transcript_db.add_transcript(
            s, case.resident_id, "out", text, now=now, data={"worker_id": work.actor.id, "bot": 1}
        )
        entry.case_id = case.id
        await outbox_db.enqueue(s, case.resident_id, text, now=now, transcript_id=entry.id)
        lang = _resident_language(resident, case)
        await closing.ask_feedback(s, work.conversations.catalogs, case, lang, now=now)
        data = await state_db.load_state(s, case.resident_id) or {}
        state = State.from_dict(data)
        idle = State(vars=state.vars, wait=state.wait or "handed-back").to_dict()
        rest = {k: v for k, v in data.items() if k != "check"}  # an open risk question ends too
        await state_db.save_state(s, case.resident_id, {**rest, **idle}, now=now)
        await signal_hooks.closed(s, case, outcome, now)
        await _record(s, work, "close", now, case_id, outcome)
    work.notify()
    return case
