"""Which database a session works on, and its own INSERT for `ON CONFLICT` (SQLAlchemy has one
per dialect): the upserts of storage/ are built once per database kind with these."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel.ext.asyncio.session import AsyncSession

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def of(s: AsyncSession) -> str:
    """`sqlite` or `postgresql`: the database `s` works on."""
    return s.get_bind().dialect.name


def insert(dialect: str, table: Any) -> Any:
    """An INSERT into `table` that has `on_conflict_do_nothing` and `on_conflict_do_update`."""
    return _INSERTS[dialect](table)
