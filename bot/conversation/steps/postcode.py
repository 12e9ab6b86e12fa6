"""The resident's postcode, for the team of their area (storage/teams.py, docs/teams.md).

When a case opens, it goes to the team of the resident's postcode; while the postcode is not
known, to the default team. Where teams cover areas and the resident has neither given nor
declined a postcode, the bot asks once, at the end of that turn: after any crisis lines,
never before them, with a "Zeg ik liever niet" button. Their answer moves the case to the
team of their area. Only the 4 digits are kept (the letters narrow it down to a street), and
the transcript keeps the 4 digits only too.

A typed answer that looks like a try (it has digits) and is no postcode is asked again once;
anything else is not an answer: the question is dropped and the message goes on its way (to
the worker), the case staying with the default team. A case a worker has claimed in the
meantime stays where it is, and the bot adds no line of its own to their conversation.
"""

from __future__ import annotations

import logging
import re
import unicodedata

from sqlmodel import col, select

from bot.conversation.turn import Context, Turn
from bot.engine.texts import N_
from bot.i18n import Rendered
from bot.signals import hooks as signal_hooks
from storage import audit, teams
from storage.cases import Case
from storage.residents import Resident
from storage.transcripts import TranscriptEntry

logger = logging.getLogger(__name__)

ASK_NOW = "postcode_ask"  # turn data: a case opened in this turn, the question goes at the end
WAITING = "postcode"  # turn data while the question waits: {"case": id, "tries": n}
PAYLOAD_NO = "postcode:no"
MAX_ANSWER = 40  # longer than this is a message, not a postcode

QUESTION = N_(
    "Om je bij het buurtteam van jouw wijk te krijgen: wat is je postcode? "
    "De 4 cijfers zijn genoeg, bijvoorbeeld 1023."
)
DECLINE = N_("Zeg ik liever niet")
AGAIN = N_(
    "Dat herken ik niet als postcode. Stuur de 4 cijfers, bijvoorbeeld 1023, "
    "of kies 'Zeg ik liever niet'."
)
THANKS = N_("Dank je. Je bericht gaat naar het buurtteam van jouw wijk.")
DECLINED = N_("Dat is goed. Een medewerker kijkt naar je bericht.")

_POSTCODE = re.compile(r"(?<![0-9])([1-9][0-9]{3})(?:[\s-]*([A-Za-z]{2}))?(?![0-9A-Za-z])")


def parse(text: str) -> str | None:
    """The 4 digits of a postcode typed as "1023 ab", "1023AB", "1023" (any digits, such as
    Arabic-Indic ones); None when `text` holds no single postcode."""
    text = "".join(
        str(unicodedata.digit(ch)) if ch.isdigit() else ch
        for ch in unicodedata.normalize("NFKC", text)
    ).strip()
    if not text or len(text) > MAX_ANSWER:
        return None
    found = _POSTCODE.findall(text)
    if len(found) != 1 or sum(ch.isdigit() for ch in text) != 4:
        return None
    return found[0][0]


async def case_opened(ctx: Context, turn: Turn, case: Case) -> None:
    """A new case: to the team of the resident's postcode (the default while unknown); and
    the question, at the end of the turn, when it may be asked."""
    s, now = turn.session, turn.now
    resident = await s.get(Resident, turn.rid)
    assert resident is not None
    team = await teams.team_for_postcode(s, resident.postcode)
    await teams.assign_team(s, case, team, why="opened", now=now)
    unknown = resident.postcode is None and resident.postcode_declined_at is None
    if unknown and await teams.routing_on(s):
        turn.data[ASK_NOW] = case.id


def ask_at_the_end(ctx: Context, turn: Turn, *, other_question: bool) -> None:
    """After every other line of the turn (the crisis lines first): the postcode question,
    unless the turn asks another question (the risk question waits for its yes or no)."""
    case_id = turn.data.pop(ASK_NOW, None)
    if case_id is None or other_question or turn.erased:
        return
    turn.add(question(ctx, turn.lang))
    turn.data[WAITING] = {"case": case_id, "tries": 0}


def question(ctx: Context, lang: str, msgid: str = QUESTION) -> Rendered:
    asked = ctx.say(msgid, lang)
    decline = ctx.say(DECLINE, lang).text
    return Rendered(asked.text, ((decline, PAYLOAD_NO),), asked.language, asked.source)


def waiting(turn: Turn) -> dict[str, int] | None:
    """The question waiting for this message's answer (taken off: answered once)."""
    found = turn.data.pop(WAITING, None)
    return found if isinstance(found, dict) else None


def is_answer(ctx: Context, turn: Turn, asked: dict[str, int]) -> bool:
    """Whether this message answers the question (then `answer` takes it); risk outranks it."""
    if turn.decision.opens_case or turn.decision.ask_check:
        return False
    inbound = turn.inbound
    if inbound.payload:
        return inbound.payload == PAYLOAD_NO
    text = inbound.text or ""
    if parse(text) is not None or _declines(ctx, turn, text):
        return True
    # A try that is no postcode ("1023 a b c", "10 23") is asked again, once.
    return asked.get("tries", 0) < 1 and any(ch.isdigit() for ch in text) and len(text) <= 40


def _declines(ctx: Context, turn: Turn, text: str) -> bool:
    said = " ".join(text.casefold().split()).strip(" .!")
    return said in {ctx.say(DECLINE, lang).text.casefold() for lang in {turn.lang, "nl"}}


async def answer(ctx: Context, turn: Turn, asked: dict[str, int]) -> None:
    s, now = turn.session, turn.now
    resident = await s.get(Resident, turn.rid)
    assert resident is not None
    case = await s.get(Case, asked.get("case"))
    inbound = turn.inbound
    text = "" if inbound.payload else inbound.text or ""
    digits = parse(text)
    if digits is None and not (inbound.payload == PAYLOAD_NO or _declines(ctx, turn, text)):
        turn.add(question(ctx, turn.lang, AGAIN))
        turn.data[WAITING] = {**asked, "tries": asked.get("tries", 0) + 1}
        return
    if digits is None:
        resident.postcode_declined_at = now
        team, why, msgid = await teams.default_team(s), "declined", DECLINED
    else:
        resident.postcode = digits
        await _keep_digits_only(turn, digits)
        team, why, msgid = await teams.team_for_postcode(s, digits), "postcode", THANKS
    s.add(resident)
    if case is not None and case.status == "waiting":
        await teams.assign_team(s, case, team, why=why, now=now)
        if ctx.signals:
            await signal_hooks.case_rerouted(turn, case)
        await audit.record(
            s, "resident_postcode", now=now, case_id=case.id, detail=team.name if team else "-"
        )
    if case is None or case.status != "claimed":  # a worker who holds it answers themselves
        turn.add(ctx.say(msgid, turn.lang))


async def _keep_digits_only(turn: Turn, digits: str) -> None:
    """The transcript keeps the 4 digits of the answer, not the letters."""
    query = (
        select(TranscriptEntry)
        .where(TranscriptEntry.resident_id == turn.rid, TranscriptEntry.direction == "in")
        .order_by(col(TranscriptEntry.id).desc())
        .limit(1)
    )
    entry = (await turn.session.exec(query)).first()
    if entry is not None and parse(entry.text) == digits:
        entry.text = digits
        turn.session.add(entry)
