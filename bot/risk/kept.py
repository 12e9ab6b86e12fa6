"""`Kept`: the last answers worked out for texts, by a digest of the text.

Residents write the same short messages again and again ("ja", "hallo", "ik heb hulp nodig"),
and what the e5 encoder (encoder.py) and the router (bot/understanding/route.py) make of a text
is a pure function of it, so their last answers are kept. The key is a 16-byte digest: the
text itself is not kept here. What one resident wrote can change only how soon another's answer
comes, never what it says.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


def digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode(), digest_size=16).digest()


class Kept(Generic[T]):
    """At most `size` answers, the least recently used going first (0: none kept). Not locked:
    a caller on several threads holds its own lock."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._answers: OrderedDict[bytes, T] = OrderedDict()

    def get(self, key: bytes) -> T | None:
        answer = self._answers.get(key)
        if answer is not None:
            self._answers.move_to_end(key)
        return answer

    def put(self, key: bytes, answer: T) -> None:
        if self.size <= 0:
            return
        self._answers[key] = answer
        while len(self._answers) > self.size:
            self._answers.popitem(last=False)

    def __len__(self) -> int:
        return len(self._answers)

    def __iter__(self) -> Iterator[bytes]:
        """The keys: digests, never texts."""
        return iter(self._answers)
