"""Live content: an edited flow is served without a restart.

The flow files, local contacts (`local.yaml`), risk lists (`risk/`), intent lists
(`intents/`), canned replies and the PO catalogs are watched: every `interval` seconds (2 by
default, `BUURTBOT_CONTENT_POLL_SECONDS`, 0 switches it off) the watcher compares their sizes
and modification times. After a change it checks everything again, in a worker thread, as
`buurtbot flows validate` does:

- no errors: the new flows, lists and catalogs are swapped into the running conversations in
  one step of the event loop (`Conversations.use_content`). A message being handled keeps the
  content it started with; the next one gets the new. A resident who waited at a node that
  is gone gets the engine's kind line and the menu (bot/engine/runtime.py, `missing_node`).
- any error: the running content stays as it was. The errors go to the log and to
  `Content.problems`, which the dashboard's Flows page shows ("De laatste wijziging is niet
  in gebruik genomen").

Canned replies are the dashboard's: `on_replies` callbacks get the new folder's replies (a
broken reply file keeps its valid replies, as at start).
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from aiohttp import web

from bot.config import Config
from bot.conversation import Conversations
from bot.i18n import Catalogs
from bot.keys import CONFIG, CONVERSATIONS
from bot.yamldoc import Problem
from storage.types import utcnow

logger = logging.getLogger(__name__)

INTERVAL = 2.0
SUFFIXES = (".yaml", ".yml")
Stamp = tuple[tuple[str, int, int], ...]


def interval_from_env() -> float:
    value = os.environ.get("BUURTBOT_CONTENT_POLL_SECONDS", "")
    try:
        return max(0.0, float(value)) if value else INTERVAL
    except ValueError:
        logger.error("BUURTBOT_CONTENT_POLL_SECONDS=%r is not a number; using %s", value, INTERVAL)
        return INTERVAL


def stamp(*folders: Path, skip: tuple[str, ...] = ("tests",)) -> Stamp:
    """Size and modification time of every content file under `folders` (flow tests are
    not content: editing them changes nothing that runs)."""
    found = []
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in folder.rglob("*"):
            if path.suffix not in (*SUFFIXES, ".po") or not path.is_file():
                continue
            if any(part in skip for part in path.relative_to(folder).parts[:-1]):
                continue
            try:
                info = path.stat()
            except OSError:
                continue  # removed while we looked: the next look sees it
            found.append((str(path), info.st_mtime_ns, info.st_size))
    return tuple(sorted(found))


@dataclass(frozen=True)
class Loaded:
    """Checked content, ready to be swapped in."""

    flows: object
    catalogs: Catalogs
    risk: object
    router: object


def build(config: Config, current: Conversations) -> tuple[Loaded | None, list[Problem]]:
    """Read and check all content (blocking: run it in a thread). (None, problems) when there
    is any error."""
    from bot.engine import check as check_flows
    from bot.risk import check as check_risk
    from bot.risk.detector import Detector, with_model
    from bot.understanding.intents import check_intents
    from bot.understanding.route import load_router

    directory = config.flows_dir
    flows, problems = check_flows(directory)
    phrases, risk_problems = check_risk(directory / "risk")
    problems += risk_problems
    intents = directory / "intents"
    if intents.is_dir():
        problems += check_intents(intents)
    errors = [p for p in problems if p.severity == "error"]
    if errors or flows is None or phrases is None:
        return None, sorted(problems)
    catalogs = Catalogs.load(config.locales_dir)
    old = current.risk
    if isinstance(old, Detector):  # the trained layer does not change: keep it loaded
        risk: object = Detector(phrases, old.classifier, old.encoder)
    else:
        risk = with_model(phrases) if old is not None else None
    intents_dir = intents if intents.is_dir() else None
    router = load_router(flows, catalogs.aliases, intents_dir=intents_dir)
    return Loaded(flows, catalogs, risk, router), sorted(problems)


@dataclass
class Content:
    """The watcher. `problems` are the errors of the newest change when it was refused
    (empty while the running content is the newest); `loaded_at` when content was last
    swapped in, `refused_at` when a change was last refused."""

    config: Config
    conversations: Conversations
    interval: float = INTERVAL
    replies_dir: Path | None = None
    problems: list[Problem] = field(default_factory=list)
    loaded_at: datetime | None = None
    refused_at: datetime | None = None
    on_replies: list[Callable[[Path], None]] = field(default_factory=list)
    _seen: Stamp = ()
    _seen_replies: Stamp = ()

    def folders(self) -> tuple[Path, ...]:
        flows = self.config.flows_dir
        return (flows, self.config.locales_dir)

    def start_from_disk(self) -> None:
        """What is on disk now is what runs (read at start)."""
        self._seen = stamp(*self.folders(), skip=("tests", "replies"))
        self._seen_replies = stamp(self._replies())
        self.loaded_at = utcnow()

    def _replies(self) -> Path:
        return self.replies_dir or self.config.flows_dir / "replies"

    async def look(self) -> bool:
        """One look at the files; True when new content was swapped in."""
        now = await asyncio.to_thread(stamp, *self.folders(), skip=("tests", "replies"))
        replies = await asyncio.to_thread(stamp, self._replies())
        if replies != self._seen_replies:
            self._seen_replies = replies
            for callback in self.on_replies:
                callback(self._replies())
            logger.info("canned replies reloaded from %s", self._replies())
        if now == self._seen:
            return False
        self._seen = now
        loaded, problems = await asyncio.to_thread(build, self.config, self.conversations)
        if loaded is None:
            self.problems = [p for p in problems if p.severity == "error"]
            self.refused_at = utcnow()
            logger.error(
                "content change not used, the running flows stay: %d error(s)", len(self.problems)
            )
            for problem in self.problems:
                logger.error("%s", problem)
            return False
        self.conversations.use_content(
            flows=loaded.flows, catalogs=loaded.catalogs, risk=loaded.risk, router=loaded.router
        )
        self.problems = []
        self.loaded_at = utcnow()
        logger.info("content reloaded from %s", self.config.flows_dir)
        return True

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.look()
            except Exception:  # a watcher that dies would leave edits unserved, silently
                logger.exception("looking at the content files failed; trying again")


CONTENT = web.AppKey("content", Content)


async def watching(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: watch the content while the app runs (after `_core`)."""
    interval = interval_from_env()
    content = Content(app[CONFIG], app[CONVERSATIONS], interval)
    content.start_from_disk()
    app[CONTENT] = content
    task = asyncio.create_task(content.run()) if interval > 0 else None
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
