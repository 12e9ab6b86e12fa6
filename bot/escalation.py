"""When to open a case, and what the resident is told. Pure decisions over data that the
conversation layer hands in; nothing here reads or writes storage.

Crisis texts state only facts from domain/FACTS.md (Help lines, checked November 2026):
112 emergency; 113 Zelfmoordpreventie, 113 or 0800-0113 (free), chat at 113.nl, 24/7, anonymous;
Veilig Thuis 0800-2000 (free), chat at veiligthuis.nl, 24/7; Geldfit 0800-8115 (free);
maatschappelijke opvang by the gemeente, national access; the gemeente's bijzondere bijstand
(Allowances: Participatiewet art. 35, for necessary special costs).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.engine.texts import N_
from bot.understanding import intents

# --- what the resident is told ---------------------------------------------------------------

CRISIS_SUICIDE = N_(
    "Ik ben een computerprogramma, maar je bericht is belangrijk. Ben je nu in gevaar? Bel 112. "
    "Praat met 113 Zelfmoordpreventie: bel 113 of gratis 0800-0113, of chat op 113.nl. "
    "Dag en nacht, en je hoeft je naam niet te zeggen. "
    "Ik vraag ook meteen een medewerker van het buurtteam om naar je bericht te kijken."
)
CRISIS_VIOLENCE = N_(
    "Ben je nu in gevaar? Bel 112. "
    "Veilig Thuis helpt bij geweld thuis: bel gratis 0800-2000, dag en nacht, of chat zonder je "
    "naam op veiligthuis.nl. "
    "Ik vraag ook meteen een medewerker van het buurtteam om naar je bericht te kijken."
)
CRISIS_OTHER = N_(
    "Ben je nu in gevaar? Bel 112. "
    "Ik vraag meteen een medewerker van het buurtteam om naar je bericht te kijken."
)
HELP_NO_BED = N_(
    "Heb je vannacht geen slaapplek? De gemeente moet helpen met opvang (maatschappelijke "
    "opvang). Niemand mag worden weggestuurd omdat hij niet uit deze regio komt. "
    "Ik vraag een medewerker van het buurtteam om je snel te helpen."
)
HELP_MONEY = N_(
    "Dat is dringend, en er is hulp. Vraag schuldhulp bij de gemeente: dat mag iedereen. "
    "Geldfit helpt gratis en zonder je naam: 0800-8115 of geldfit.nl. "
    "Ik vraag een medewerker van het buurtteam om je snel te helpen."
)
HELP_CUTOFF = N_(
    "Een energiebedrijf moet je eerst drie keer een brief sturen en een betalingsregeling "
    "aanbieden. Heb je schuldhulp aangevraagd bij de gemeente? Dan mag het niet afsluiten. "
    "Ik vraag een medewerker van het buurtteam om je snel te helpen."
)
HELP_NO_FOOD = N_(
    "Hebben je kinderen vandaag niets te eten? Dat is dringend, en er is hulp. De gemeente kan "
    "in nood helpen (bijzondere bijstand). Geldfit helpt gratis en zonder je naam: 0800-8115. "
    "Ik vraag meteen een medewerker van het buurtteam om vandaag met je mee te zoeken."
)
HELP_VIOLENCE = N_(
    "Wat je meemaakt is ernstig. Veilig Thuis helpt: bel gratis 0800-2000, dag en nacht, of "
    "chat zonder je naam op veiligthuis.nl. Ben je in gevaar? Bel 112. "
    "Ik vraag een medewerker van het buurtteam om je te helpen."
)
CHECK_QUESTION = N_(
    "Ik lees dat het misschien niet goed met je gaat. Ik vraag het je eerlijk: denk je eraan "
    "om jezelf iets aan te doen?"
)
CHECK_NO = N_(
    "Dank je dat je het zegt. Wil je toch met iemand praten? Typ /mens, of bel of chat met "
    "113 (0800-0113, 113.nl), ook als het niet om zelfmoord gaat."
)
PERSON_COMING = N_(
    "Ik heb je doorgestuurd naar een medewerker van het buurtteam. Een mens leest je bericht "
    "en antwoordt hier."
)
OFF_DUTY = N_(
    "Er werkt nu niemand van het buurtteam. Een medewerker leest je bericht vanaf {when}. "
    "Heb je nu hulp nodig? Bij gevaar: 112. Somber of aan zelfmoord denken: 113 of "
    "0800-0113. Geweld thuis: Veilig Thuis 0800-2000. Deze nummers zijn dag en nacht bereikbaar."
)
# Translators: sent at night or in the weekend after the help for "no place to sleep tonight";
# {opvang_nacht} and {gemeente_crisis} are local phone numbers (flows/local.yaml): keep them.
NIGHT_NO_BED = N_(
    "Voor een slaapplek vannacht: bel de nachtopvang, {opvang_nacht}. Lukt dat niet? Bel de "
    "crisisdienst van de gemeente: {gemeente_crisis}."
)
RELAYED = N_("Je bericht staat klaar voor de medewerker. Je krijgt hier antwoord.")

# Outside office hours the help lines come without their promise of quick help: the off-duty
# line that follows says honestly when a person reads the message.
HELP_NO_BED_OFF_DUTY = N_(
    "Heb je vannacht geen slaapplek? De gemeente moet helpen met opvang (maatschappelijke "
    "opvang). Niemand mag worden weggestuurd omdat hij niet uit deze regio komt."
)
HELP_MONEY_OFF_DUTY = N_(
    "Dat is dringend, en er is hulp. Vraag schuldhulp bij de gemeente: dat mag iedereen. "
    "Geldfit helpt gratis en zonder je naam: 0800-8115 of geldfit.nl."
)
HELP_CUTOFF_OFF_DUTY = N_(
    "Een energiebedrijf moet je eerst drie keer een brief sturen en een betalingsregeling "
    "aanbieden. Heb je schuldhulp aangevraagd bij de gemeente? Dan mag het niet afsluiten."
)
HELP_NO_FOOD_OFF_DUTY = N_(
    "Hebben je kinderen vandaag niets te eten? Dat is dringend, en er is hulp. De gemeente kan "
    "in nood helpen (bijzondere bijstand). Geldfit helpt gratis en zonder je naam: 0800-8115."
)
HELP_VIOLENCE_OFF_DUTY = N_(
    "Wat je meemaakt is ernstig. Veilig Thuis helpt: bel gratis 0800-2000, dag en nacht, of "
    "chat zonder je naam op veiligthuis.nl. Ben je in gevaar? Bel 112."
)
OFF_DUTY_HELP = {
    HELP_NO_BED: HELP_NO_BED_OFF_DUTY,
    HELP_MONEY: HELP_MONEY_OFF_DUTY,
    HELP_CUTOFF: HELP_CUTOFF_OFF_DUTY,
    HELP_NO_FOOD: HELP_NO_FOOD_OFF_DUTY,
    HELP_VIOLENCE: HELP_VIOLENCE_OFF_DUTY,
}


def off_duty(say: Sequence[str]) -> tuple[str, ...]:
    """The lines of `say` as they read when nobody of the team works: no promise of quick help
    (crisis lines stay as they are: they are the same whether or not the database answers)."""
    return tuple(OFF_DUTY_HELP.get(m, m) for m in say)

HELP_BY_CATEGORY = {
    "no_bed": HELP_NO_BED,
    "eviction": HELP_MONEY,
    "acute_debt": HELP_MONEY,
    "cutoff": HELP_CUTOFF,
    "violence": HELP_VIOLENCE,
    "suicide": CRISIS_SUICIDE,
    "no_food": HELP_NO_FOOD,
}
CRISIS_BY_CATEGORY = {"suicide": CRISIS_SUICIDE, "violence": CRISIS_VIOLENCE}


@dataclass(frozen=True)
class Decision:
    """What to do about one message: the texts to send (msgids, crisis ones first), whether
    they are crisis messages (sent before everything else), and the case to open."""

    say: tuple[str, ...] = ()
    crisis: bool = False
    priority: str | None = None  # open (or raise) a case with this priority
    reason: str = ""
    detail: str = ""
    ask_check: bool = False  # ask directly whether the resident thinks of harming themselves

    @property
    def opens_case(self) -> bool:
        return self.priority is not None


NOTHING = Decision()


def on_risk(level: str, categories: Sequence[str], matched: Sequence[str]) -> Decision:
    """The decision for a risk assessment (levels and categories of `bot.risk`)."""
    detail = ", ".join(dict.fromkeys(matched))
    first = categories[0] if categories else ""
    if level == "urgent":
        text = CRISIS_BY_CATEGORY.get(first, CRISIS_OTHER)
        # Suicide and violence together: both lines, suicide first.
        extra = [CRISIS_BY_CATEGORY[c] for c in categories if c in CRISIS_BY_CATEGORY]
        say = tuple(dict.fromkeys([text, *extra]))
        return Decision(say, crisis=True, priority="urgent", reason=first, detail=detail)
    if level == "high":
        say = tuple(dict.fromkeys(HELP_BY_CATEGORY[c] for c in categories if c in HELP_BY_CATEGORY))
        return Decision(say, priority="high", reason=first, detail=detail)
    if level == "check":
        return Decision((CHECK_QUESTION,), ask_check=True, reason=first, detail=detail)
    return NOTHING


# --- asking for a person ---------------------------------------------------------------------

# Typed requests for a person or a call back, any of the four languages: content a social worker
# extends, in flows/intents/*.yaml (`person:` and `callback:`).


def asks_for_person(text: str) -> bool:
    """Whether `text` asks for a person (or to be called back, visited, an appointment)."""
    return bool(intents.default().found(text) & {"person", "callback"})


def person_reason(text: str) -> str:
    """The case reason for a request for a person: a call back says so."""
    return (
        "asked_for_callback" if "callback" in intents.default().found(text) else "asked_for_person"
    )


# --- repeated contact ------------------------------------------------------------------------


@dataclass(frozen=True)
class RepeatRule:
    """Open a case when a resident starts the same topic `times` times within `days`, or says
    twice that the bot did not help (`not_helped` answers within `days`)."""

    times: int = 3
    days: int = 14
    not_helped: int = 2


@dataclass(frozen=True)
class Contact:
    kind: str  # "topic" (a flow was started) or "not_helped"
    topic: str
    at: datetime


def repeated(history: Sequence[Contact], rule: RepeatRule, now: datetime) -> Decision:
    """Decide on the history of one resident (the new contact included)."""
    recent = [c for c in history if now - c.at <= timedelta(days=rule.days)]
    not_helped = [c for c in recent if c.kind == "not_helped"]
    if len(not_helped) >= rule.not_helped:
        return Decision((PERSON_COMING,), priority="normal", reason="not_helped_repeatedly")
    counts: dict[str, int] = {}
    for c in recent:
        if c.kind == "topic":
            counts[c.topic] = counts.get(c.topic, 0) + 1
    for topic, count in counts.items():
        if count >= rule.times:
            detail = f"{topic}: {count}x in {rule.days} days"
            return Decision(
                (PERSON_COMING,), priority="normal", reason="repeated_contact", detail=detail
            )
    return NOTHING


# --- office hours ----------------------------------------------------------------------------

DAYS = ("ma", "di", "wo", "do", "vr", "za", "zo")


@dataclass(frozen=True)
class OfficeHours:
    """When workers are on duty, e.g. `ma-vr 09:00-17:00` in Europe/Amsterdam."""

    days: frozenset[int] = frozenset(range(5))
    start: time = time(9)
    end: time = time(17)
    zone: str = "Europe/Amsterdam"

    @classmethod
    def parse(cls, spec: str, zone: str = "Europe/Amsterdam") -> OfficeHours:
        """`ma-vr 09:00-17:00`, `vr-ma 09:00-17:00` (a week-end team: vr, za, zo, ma),
        `ma,wo,vr 10:00-14:00` or `altijd` (always on duty)."""
        spec = spec.strip().lower()
        if spec in ("altijd", "always", "24/7"):
            return cls(frozenset(range(7)), time(0), time.max, zone)
        try:
            day_part, hours = spec.split()
            first, _, last = day_part.partition("-")
            if last:
                a, b = DAYS.index(first), DAYS.index(last)
                days = {(a + i) % 7 for i in range((b - a) % 7 + 1)}
            else:
                days = {DAYS.index(d) for d in day_part.split(",")}
            begin, finish = hours.split("-")
            start, end = time.fromisoformat(begin), time.fromisoformat(finish)
        except ValueError as exc:
            raise ValueError(
                f"office hours {spec!r}: write e.g. 'ma-vr 09:00-17:00' (days: {', '.join(DAYS)})"
            ) from exc
        if end <= start:
            raise ValueError(
                f"office hours {spec!r}: the end {finish} is not after the start {begin}; "
                "hours run within one day, e.g. 'ma-vr 09:00-17:00'"
            )
        return cls(frozenset(days), start, end, zone)

    def on_duty(self, now: datetime) -> bool:
        clock = now.astimezone(ZoneInfo(self.zone))
        moment = clock.time().replace(tzinfo=None)
        in_hours = self.start <= moment and (moment < self.end or self.end == time.max)
        return clock.weekday() in self.days and in_hours

    def next_start(self, now: datetime) -> datetime:
        """When the next working period starts (now if on duty)."""
        if self.on_duty(now):
            return now
        local = now.astimezone(ZoneInfo(self.zone))
        for ahead in range(8):
            day = (local + timedelta(days=ahead)).date()
            start = datetime.combine(day, self.start, ZoneInfo(self.zone))
            if day.weekday() in self.days and start > local:
                return start
        raise ValueError("office hours have no working day")
