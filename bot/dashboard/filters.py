"""Jinja2 filters and globals for the dashboard's templates: times in Amsterdam, waiting
times, and the labels of codes (priority, status, reason, outcome, language, role)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import jinja2
from babel.dates import format_datetime

from bot.dashboard import i18n, texts
from bot.i18n import NATIVE_NAMES, ZONE


def moment(value: datetime | None, now: datetime | None = None) -> str:
    """`14:05` today, `20 nov. 14:05` on another day (in the worker's language)."""
    if value is None:
        return ""
    zone = ZoneInfo(ZONE)
    local = value.astimezone(zone)
    lang = i18n.current_language()
    if now is not None and local.date() == now.astimezone(zone).date():
        return format_datetime(local, "HH:mm", tzinfo=zone, locale=lang)
    return format_datetime(local, "d MMM HH:mm", tzinfo=zone, locale=lang)


def full_moment(value: datetime | None) -> str:
    if value is None:
        return ""
    zone = ZoneInfo(ZONE)
    return format_datetime(value, "d MMMM y HH:mm:ss", tzinfo=zone, locale=i18n.current_language())


def full_day(value: datetime | None) -> str:
    """`6 dec. 2026 14:05`: a date that says the year too (closed cases go back months)."""
    if value is None:
        return ""
    zone = ZoneInfo(ZONE)
    return format_datetime(value, "d MMM y HH:mm", tzinfo=zone, locale=i18n.current_language())


def iso(value: datetime | None) -> str:
    return value.isoformat() if value else ""


def waited(since: datetime | None, now: datetime) -> str:
    """How long since `since`: `4 min`, `1 u 05 min`, `2 d 3 u`."""
    if since is None:
        return ""
    minutes = max(0, int((now - since).total_seconds() // 60))
    hours, m = divmod(minutes, 60)
    days, h = divmod(hours, 24)
    if days:
        return i18n.gettext(texts.WAITED_DAYS, d=days, h=h)
    if hours:
        return i18n.gettext(texts.WAITED_HOURS, h=hours, m=f"{m:02d}")
    if not minutes:
        return i18n.gettext(texts.WAITED_NOW)
    return i18n.gettext(texts.WAITED_MINUTES, m=m)


def _label(table: dict[str, str]):
    def label(code: str | None) -> str:
        if code is None:
            return ""
        msgid = table.get(code)
        return i18n.gettext(msgid) if msgid else code.replace("_", " ")

    return label


def language_name(code: str | None) -> str:
    if not code:
        return "?"
    msgid = texts.LANGUAGE_NAMES.get(code)
    if msgid is None:
        return code
    name = i18n.gettext(msgid)
    native = NATIVE_NAMES.get(code, name)
    return name if native == name else f"{name} · {native}"


priority_label = _label(texts.PRIORITIES)
reason_label = _label(texts.REASONS)


def install(env: jinja2.Environment) -> None:
    env.filters.update(moment=moment, full_moment=full_moment, full_day=full_day, iso=iso)
    env.globals.update(
        waited=waited,
        priority_label=priority_label,
        status_label=_label(texts.STATUSES),
        reason_label=reason_label,
        outcome_label=_label(texts.OUTCOMES),
        role_label=_label(texts.ROLES),
        language_name=language_name,
        waited_formats=lambda: {
            "now": i18n.gettext(texts.WAITED_NOW),
            "m": i18n.gettext(texts.WAITED_MINUTES),
            "h": i18n.gettext(texts.WAITED_HOURS),
            "d": i18n.gettext(texts.WAITED_DAYS),
        },
    )
