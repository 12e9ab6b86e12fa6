"""`/vergeet` (erase my data) and `/gegevens` (what do you keep about me), for residents.

`/vergeet` first asks (buttons Yes/No; a typed yes or no works too), then erases everything
(storage/privacy.py) and says what was removed, in counts, in the resident's language.
`/gegevens` lists what is kept, in counts and dates, and how long: never the text itself.

Called by the conversation path (bot/conversation/steps/privacy.py) after the risk check, so
a message such as "/vergeet ik wil dood" gets the crisis lines and a case, not the question.
The texts state only what Buurtbot does itself; docs/privacy.md says the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Config
from bot.engine import Say
from bot.engine.answers import InvalidAnswer, parse_answer
from bot.engine.fold import fold
from bot.engine.texts import N_
from bot.i18n import Catalogs, Rendered
from bot.understanding import intents
from storage import followups as followup_db
from storage import privacy
from storage.followups import FollowUp
from storage.privacy import Retention
from storage.residents import Resident

CONTEXT = "privacy"
FORGET_PAYLOAD = "forget:"
"""Button payloads of the question: `forget:y`, `forget:n`."""
PENDING = "forget"
"""Key in the stored conversation data while the question waits for an answer."""

FORGET_COMMANDS = frozenset({"vergeet", "forget"})
MYDATA_COMMANDS = frozenset({"gegevens", "mydata"})
# Typed on their own, folded (`bot.engine.fold`): content in flows/intents/*.yaml (`forget:`,
# `mydata:`); the Arabic and Tigrinya ones are drafts, to be checked like the translations.
FORGET_WORDS = frozenset(fold(w) for w in intents.default().phrases("forget"))
MYDATA_WORDS = frozenset(fold(w) for w in intents.default().phrases("mydata"))

# --- texts -------------------------------------------------------------------------------------

FORGET_ASK = N_(
    "Wil je dat ik alles wis wat ik over jou heb bewaard? Dat zijn je berichten, mijn "
    "antwoorden, je keuzes en je gesprekken met een medewerker. Wissen kan niet ongedaan "
    "worden. Eerst zien wat ik bewaar? Typ /gegevens."
)
# Translators: added to the question above when a social worker is helping the resident now.
FORGET_ASK_OPEN_CASE = N_(
    "Let op: een medewerker van het buurtteam helpt je nu. Als ik alles wis, stopt dat gesprek "
    "en kan de medewerker je berichten niet meer lezen."
)
# Translators: button under the question.
FORGET_YES = N_("Ja, wis alles")
# Translators: button under the question.
FORGET_NO = N_("Nee, niet wissen")
FORGET_KEPT = N_("Goed, ik heb niets gewist.")
# Translators: after erasing. The numbers are counts; keep each "word: {count}" line.
FORGET_DONE = N_(
    "Klaar. Ik heb alles over jou gewist:\n"
    "berichten: {messages}\n"
    "gekozen onderwerpen: {topics}\n"
    "antwoorden op vragen: {answers}\n"
    "gesprekken met een medewerker: {cases}\n"
    "notities van medewerkers: {notes}"
)
FORGET_AFTER = N_(
    "In ons logboek blijft alleen staan dat je gegevens zijn gewist, en wie van het buurtteam "
    "je gesprek wanneer bekeek, zonder inhoud. Je chatnummer en dit bericht bewaar ik nog "
    "kort, om dit bericht te kunnen sturen. Je eigen kopie van dit gesprek, in je telefoon of "
    "browser, wis ik niet: die kun je daar zelf verwijderen. Wil je later weer iets vragen? "
    "Stuur gewoon een bericht. Een mens spreken kan altijd: typ /mens."
)

MYDATA_HEAD = N_("Dit heb ik over jou bewaard:")
# Translators: {pseudonym} is a code such as Bewoner-7F3K2; keep it as it is.
MYDATA_ID = N_(
    "- je chatnummer, om je te kunnen antwoorden. Medewerkers zien dat nummer niet: voor hen "
    "ben je {pseudonym}."
)
MYDATA_LANGUAGE = N_("- de taal die je koos.")
MYDATA_POSTCODE = N_("- de 4 cijfers van je postcode ({postcode}), voor het buurtteam van je wijk.")
# Translators: {first} and {last} are dates.
MYDATA_MESSAGES = N_("- berichten van jou en van mij: {count}, van {first} tot en met {last}.")
MYDATA_TOPICS = N_("- onderwerpen die je koos: {count}.")
MYDATA_ANSWERS = N_("- antwoorden op mijn vragen, zoals een bedrag: {count}.")
MYDATA_CASES = N_("- gesprekken met een medewerker van het buurtteam: {count}, nu open: {open}.")
MYDATA_NOTES = N_("- notities van medewerkers over je gesprek: {count}.")
MYDATA_ATTACHMENTS = N_("- foto's, documenten en spraakberichten van jou: {count}.")
# Translators: {date} is a date. "stop" is the word the resident types; keep it.
MYDATA_FOLLOW_UPS = N_(
    "- vragen die ik je later nog stel, om te horen hoe het ging: {count}, de eerste op {date}. "
    "Typ stop als je ze niet wilt."
)
MYDATA_KEEP_FLOW = N_(
    "Berichten bewaar ik {days} dagen. Stuur je {days} dagen niets, dan wis ik alles."
)
MYDATA_KEEP_CASE = N_(
    "Zolang een gesprek met een medewerker open is, bewaar ik alles. Is het gesprek gesloten, "
    "dan bewaar ik het nog {days} dagen. Daarna wis ik het."
)
MYDATA_FOOT = N_(
    "Alles nu wissen? Typ /vergeet. Vragen over je gegevens? Typ /mens, dan helpt een "
    "medewerker je."
)


# --- what the resident asks ----------------------------------------------------------------------


class Request(StrEnum):
    ASK = "ask"  # /vergeet: ask whether they are sure
    YES = "yes"  # the answer to that question
    NO = "no"
    MYDATA = "mydata"  # /gegevens


def request(
    text: str | None, payload: str | None, *, pending: bool, now: datetime
) -> Request | None:
    """What a message asks of this module, or None. `pending`: the question was asked last.
    Any other message while the question is open leaves the data alone (the caller drops the
    question)."""
    if payload and payload.startswith(FORGET_PAYLOAD):
        yes = payload == f"{FORGET_PAYLOAD}y"
        if yes and not pending:
            return Request.ASK  # a Yes under an older question: ask again, erase nothing
        return Request.YES if yes else Request.NO
    if payload:
        return None
    typed = (text or "").strip()
    word = _command(typed)
    if word in FORGET_COMMANDS or fold(typed) in FORGET_WORDS:
        return Request.ASK
    if word in MYDATA_COMMANDS or fold(typed) in MYDATA_WORDS:
        return Request.MYDATA
    if pending and not typed.startswith("/"):
        try:
            return Request.YES if parse_answer("yes_no", typed, now.date()) else Request.NO
        except InvalidAnswer:
            return None
    return None


def _command(text: str) -> str | None:
    if not text.startswith("/") or len(text) < 2:
        return None
    return text[1:].split(maxsplit=1)[0].split("@", 1)[0].casefold()


# --- answering ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    replies: tuple[Rendered, ...]
    pending: bool = False  # the question is open: keep `PENDING` in the conversation data
    erased: bool = False  # everything is gone: store nothing more from this turn
    repeat: bool = False  # show the open question of the flow again


def retention_of(config: Config) -> Retention:
    return Retention(
        closed_case_days=config.retention_closed_case_days,
        flow_only_days=config.retention_flow_only_days,
        outbox_days=config.retention_outbox_days,
        audit_days=config.retention_audit_days,
    )


class Privacy:
    """Answers `/vergeet` and `/gegevens` inside the conversation's transaction."""

    def __init__(self, catalogs: Catalogs, retention: Retention | None = None) -> None:
        self.catalogs = catalogs
        self.retention = retention or retention_of(Config())

    async def handle(
        self,
        s: AsyncSession,
        resident: Resident,
        asked: Request,
        lang: str,
        *,
        open_case: bool,
        now: datetime,
    ) -> Outcome:
        if asked is Request.ASK:
            return Outcome((self._question(lang, open_case),), pending=True)
        if asked is Request.NO:
            return Outcome((self._say(FORGET_KEPT, lang),), repeat=True)
        if asked is Request.MYDATA:
            summary = await privacy.stored(s, resident.id or 0)
            planned = await followup_db.waiting_of(s, resident.id or 0)
            return Outcome((self._summary(summary, lang, planned),), repeat=True)
        erased = await privacy.erase(s, resident.id or 0, now=now)
        done = self._say(
            FORGET_DONE,
            lang,
            messages=erased.messages,
            topics=erased.topics,
            answers=erased.answers,
            cases=erased.cases,
            notes=erased.notes,
        )
        return Outcome((done, self._say(FORGET_AFTER, lang)), erased=True)

    def _question(self, lang: str, open_case: bool) -> Rendered:
        ask = self._say(FORGET_ASK, lang)
        text, source = ask.text, ask.source
        if open_case:
            more = self._say(FORGET_ASK_OPEN_CASE, lang)
            text += "\n\n" + more.text
            source = f"{source}\n\n{more.source}" if source and more.source else source
        yes, no = (self._say(label, lang).text for label in (FORGET_YES, FORGET_NO))
        buttons = ((yes, f"{FORGET_PAYLOAD}y"), (no, f"{FORGET_PAYLOAD}n"))
        return Rendered(text, buttons, ask.language, source)

    def _summary(
        self, found: privacy.Stored, lang: str, planned: Sequence[FollowUp] = ()
    ) -> Rendered:
        lines = [(MYDATA_HEAD, {}), (MYDATA_ID, {"pseudonym": found.pseudonym})]
        if found.language:
            lines.append((MYDATA_LANGUAGE, {}))
        if found.postcode:
            lines.append((MYDATA_POSTCODE, {"postcode": found.postcode}))
        if found.messages and found.first_message and found.last_message:
            first, last = found.first_message.date(), found.last_message.date()
            lines.append((MYDATA_MESSAGES, {"count": found.messages, "first": first, "last": last}))
        if found.topics:
            lines.append((MYDATA_TOPICS, {"count": found.topics}))
        if found.answers:
            lines.append((MYDATA_ANSWERS, {"count": found.answers}))
        if found.cases:
            lines.append((MYDATA_CASES, {"count": found.cases, "open": found.open_cases}))
        if found.notes:
            lines.append((MYDATA_NOTES, {"count": found.notes}))
        if found.attachments:
            lines.append((MYDATA_ATTACHMENTS, {"count": found.attachments}))
        if planned:
            first = planned[0].due_at.date()
            lines.append((MYDATA_FOLLOW_UPS, {"count": len(planned), "date": first}))
        if found.cases:
            lines.append((MYDATA_KEEP_CASE, {"days": self.retention.closed_case_days}))
        else:
            lines.append((MYDATA_KEEP_FLOW, {"days": self.retention.flow_only_days}))
        lines.append((MYDATA_FOOT, {}))
        rendered = [self._say(msgid, lang, **params) for msgid, params in lines]
        head, body = rendered[0], rendered[1:]
        text = "\n".join([head.text, *(r.text for r in body[:-2])])
        text += "\n\n" + "\n\n".join(r.text for r in body[-2:])
        return Rendered(text, (), head.language)

    def _say(self, msgid: str, lang: str, **params: object) -> Rendered:
        return self.catalogs.render(Say(msgid, CONTEXT, params=params), lang)
