"""What is kept of a name typed into the login form.

A name that belongs to an account is kept as it is (the audit log says whose account was
tried). Anything else may be a password typed into the wrong field, so only a keyed hash of it
is kept: enough to count failures of the same typed name for the lockout, useless for reading
back what was typed. The key is made when the process starts and never stored, so after a
restart not even this process can link a hash to a guess.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from storage.users import User

_KEY = secrets.token_bytes(32)
PREFIX = "?"  # cannot start a real user name (storage/users.py: NAME)


def kept(typed: str, user: User | None) -> str:
    """The user's name when `typed` names an account, else `?` and 16 hex digits."""
    if user is not None:
        return user.name
    digest = hmac.new(_KEY, typed.encode("utf-8", "replace"), hashlib.sha256).hexdigest()
    return PREFIX + digest[:16]
