"""The audit log: who did what to which case, and when (AVG: log who read a case).

Rows are written in the same transaction as the action they record, so an action never
happens without its row. They hold no message text: `detail` is a code, a count or a name.
`case_id` has no foreign key on purpose: the row outlives a case erased by `/vergeet`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.types import CleanText, UTCDateTime

ACTIONS = (
    "login",
    "login_failed",
    "login_locked",
    "logout",
    "view_queue",
    "view_case",
    "view_closed",
    "view_case_updates",  # a case page fetched messages or notes (at most one per 10 minutes)
    "view_queue_rows",  # the queue page fetched its rows (at most one per 10 minutes)
    "view_close",  # the close page of a case
    "view_attachment",  # a photo, PDF or voice note of a case (storage/attachments.py)
    "claim",
    "reply",
    "note",
    "release",
    "reassign",
    "close",
    "follow_up",  # a worker scheduled a follow-up on a case (docs/followups.md)
    "view_audit",
    "view_users",
    "view_flows",
    "view_translations",
    "user_add",
    "user_disable",
    "user_password",
    "user_display_name",  # a worker chose the name residents see
    "user_totp",  # two-step login set up anew or switched off (buurtbot users totp)
    "language",
    "erase",  # a resident erased their data (/vergeet): pseudonym, case, counts
    "purge",  # the retention purge: counts per category
    "team_add",  # teams (storage/teams.py): name and area
    "team_edit",
    "team_remove",
    "user_teams",  # the teams a user works in
    "move_team",  # a worker moved a case to another team
    "resident_postcode",  # a case went to the team of the postcode its resident gave
    "view_signals",  # /dashboard/signals (bot/dashboard/signals.py): period, range, team
    "download_signals",  # /dashboard/signals.csv
)


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_case", "case_id", "id"),
        Index("ix_audit_log_user", "user_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=UTCDateTime, index=True)
    user_id: int | None = None  # None: a failed login, or the command line
    user_name: str = Field(default="", sa_type=String(64))  # as typed, for failed logins
    action: str = Field(sa_type=String(32))
    case_id: int | None = None
    detail: str = Field(default="", sa_type=CleanText)
    ip: str = Field(default="", sa_type=String(64))


async def record(
    s: AsyncSession,
    action: str,
    *,
    now: datetime,
    user_id: int | None = None,
    user_name: str = "",
    case_id: int | None = None,
    detail: str = "",
    ip: str = "",
) -> AuditEntry:
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    entry = AuditEntry(
        at=now,
        user_id=user_id,
        user_name=user_name[:64],
        action=action,
        case_id=case_id,
        detail=detail[:500],
        ip=ip[:64],
    )
    s.add(entry)
    await s.flush()
    return entry


async def entries(
    s: AsyncSession,
    *,
    before: int | None = None,
    limit: int = 100,
    user_name: str | None = None,
    action: str | None = None,
    case_id: int | None = None,
) -> list[AuditEntry]:
    """The newest entries first, `limit` of them, older than entry `before` when given."""
    query = select(AuditEntry)
    if before is not None:
        query = query.where(col(AuditEntry.id) < before)
    if user_name:
        query = query.where(AuditEntry.user_name == user_name)
    if action:
        query = query.where(AuditEntry.action == action)
    if case_id is not None:
        query = query.where(AuditEntry.case_id == case_id)
    query = query.order_by(col(AuditEntry.id).desc()).limit(limit)
    return list((await s.exec(query)).all())
