"""Password hashing with argon2id (argon2-cffi). Hashing is deliberately slow and uses 64 MiB, so
it runs in a worker thread, at most `PARALLEL` at a time, and never blocks the event loop."""

from __future__ import annotations

import asyncio
import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

PARALLEL = 4

hasher = PasswordHasher()  # argon2id, RFC 9106 low-memory profile (t=3, m=64 MiB, p=4)
_limit = threading.BoundedSemaphore(PARALLEL)


def hash_password(password: str) -> str:
    with _limit:
        return hasher.hash(password)


_DUMMY = hash_password("a password nobody has, for timing only")


def verify(password_hash: str | None, password: str) -> tuple[bool, bool]:
    """(matches, needs a new hash). With no hash (unknown or disabled user) the same work is
    done against a dummy hash, so the answer takes as long either way."""
    try:
        with _limit:
            ok = hasher.verify(password_hash or _DUMMY, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False, False
    return ok, ok and hasher.check_needs_rehash(password_hash or "")


async def hash_async(password: str) -> str:
    return await asyncio.to_thread(hash_password, password)


async def verify_async(password_hash: str | None, password: str) -> tuple[bool, bool]:
    return await asyncio.to_thread(verify, password_hash, password)
