"""Alembic's entry point for Buurtbot. Not run through `alembic.ini`: `storage.migrate` hands
over an open connection (with Buurtbot's own SQLite settings or PostgreSQL search_path), so
migrations run on exactly the database the application uses."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel

import storage.db  # noqa: F401  (registers every table on SQLModel.metadata)


def render_item(kind: str, obj: Any, autogen_context: Any) -> str | bool:
    """Write our column types as the plain SQL types they store, so that a migration does not
    depend on today's version of storage/types.py."""
    if kind == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl!r}"
    return False


connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
    render_item=render_item,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
