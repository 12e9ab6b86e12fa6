"""Row ids and positions typed into URLs and forms: numbers the database can hold, or 400."""

from __future__ import annotations

from aiohttp import web

MAX_ID = 2**63 - 1  # a signed 64-bit integer: SQLite's and PostgreSQL's bigint


def row_id(value: str) -> int:
    """`value` as a row id (0 up to `MAX_ID`); `HTTPBadRequest` for anything else."""
    text = value.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 19 or int(text) > MAX_ID:
        raise web.HTTPBadRequest()
    return int(text)
