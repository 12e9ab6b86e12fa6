"""Column types that behave the same on SQLite and PostgreSQL.

- `UTCDateTime`: aware datetimes in, aware UTC datetimes out. SQLite has no time zones, so values
  are stored there as naive UTC and made aware again on the way out. Naive input is refused.
- `CleanText` and `JSONText`: PostgreSQL `text` cannot hold U+0000 and no UTF-8 database can hold
  a lone surrogate (a browser can send one). Rather than lose the whole message, NUL is removed
  and lone surrogates become U+FFFD, on every backend alike, before the value is stored.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Dialect
from sqlalchemy.types import DateTime, Text, TypeDecorator


def utcnow() -> datetime:
    """Now, as an aware UTC datetime: the one clock default of the whole code base."""
    return datetime.now(UTC)


def clean_text(text: str) -> str:
    """`text` without NUL characters and with lone surrogates replaced by U+FFFD."""
    text = text.replace("\x00", "")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # UTF-16 joins valid surrogate pairs and replaces the lone ones.
        text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def clean_json(value: Any) -> Any:
    """`value` with `clean_text` applied to every string in it, keys included."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, Mapping):
        return {clean_text(k) if isinstance(k, str) else k: clean_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean_json(v) for v in value]
    return value


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp, always UTC when read back."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: pass an aware datetime (UTC)")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class CleanText(TypeDecorator[str]):
    """Free text (what residents and workers write), stored after `clean_text`."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else clean_text(value)


class JSONText(TypeDecorator[Any]):
    """A JSON value kept as text: readable in any SQL shell, the same on every backend."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return json.dumps(clean_json(value), ensure_ascii=False, separators=(",", ":"))

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:
        return None if value is None else json.loads(value)
