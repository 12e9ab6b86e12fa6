"""Held messages on local disk, so that a process killed during a database outage does not
lose them (`bot.channels.holding` keeps them in memory as well; this is the copy that survives).

Each process appends to a file of its own, `held-<pid>-<random>.jsonl` in the spool directory
(`BUURTBOT_SPOOL_DIR`, mode 0700; the file 0600: it holds message text). One JSON line per
held message, `{"seq", "held_at", "inbound": {every field of Inbound}}`, written and fsynced
before the message counts as held; once it is stored, a line `{"done": seq}`. When nothing
is left, the file is emptied. Appending only, never rewriting, keeps each step one short
write, and a line half-written at a crash spoils only itself: it is skipped on reading.

The process holds an exclusive `flock` on its file while it lives (the kernel drops it when
the process dies, however it dies). At start-up a process takes over every other spool file
whose lock it can get, i.e. whose owner is gone: it copies the messages not done into its own
file, then deletes the old one. A file whose lock is taken belongs to a running process and
is left alone, so no message is replayed by two processes. A new file is locked before it
gets its visible name, so no other process can mistake it for an orphan.

A message stored just before a kill, before its `done` line, is handed over once more on
the next start (at least once, never lost); its `Inbound.key` lets the conversation path see
that it was handled already.
"""

from __future__ import annotations

import fcntl
import heapq
import json
import logging
import os
import secrets
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from pathlib import Path

from bot.conversation import Inbound

logger = logging.getLogger(__name__)

PATTERN = "held-*.jsonl"


@dataclass(frozen=True)
class Held:
    """A held message with its place in this process's spool file (None: memory only)."""

    seq: int | None
    held_at: datetime
    inbound: Inbound


class Spool:
    """This process's spool file in `directory`. Blocking: `Holding` runs `open`, `add`, `done`
    and `close` on one thread of their own, in the order it asks for them."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / f"held-{os.getpid()}-{secrets.token_hex(4)}.jsonl"
        self._fd: int | None = None
        self._size = 0
        self._next = 1
        self._live: set[int] = set()  # seqs written and not done

    def open(self) -> list[Held]:
        """Create this process's file, take over those of processes that are gone, and return
        their messages (now in this file), in the order they were held. Raises `OSError`."""
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.directory.chmod(0o700)  # also when it was there already (docs/privacy.md)
        hidden = self.path.with_name(f".{self.path.name}.new")  # not matched by PATTERN
        fd = os.open(hidden, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_EXCL, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.rename(hidden, self.path)
        self._fd = fd
        others = sorted(p for p in self.directory.glob(PATTERN) if p != self.path)
        taken = [t for path in others if (t := _take(path)) is not None]
        try:
            found = heapq.merge(*(held for _, _, held in taken), key=lambda h: h.held_at)
            moved = [Held(self.reserve(), h.held_at, h.inbound) for h in found]
            for held in moved:
                self.add(held)
            for path, _, _ in taken:
                path.unlink()
            _sync_dir(self.directory)
        finally:
            for _, other, _ in taken:
                os.close(other)  # drops its lock: deleted by now, or left whole for a retry
        if moved:
            logger.warning(
                "took over %d held message(s) of %d stopped process(es)", len(moved), len(taken)
            )
        return moved

    def reserve(self) -> int:
        """The seq for the next message (numbers are never reused while this file is open)."""
        seq = self._next
        self._next += 1
        return seq

    def add(self, held: Held) -> None:
        """Write one held message to disk (fsynced when this returns). Raises `OSError`."""
        assert held.seq is not None
        inbound = asdict(held.inbound)
        self._write({"seq": held.seq, "held_at": held.held_at.isoformat(), "inbound": inbound})
        self._live.add(held.seq)

    def done(self, seq: int) -> None:
        """The message `seq` is stored; when none is left the file is emptied. Raises
        `OSError`."""
        self._live.discard(seq)
        if self._live:
            self._write({"done": seq})
        elif self._fd is not None and self._size:
            os.ftruncate(self._fd, 0)
            os.fsync(self._fd)
            self._size = 0

    def close(self) -> None:
        """Release the file: deleted when empty, else left for the next start to take over."""
        if self._fd is None:
            return
        if not self._live:
            self.path.unlink(missing_ok=True)
        os.close(self._fd)  # drops the lock
        self._fd = None

    def _write(self, record: dict) -> None:
        if self._fd is None:
            raise OSError("spool file not open")
        data = (json.dumps(record, ensure_ascii=False) + "\n").encode()
        try:
            written = 0
            while written < len(data):
                written += os.write(self._fd, data[written:])
            os.fsync(self._fd)
        except OSError:
            # A partial line would swallow the next one: cut it off again (disk full, say).
            try:
                os.ftruncate(self._fd, self._size)
            except OSError:
                logger.error("spool file could not be repaired; no longer written")
                os.close(self._fd)
                self._fd = None
            raise
        self._size += len(data)


def _take(path: Path) -> tuple[Path, int, list[Held]] | None:
    """The open, locked descriptor of `path` and its messages not done, when its owner is gone
    (the lock is free); None when the file belongs to a running process or is gone."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        if os.stat(path).st_ino != os.fstat(fd).st_ino:
            raise FileNotFoundError  # taken over and deleted by another process meanwhile
        with os.fdopen(os.dup(fd), "rb") as file:
            return path, fd, read(file.read(), path.name)
    except BlockingIOError:  # its process still runs
        pass
    except FileNotFoundError:
        pass
    except OSError as exc:
        logger.error("spool file %s could not be taken over (%s)", path.name, exc)
    os.close(fd)
    return None


def read(data: bytes, name: str) -> list[Held]:
    """The held messages in a spool file's content that are not done, in file order; an
    unreadable line is skipped with a warning (which names the line, never its text)."""
    held: dict[int, Held] = {}
    done: set[int] = set()
    names = {f.name for f in fields(Inbound)}
    for number, line in enumerate(data.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            if "done" in record:
                done.add(int(record["done"]))
                continue
            values = {k: v for k, v in record["inbound"].items() if k in names}
            inbound = Inbound(**values)
            if not isinstance(inbound.channel, str) or not isinstance(inbound.external_id, str):
                raise TypeError("channel and external_id must be text")
            seq = int(record["seq"])
            held[seq] = Held(seq, datetime.fromisoformat(record["held_at"]), inbound)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            logger.warning(
                "spool file %s line %d unreadable (%s); skipped", name, number, type(exc).__name__
            )
    return [h for seq, h in held.items() if seq not in done]


def _sync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
