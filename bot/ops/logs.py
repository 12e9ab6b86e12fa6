"""Logging for `buurtbot run`: one JSON object a line on stderr (or plain text for a person at
a terminal), with nothing in it that tells who a resident is or what they wrote.

What keeps it so:
- Buurtbot's own log lines never carry message text, names or chat ids; where a line has to
  say who, it names the resident's pseudonym (tests/operations/test_logs.py runs whole
  conversations and looks for leaks).
- Libraries that log what goes over the wire are held back: httpx logs every request URL,
  and the URL holds the bot token (aiohttp's client, which carries the Bot API calls, too);
  python-telegram-bot logs updates and call parameters at DEBUG; SQLAlchemy and aiosqlite
  log statements with their parameters.
- The access log names the route (`/dashboard/cases/{case_id}`), not the path with its ids
  and query, and no client address or user agent.
- A last filter blanks the bot token and other configured secrets wherever they show up,
  e.g. in an exception from the HTTP client; the parameters and PostgreSQL's DETAIL line in
  database errors; and the client address in aiohttp's "Error handling request from ...".
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import IO, Any

from aiohttp.abc import AbstractAccessLogger
from aiohttp.web import BaseRequest, StreamResponse

from bot.config import Config

FORMATS = ("json", "text")
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

# The lowest level at which these libraries' loggers may pass records on, whatever
# BUURTBOT_LOG_LEVEL says: below it they log tokens, message texts or SQL parameters.
LIBRARY_FLOORS = {
    "httpx": logging.WARNING,  # "HTTP Request: POST https://api.telegram.org/bot<token>/..."
    "httpcore": logging.WARNING,
    "aiohttp.client": logging.WARNING,  # the Bot API's transport (telegram/transport.py)
    "telegram": logging.INFO,  # DEBUG: every update and every call's parameters
    "sqlalchemy": logging.WARNING,  # INFO: statements and their parameters
    "aiosqlite": logging.WARNING,  # DEBUG: each call with its arguments
}

TOKEN_SHAPE = re.compile(r"\b\d{5,16}:[A-Za-z0-9_-]{30,}")  # a Telegram bot token
SQL_PARAMETERS = re.compile(r"\[parameters: .*?\](?=\s*(?:\(Background on this error|$))", re.S)
PG_DETAIL = re.compile(r"^(DETAIL:\s*).*$", re.M)  # "Key (external_id)=(5550001) already exists"
REDACTED = "[redacted]"
_CLIENT_ERROR = "Error handling request from %s"  # aiohttp, with the client's address

# Attributes every LogRecord has; anything else on a record came in through `extra=`.
_STANDARD = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


class LogConfigError(ValueError):
    """BUURTBOT_LOG_FORMAT or BUURTBOT_LOG_LEVEL cannot be used; the message says why."""


class Redact(logging.Filter):
    """Blanks secrets in the message and the exception text of every record it sees. On the
    handler, so that it sees the records of every logger."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        super().__init__()
        # Short values would blank ordinary words; the ones configured here are long.
        self.secrets = sorted({s for s in secrets if s and len(s) >= 8}, key=len, reverse=True)

    def clean(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        text = TOKEN_SHAPE.sub(REDACTED, text)
        text = SQL_PARAMETERS.sub(f"[parameters: {REDACTED}]", text)
        return PG_DETAIL.sub(rf"\g<1>{REDACTED}", text)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "aiohttp.server" and record.msg == _CLIENT_ERROR:
            record.msg, record.args = "Error handling request", None  # not the client's address
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: let the handler report it
            return True
        record.msg, record.args = self.clean(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.clean(record.exc_text)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC), level, logger, message, the `extra=` fields, and
    the traceback as `exception`."""

    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.fromtimestamp(record.created, UTC)
        entry: dict[str, Any] = {
            "time": moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_") and key not in entry:
                entry[key] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """For a person at a terminal: the JSON's fields on one line, `extra=` fields at the end."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extra = {
            k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")
        }
        if not extra:
            return line
        head, *rest = line.split("\n", 1)
        fields = " ".join(f"{k}={v}" for k, v in extra.items())
        return "\n".join([f"{head} [{fields}]", *rest])


class AccessLogger(AbstractAccessLogger):
    """aiohttp's access log without what could point at a resident: the route instead of the
    path (no ids, no query), no client address, user agent or referrer. Answered requests at
    DEBUG (the web chat page polls every few seconds), client errors at INFO, server errors
    at WARNING."""

    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        status = response.status
        level = logging.DEBUG if status < 400 else logging.INFO if status < 500 else logging.WARNING
        if not self.logger.isEnabledFor(level):
            return
        route = route_of(request)
        self.logger.log(
            level,
            "%s %s %s",
            request.method,
            route,
            status,
            extra={
                "method": request.method,
                "route": route,
                "status": status,
                "duration_ms": round(time * 1000, 1),
            },
        )


def route_of(request: BaseRequest) -> str:
    """The route template the request matched (`/dashboard/cases/{case_id}`), or `-`."""
    match_info = getattr(request, "match_info", None)
    resource = match_info.route.resource if match_info is not None else None
    return resource.canonical if resource is not None else "-"


def check(level: str, fmt: str) -> list[str]:
    """Every problem with these settings."""
    problems = []
    if level.upper() not in LEVELS:
        problems.append(f"BUURTBOT_LOG_LEVEL must be one of {', '.join(LEVELS)}, not {level!r}")
    if fmt.lower() not in FORMATS:
        problems.append(f"BUURTBOT_LOG_FORMAT must be json or text, not {fmt!r}")
    return problems


def configure(
    level: str = "INFO",
    fmt: str = "json",
    *,
    secrets: Iterable[str | None] = (),
    stream: IO[str] | None = None,
) -> logging.Handler:
    """Send every log record of the process to `stream` (stderr) as `fmt`, from `level` up,
    instead of the plain stream handler of `logging.basicConfig` (other handlers, such as a
    test runner's, stay). Returns the handler."""
    problems = check(level, fmt)
    if problems:
        raise LogConfigError("; ".join(problems))
    threshold = logging.getLevelName(level.upper())
    handler = _Handler(stream if stream is not None else sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt.lower() == "json" else TextFormatter())
    handler.addFilter(Redact(secrets))
    root = logging.getLogger()
    for old in root.handlers[:]:
        if type(old) in (logging.StreamHandler, _Handler):
            root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(threshold)
    quiet_libraries(threshold)
    return handler


class _Handler(logging.StreamHandler):
    """Buurtbot's own handler, told apart from others when logging is set up again."""


@contextmanager
def configured(
    config: Config, *, verbose: bool = False, stream: IO[str] | None = None
) -> Iterator[logging.Handler]:
    """`configure_from` for the length of the block; afterwards logging is as it was (for
    `buurtbot run` called in a test, which must not leave a handler behind)."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    levels = {name: logging.getLogger(name).level for name in LIBRARY_FLOORS}
    try:
        yield configure_from(config, verbose=verbose, stream=stream)
    finally:
        root.handlers[:], root.level = saved[0], saved[1]
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


def quiet_libraries(threshold: int) -> None:
    """Hold back the libraries that log tokens, texts or SQL parameters (`LIBRARY_FLOORS`)."""
    for name, floor in LIBRARY_FLOORS.items():
        logging.getLogger(name).setLevel(max(floor, threshold))


def configure_from(
    config: Config, *, verbose: bool = False, stream: IO[str] | None = None
) -> logging.Handler:
    """`configure` as the environment says; `buurtbot -v run` logs at DEBUG."""
    return configure(
        "DEBUG" if verbose else config.log_level,
        config.log_format,
        secrets=(config.telegram_token, config.webhook_secret, config.metrics_token),
        stream=stream,
    )
