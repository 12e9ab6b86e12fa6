"""Teams (wijkteams) by postcode, who works in which team, and which team a case belongs to.

A team covers postcode ranges written as text (`1020-1039,1041`: only the 4 digits count).
One team may be the default: cases of residents without a known postcode, or from an area no
team covers, go there. `assign_team` is the one place where a case's team is set (at opening,
when the resident gives a postcode, when a worker moves the case): anything that wants to
know when a case's team becomes final (the figures per area) hooks in there.

Need to know (`visible_teams`): an admin sees every team; while no team exists at all, nobody is
restricted (one team, no routing); otherwise a worker sees the cases of their own teams, and a
member of the default team also the cases that have no team (opened before teams existed).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import String, false, func, or_, true, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, SQLModel, col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.cases import OPEN, Case
from storage.types import UTCDateTime

LOW, HIGH = 1000, 9999  # Dutch postcodes: 4 digits, the first never 0
MAX_NAME = 64
EMAIL = re.compile(r"[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+\Z")
PART = re.compile(r"(\d{4})(?:-(\d{4}))?\Z")


class TeamError(ValueError):
    """A team cannot be added or changed as asked; the message says why."""


class Team(SQLModel, table=True):
    """A neighbourhood team: its area, and where its alerts go."""

    __tablename__ = "team"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_type=String(MAX_NAME), unique=True)
    postcodes: str = Field(default="", sa_type=String(1000))  # "1020-1039,1041"
    alert_email: str | None = Field(default=None, sa_type=String(254))
    on_call_email: str | None = Field(default=None, sa_type=String(254))  # outside office hours
    is_default: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    created_at: datetime = Field(sa_type=UTCDateTime)


class TeamMember(SQLModel, table=True):
    """A dashboard user works in a team (a user may work in several)."""

    __tablename__ = "team_member"

    team_id: int = Field(foreign_key="team.id", ondelete="CASCADE", primary_key=True)
    user_id: int = Field(foreign_key="dashboard_user.id", ondelete="CASCADE", primary_key=True)


# --- postcode ranges ---------------------------------------------------------------------------


Ranges = list[tuple[int, int]]


def parse_ranges(text: str) -> Ranges:
    """`1020-1039,1041` as [(1020, 1039), (1041, 1041)]; `TeamError` naming the bad part."""
    found: Ranges = []
    for part in (p.strip() for p in text.replace(";", ",").split(",")):
        if not part:
            continue
        match = PART.match(part.replace(" ", ""))
        if match is None:
            raise TeamError(
                f"postcodes: {part!r} is not a range; write 4 digits or two joined by '-', "
                "such as 1020-1039,1041"
            )
        low = int(match.group(1))
        high = int(match.group(2) or low)
        if not LOW <= low <= HIGH or not LOW <= high <= HIGH:
            raise TeamError(f"postcodes: {part!r}: a postcode is {LOW}-{HIGH}")
        if high < low:
            raise TeamError(f"postcodes: {part!r}: the range ends before it starts")
        found.append((low, high))
    found.sort()
    for (a_low, a_high), (b_low, b_high) in itertools.pairwise(found):
        if b_low <= a_high:
            raise TeamError(f"postcodes: {a_low}-{a_high} and {b_low}-{b_high} overlap")
    return found


def ranges_text(ranges: Ranges) -> str:
    return ",".join(str(a) if a == b else f"{a}-{b}" for a, b in ranges)


def covers(ranges: Ranges, postcode: int) -> bool:
    return any(low <= postcode <= high for low, high in ranges)


def _overlap(a: Ranges, b: Ranges) -> tuple[int, int] | None:
    for a_low, a_high in a:
        for b_low, b_high in b:
            if a_low <= b_high and b_low <= a_high:
                return max(a_low, b_low), min(a_high, b_high)
    return None


def check_email(value: str | None, what: str) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    if len(value) > 254 or not EMAIL.match(value):
        raise TeamError(f"{what}: {value!r} is not an e-mail address")
    return value


def check_team_name(name: str) -> str:
    name = " ".join(name.split())
    if not name or len(name) > MAX_NAME or not name.isprintable():
        raise TeamError(f"a team name has 1 to {MAX_NAME} printable characters")
    return name


# --- teams -------------------------------------------------------------------------------------


async def all_teams(s: AsyncSession) -> list[Team]:
    return list((await s.exec(select(Team).order_by(col(Team.name)))).all())


async def find_team(s: AsyncSession, name: str) -> Team | None:
    query = select(Team).where(func.lower(Team.name) == " ".join(name.split()).casefold())
    return (await s.exec(query)).first()


async def team_named(s: AsyncSession, name: str) -> Team:
    """The team called `name`, or `TeamError` listing the teams there are."""
    team = await find_team(s, name)
    if team is None:
        known = ", ".join(t.name for t in await all_teams(s)) or "none yet"
        raise TeamError(f"no team {name!r} (teams: {known})")
    return team


async def _check(s: AsyncSession, team: Team) -> None:
    """Refuse an area overlapping another team's, and a second default."""
    mine = parse_ranges(team.postcodes)
    for other in await all_teams(s):
        if other.id == team.id:
            continue
        both = _overlap(mine, parse_ranges(other.postcodes))
        if both is not None:
            low, high = both
            where = str(low) if low == high else f"{low}-{high}"
            raise TeamError(f"postcodes {where} belong to team {other.name!r} already")
        if team.is_default and other.is_default:
            raise TeamError(f"team {other.name!r} is the default team already; one default only")


async def add_team(
    s: AsyncSession,
    name: str,
    *,
    postcodes: str = "",
    alert_email: str | None = None,
    on_call_email: str | None = None,
    is_default: bool = False,
    now: datetime,
) -> Team:
    team = Team(
        name=check_team_name(name),
        postcodes=ranges_text(parse_ranges(postcodes)),
        alert_email=check_email(alert_email, "alert e-mail"),
        on_call_email=check_email(on_call_email, "on-call e-mail"),
        is_default=is_default,
        created_at=now,
    )
    existing = await find_team(s, team.name)
    if existing is not None:
        raise TeamError(f"there is already a team {existing.name!r}")
    await _check(s, team)
    try:
        async with s.begin_nested():
            s.add(team)
    except IntegrityError:
        raise TeamError(f"there is already a team {team.name!r}") from None
    return team


@dataclass(frozen=True)
class Changes:
    """What `edit_team` changes; None leaves a field as it is ("" clears an address)."""

    name: str | None = None
    postcodes: str | None = None
    alert_email: str | None = None
    on_call_email: str | None = None
    is_default: bool | None = None


async def edit_team(s: AsyncSession, name: str, changes: Changes) -> Team:
    team = await team_named(s, name)
    wanted = team.model_dump()
    if changes.name is not None:
        wanted["name"] = check_team_name(changes.name)
        other = await find_team(s, wanted["name"])
        if other is not None and other.id != team.id:
            raise TeamError(f"there is already a team {other.name!r}")
    if changes.postcodes is not None:
        wanted["postcodes"] = ranges_text(parse_ranges(changes.postcodes))
    if changes.alert_email is not None:
        wanted["alert_email"] = check_email(changes.alert_email, "alert e-mail")
    if changes.on_call_email is not None:
        wanted["on_call_email"] = check_email(changes.on_call_email, "on-call e-mail")
    if changes.is_default is not None:
        wanted["is_default"] = changes.is_default
    await _check(s, Team(**wanted))  # before the row changes: a refusal leaves it as it was
    for key, value in wanted.items():
        setattr(team, key, value)
    s.add(team)
    await s.flush()
    return team


async def remove_team(s: AsyncSession, name: str) -> Team:
    """Remove a team with no open cases (move them first); its members stay users."""
    team = await team_named(s, name)
    query = select(func.count()).where(Case.team_id == team.id, col(Case.status).in_(OPEN))
    still = (await s.exec(query)).one()
    if still:
        raise TeamError(
            f"team {team.name!r} has {still} open case(s); move them to another team first"
        )
    await s.exec(update(Case).where(col(Case.team_id) == team.id).values(team_id=None))
    await s.exec(delete(TeamMember).where(col(TeamMember.team_id) == team.id))
    await s.delete(team)
    await s.flush()
    return team


# --- members -----------------------------------------------------------------------------------


async def set_teams_of(s: AsyncSession, user_id: int, names: list[str]) -> list[Team]:
    """`user_id` works in exactly the teams `names` (`TeamError` for an unknown one)."""
    wanted = [await team_named(s, n) for n in names]
    await s.exec(delete(TeamMember).where(col(TeamMember.user_id) == user_id))
    for team in {t.id: t for t in wanted}.values():
        assert team.id is not None
        s.add(TeamMember(team_id=team.id, user_id=user_id))
    await s.flush()
    return wanted


async def set_members_of(s: AsyncSession, team_id: int, user_ids: list[int]) -> None:
    """The team's members are exactly `user_ids`."""
    await s.exec(delete(TeamMember).where(col(TeamMember.team_id) == team_id))
    for user_id in dict.fromkeys(user_ids):
        s.add(TeamMember(team_id=team_id, user_id=user_id))
    await s.flush()


async def teams_of(s: AsyncSession, user_id: int) -> list[Team]:
    query = (
        select(Team)
        .join(TeamMember, col(TeamMember.team_id) == Team.id)
        .where(TeamMember.user_id == user_id)
        .order_by(col(Team.name))
    )
    return list((await s.exec(query)).all())


async def members(s: AsyncSession) -> dict[int, list[int]]:
    """Team id -> the ids of its members."""
    found: dict[int, list[int]] = {}
    for team_id, user_id in (await s.exec(select(TeamMember.team_id, TeamMember.user_id))).all():
        found.setdefault(team_id, []).append(user_id)
    return found


# --- need to know ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Visible:
    """The cases a user may see: those of `teams`, and those without a team when
    `teamless`. `everything`: no restriction (an admin, or no teams at all)."""

    everything: bool
    teams: frozenset[int] = frozenset()
    teamless: bool = False

    def sees(self, team_id: int | None) -> bool:
        if self.everything:
            return True
        return self.teamless if team_id is None else team_id in self.teams

    def condition(self) -> Any:
        """The WHERE clause over `Case.team_id` that lets through what may be seen."""
        if self.everything:
            return true()
        allowed = col(Case.team_id).in_(sorted(self.teams))
        return or_(allowed, col(Case.team_id).is_(None)) if self.teamless else allowed


EVERYTHING = Visible(everything=True)


async def visible_teams(s: AsyncSession, user_id: int, role: str) -> Visible:
    if role == "admin":
        return EVERYTHING
    if (await s.exec(select(func.count()).select_from(Team))).one() == 0:
        return EVERYTHING
    mine = await teams_of(s, user_id)
    return Visible(
        everything=False,
        teams=frozenset(t.id for t in mine if t.id is not None),
        teamless=any(t.is_default for t in mine),
    )


async def may_see(s: AsyncSession, user_id: int, role: str, team_id: int | None) -> bool:
    """Whether the user may see a case of `team_id` (a colleague to hand a case to)."""
    return (await visible_teams(s, user_id, role)).sees(team_id)


# --- routing -----------------------------------------------------------------------------------


def postcode_digits(postcode: str | None) -> int | None:
    return int(postcode) if postcode and postcode.isdigit() and len(postcode) == 4 else None


async def default_team(s: AsyncSession) -> Team | None:
    return (await s.exec(select(Team).where(col(Team.is_default).is_(True)))).first()


async def team_for_postcode(s: AsyncSession, postcode: str | None) -> Team | None:
    """The team whose area holds `postcode` (4 digits), else the default team (None when
    there is none)."""
    digits = postcode_digits(postcode)
    if digits is not None:
        for team in await all_teams(s):
            if covers(parse_ranges(team.postcodes), digits):
                return team
    return await default_team(s)


async def routing_on(s: AsyncSession) -> bool:
    """Whether postcodes decide anything: some team covers an area."""
    query = select(func.count()).select_from(Team).where(Team.postcodes != "")
    return bool((await s.exec(query)).one())


async def assign_team(
    s: AsyncSession, case: Case, team: Team | None, *, why: str, now: datetime
) -> Case:
    """Put `case` in `team` (None: no team). The one function that sets a case's team;
    `why` is `opened` (the postcode was known, or the default team), `postcode` (the resident
    answered), `declined` (they would rather not say), or `moved` (a worker moved it)."""
    case.team_id = team.id if team is not None else None
    s.add(case)
    await s.flush()
    return case
