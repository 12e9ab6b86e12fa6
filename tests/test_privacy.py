"""`/vergeet` and `/gegevens` through the conversation path and a real database (SQLite and
PostgreSQL): what is asked, what is erased, what is kept, and what the resident is told."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import select

from bot.conversation import LANGUAGE_ASK, Conversations, Inbound, privacy
from bot.engine import load, texts
from bot.i18n import Catalogs
from bot.risk import load as load_risk
from storage import notes
from storage import residents as resident_db
from storage import states as state_db
from storage import transcripts as transcript_db
from storage.audit import AuditEntry
from storage.cases import Case
from storage.contacts import ContactEvent
from storage.notes import CaseNote
from storage.outbox import OutboxMessage
from storage.privacy import Retention
from storage.residents import Resident
from storage.states import Conversation
from storage.transcripts import TranscriptEntry

ROOT = Path(__file__).resolve().parents[1]
FLOWS = load(ROOT / "tests" / "engine" / "runtime_flows")
RISK = load_risk(ROOT / "flows" / "risk")
START = datetime(2026, 11, 16, 10, tzinfo=UTC)  # a Monday, 11:00 in Amsterdam
RETENTION = Retention(closed_case_days=90, flow_only_days=21, outbox_days=7, audit_days=365)
SECRET = "ik heb 7300 euro schuld bij de woningcorporatie"


class Clock:
    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def conversations(database, clock: Clock | None = None, catalogs=None) -> Conversations:
    return Conversations(
        database,
        FLOWS,
        catalogs or Catalogs.empty(),
        risk=RISK,
        retention=RETENTION,
        clock=clock or Clock(),
    )


def text(chat: str, body: str) -> Inbound:
    return Inbound("telegram", chat, text=body)


def press(chat: str, payload: str, label: str = "") -> Inbound:
    return Inbound("telegram", chat, text=label or payload, payload=payload)


async def a_conversation(c: Conversations, chat: str) -> None:
    """Hello, Dutch, the debt flow (a topic; two saved answers), and a secret typed as text."""
    await c.receive(text(chat, "hallo"))
    await c.receive(press(chat, "lang:nl", "Nederlands"))
    await c.receive(text(chat, "1"))  # Geldzorgen en schulden: a topic
    replies = await c.receive(text(chat, "Ik heb achterstanden"))
    assert replies[-1].text == "Hoeveel schuld heb je ongeveer, in euro?"
    await c.receive(text(chat, "7300"))  # saved as debt_total
    await c.receive(text(chat, SECRET))


async def rows(database, chat: str = "") -> dict[str, int]:
    """Rows per table (of one chat's resident, when given)."""
    async with database.transaction() as s:
        resident = await resident_db.find_resident(s, "telegram", chat) if chat else None
        rid = resident.id if resident else None

        async def count(table, column) -> int:
            query = select(table)
            if chat:
                query = query.where(column == rid)
            return len((await s.exec(query)).all())

        case_ids = [
            c.id for c in (await s.exec(select(Case))).all() if not chat or c.resident_id == rid
        ]
        note_rows = (await s.exec(select(CaseNote))).all()
        return {
            "messages": await count(TranscriptEntry, TranscriptEntry.resident_id),
            "outbox": await count(OutboxMessage, OutboxMessage.resident_id),
            "topics": await count(ContactEvent, ContactEvent.resident_id),
            "conversation": await count(Conversation, Conversation.resident_id),
            "cases": len(case_ids),
            "notes": sum(n.case_id in case_ids for n in note_rows),
        }


async def test_vergeet_asks_first_and_erases_nothing_yet(database):
    c = conversations(database)
    await a_conversation(c, "1")
    before = await rows(database, "1")
    replies = await c.receive(text("1", "/vergeet"))
    assert [r.text for r in replies] == [privacy.FORGET_ASK]
    assert replies[0].buttons == (
        (privacy.FORGET_YES, "forget:y"),
        (privacy.FORGET_NO, "forget:n"),
    )
    after = await rows(database, "1")
    assert after["messages"] == before["messages"] + 2  # the command and the question
    assert after["topics"] == before["topics"] == 1


async def test_yes_erases_everything_and_says_what_was_removed(database):
    c = conversations(database)
    await a_conversation(c, "1")
    await a_conversation(c, "2")  # someone else, who keeps everything
    others = await rows(database, "2")
    async with database.transaction() as s:
        old = await resident_db.find_resident(s, "telegram", "1")
        old_pseudonym, rid = old.pseudonym, old.id
        stored_messages = len(await transcript_db.transcript(s, rid))
    queued = (await rows(database, "1"))["outbox"]

    await c.receive(text("1", "/vergeet"))
    replies = await c.receive(press("1", "forget:y", privacy.FORGET_YES))

    erased_messages = stored_messages + 3  # + the command, the question and the press
    assert [r.text for r in replies] == [
        privacy.FORGET_DONE.format(messages=erased_messages, topics=1, answers=2, cases=0, notes=0),
        privacy.FORGET_AFTER,
    ]
    async with database.transaction() as s:
        resident = await s.get(Resident, rid)
        # The row stays to carry the confirmation, but nothing links it to who it was.
        assert resident.pseudonym != old_pseudonym
        assert resident.language is None
        assert resident.created_at == START
        entries = await transcript_db.transcript(s, rid)
        assert [(e.direction, e.text) for e in entries] == [("out", r.text) for r in replies]
        outbox = (await s.exec(select(OutboxMessage).where(OutboxMessage.resident_id == rid))).all()
        assert [m.text for m in outbox] == [r.text for r in replies]
        assert await state_db.load_state(s, rid) is None
        audit = (await s.exec(select(AuditEntry).where(AuditEntry.action == "erase"))).all()
    assert [a.detail for a in audit] == [
        f"{old_pseudonym}: messages={erased_messages} topics=1 answers=2 cases=0 notes=0 "
        f"outbox={queued + 1}"
    ]
    left = await rows(database, "1")
    assert left == {
        "messages": 2,  # the confirmation, as the web chat shows it
        "outbox": 2,  # the confirmation, to be sent
        "topics": 0,
        "conversation": 0,
        "cases": 0,
        "notes": 0,
    }
    assert await rows(database, "2") == others


async def test_after_erasing_the_next_message_starts_afresh(database):
    c = conversations(database)
    await a_conversation(c, "3")
    await c.receive(text("3", "/vergeet"))
    await c.receive(text("3", "ja"))  # typed works too
    replies = await c.receive(text("3", "hallo"))
    assert [r.text for r in replies] == [texts.GREETING, LANGUAGE_ASK]


async def test_no_keeps_everything_and_goes_on_with_the_open_question(database):
    c = conversations(database)
    await a_conversation(c, "4")
    await c.receive(text("4", "/forget"))
    before = await rows(database, "4")
    replies = await c.receive(text("4", "nee"))
    assert replies[0].text == privacy.FORGET_KEPT
    async with database.transaction() as s:
        resident = await resident_db.find_resident(s, "telegram", "4")
        assert resident.language == "nl"
        assert privacy.PENDING not in await state_db.load_state(s, resident.id)
    assert (await rows(database, "4"))["messages"] == before["messages"] + 1 + len(replies)


async def test_another_message_drops_the_question_and_an_old_yes_only_asks_again(database):
    c = conversations(database)
    await a_conversation(c, "5")
    await c.receive(text("5", "/vergeet"))
    await c.receive(text("5", "/menu"))  # not an answer: the question is gone
    replies = await c.receive(press("5", "forget:y", privacy.FORGET_YES))
    assert [r.text for r in replies] == [privacy.FORGET_ASK]
    assert (await rows(database, "5"))["topics"] == 1  # nothing erased
    replies = await c.receive(press("5", "forget:y", privacy.FORGET_YES))
    assert replies[0].text.startswith("Klaar.")


async def test_an_open_case_is_erased_too_and_the_audit_log_says_so(database):
    clock = Clock()
    c = conversations(database, clock)
    await a_conversation(c, "6")
    await c.receive(text("6", "/mens"))
    async with database.transaction() as s:
        case = (await s.exec(select(Case))).one()
        await notes.add_note(s, case.id, None, "belt morgen terug", now=START)
        pseudonym = (await s.get(Resident, case.resident_id)).pseudonym
    replies = await c.receive(text("6", "/vergeet"))
    assert replies[0].text == privacy.FORGET_ASK + "\n\n" + privacy.FORGET_ASK_OPEN_CASE
    async with database.transaction() as s:  # the worker sees the request in the case
        entries = await transcript_db.transcript(s, case.resident_id)
        assert any(e.text == "/vergeet" and e.case_id == case.id for e in entries)
    replies = await c.receive(text("6", "ja graag"))
    assert "gesprekken met een medewerker: 1\nnotities van medewerkers: 1" in replies[0].text
    async with database.transaction() as s:
        assert (await s.exec(select(Case))).all() == []
        assert (await s.exec(select(CaseNote))).all() == []
        audit = (await s.exec(select(AuditEntry).order_by(AuditEntry.id))).all()
    by_case = [a for a in audit if a.case_id == case.id]
    assert [(a.action, a.detail) for a in by_case] == [
        ("erase", f"{pseudonym} erased their data; case was waiting")
    ]
    assert "open_case=" in audit[-1].detail
    for entry in audit:  # counts and codes, never what anyone wrote
        assert "schuld" not in entry.detail and "morgen" not in entry.detail


async def test_risk_goes_first_even_in_a_vergeet_command(database):
    c = conversations(database)
    await a_conversation(c, "7")
    replies = await c.receive(text("7", "/vergeet ik wil dood"))
    assert "113" in replies[0].text
    assert all(r.text != privacy.FORGET_ASK for r in replies)
    async with database.transaction() as s:
        case = (await s.exec(select(Case))).one()
        assert case.priority == "urgent"
        resident = await s.get(Resident, case.resident_id)
        assert privacy.PENDING not in await state_db.load_state(s, resident.id)


async def test_gegevens_lists_counts_dates_and_retention_but_no_text(database):
    clock = Clock()
    c = conversations(database, clock)
    await a_conversation(c, "8")
    clock.now = START + timedelta(days=3)
    replies = await c.receive(text("8", "/gegevens"))
    summary = replies[0].text
    assert SECRET not in summary and "7300" not in summary
    # The open question of the flow comes again after the summary.
    assert replies[-1].text == "Heb je vannacht een slaapplek?"
    async with database.transaction() as s:
        resident = await resident_db.find_resident(s, "telegram", "8")
        messages = len(await transcript_db.transcript(s, resident.id)) - len(replies)  # before them
    assert summary.splitlines() == [
        privacy.MYDATA_HEAD,
        privacy.MYDATA_ID.format(pseudonym=resident.pseudonym),
        privacy.MYDATA_LANGUAGE,
        privacy.MYDATA_MESSAGES.format(
            count=messages, first="16 november 2026", last="19 november 2026"
        ),
        privacy.MYDATA_TOPICS.format(count=1),
        privacy.MYDATA_ANSWERS.format(count=2),
        "",
        privacy.MYDATA_KEEP_FLOW.format(days=21),
        "",
        privacy.MYDATA_FOOT,
    ]


async def test_gegevens_with_a_case_says_how_long_a_case_is_kept(database):
    c = conversations(database)
    await a_conversation(c, "9")
    await c.receive(text("9", "/mens"))
    replies = await c.receive(text("9", "mijn gegevens"))  # typed, not a command
    summary = replies[0].text
    assert privacy.MYDATA_CASES.format(count=1, open=1) in summary
    assert privacy.MYDATA_KEEP_CASE.format(days=90) in summary
    assert privacy.MYDATA_KEEP_FLOW.format(days=21) not in summary


async def test_typed_words_in_every_language_ask_the_question():
    now = START
    for typed in ("vergeet mij", "Forget me", "احذف بياناتي", "/vergeet@BuurtBot", "/FORGET"):
        assert privacy.request(typed, None, pending=False, now=now) is privacy.Request.ASK, typed
    for typed in ("/gegevens", "/mydata", "My data", "بياناتي"):
        assert privacy.request(typed, None, pending=False, now=now) is privacy.Request.MYDATA
    # Only whole messages: a sentence that mentions the words is left to the flows.
    assert privacy.request("ik vergeet mij afspraak", None, pending=False, now=now) is None
    assert privacy.request("yes", None, pending=False, now=now) is None
    assert privacy.request("yes", None, pending=True, now=now) is privacy.Request.YES
    assert privacy.request("نعم", None, pending=True, now=now) is privacy.Request.YES
    assert privacy.request("misschien", None, pending=True, now=now) is None


async def test_the_confirmation_is_in_the_residents_language(database):
    c = conversations(database, catalogs=Catalogs.load(ROOT / "locales"))
    await c.receive(text("10", "hallo"))
    await c.receive(press("10", "lang:ar", "العربية"))
    question = await c.receive(text("10", "/vergeet"))
    assert question[0].language == "ar"
    assert all(label != privacy.FORGET_YES for label, _ in question[0].buttons)
    replies = await c.receive(press("10", "forget:y", question[0].buttons[0][0]))
    assert [r.language for r in replies] == ["ar", "ar"]
    assert "/mens" in replies[-1].text


async def test_erased_text_is_gone_from_the_sqlite_file_and_its_log(tmp_path):
    """secure_delete overwrites what was deleted, and a checkpoint after the erase empties the
    write-ahead log, which still held the old pages."""
    from storage.db import Database as Db

    path = tmp_path / "scrub.db"
    database = Db(f"sqlite:///{path}")
    await database.create_all()
    try:
        c = conversations(database)
        await a_conversation(c, "1")
        marker = SECRET.encode()
        # In a running bot SQLite checkpoints by itself: the text is in the file's pages too.
        await database.checkpoint()
        assert marker in path.read_bytes()
        await c.receive(text("1", "/vergeet"))
        await c.receive(press("1", "forget:y", privacy.FORGET_YES))
        for p in tmp_path.glob("scrub.db*"):
            assert marker not in p.read_bytes(), p.name
    finally:
        await database.dispose()


async def test_the_purge_leaves_no_copy_in_the_sqlite_file(tmp_path):
    from bot.ops.purge import run as purge_run
    from storage.db import Database as Db

    path = tmp_path / "purge.db"
    database = Db(f"sqlite:///{path}")
    await database.create_all()
    try:
        clock = Clock()
        c = conversations(database, clock)
        await a_conversation(c, "1")
        await purge_run(database, RETENTION, now=START + timedelta(days=60))
        for p in tmp_path.glob("purge.db*"):
            assert SECRET.encode() not in p.read_bytes(), p.name
    finally:
        await database.dispose()
