"""One clear line for a database that cannot be used, for the command line: what is wrong and
what to do, instead of a traceback (`buurtbot run`, `buurtbot purge`)."""

from __future__ import annotations

from sqlalchemy.exc import SQLAlchemyError


def explain(exc: BaseException) -> str:
    """What is wrong with the database, in one line, with the likely fix."""
    cause = exc.orig if isinstance(exc, SQLAlchemyError) and hasattr(exc, "orig") else exc
    message = str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__
    lowered = message.lower()
    if "readonly" in lowered or "read-only" in lowered or "read only" in lowered:
        return (
            f"the database is read-only ({message}): give the user Buurtbot runs as write "
            "access to the database file and its folder, or point DATABASE_URL elsewhere"
        )
    if "disk is full" in lowered or "no space" in lowered:
        return f"the disk is full ({message}): make room, then start again"
    if "no such table" in lowered or ("does not exist" in lowered and "relation" in lowered):
        return f"the tables are missing ({message}): run buurtbot db upgrade"
    if "unable to open database" in lowered:
        return f"the database file cannot be opened ({message}): check DATABASE_URL and the folder"
    return f"{message} (check DATABASE_URL and that the database answers)"
