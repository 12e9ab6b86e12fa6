"""The assessments of the last messages one detector read, per chat.

A typed message is assessed twice on its way through the bot: before it is queued (a crisis
goes before a waiting crowd, bot/channels/telegram/ordering.py) and again on the conversation
path. The detector is pure, so the second time can be a lookup; a crisis found by the first
read is then also the same decision the conversation path acts on. Answers are kept per chat
(`who`): the same text from two residents is read twice, as any two messages are, so nothing
here depends on what other residents wrote.

Read on the risk thread (bot/conversation/risk_thread.py) and on the event loop's, so the
answers kept are guarded by a lock.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from bot.risk.assessment import Assessment
from bot.risk.detector import Detector, assess
from bot.risk.matcher import RiskModel

SIZE = 1024  # messages remembered: far more than are queued at once


class Recent:
    """`assess(detector, text)` with the last `size` answers kept per chat (least recently used
    go); without a chat (`who` None) nothing is kept. Safe to call from any thread."""

    def __init__(self, detector: Detector | RiskModel, size: int = SIZE) -> None:
        self.detector = detector
        self.size = size
        self._answers: OrderedDict[tuple[str, str], Assessment] = OrderedDict()
        self._lock = threading.Lock()  # the loop's thread and the risk thread both come here

    def __call__(self, text: str, who: str | None = None) -> Assessment:
        if who is None:
            return assess(self.detector, text)
        answer = self.kept(text, who)
        if answer is not None:
            return answer
        answer = assess(self.detector, text)  # not under the lock: an embedding takes a while
        with self._lock:
            self._answers[(who, text)] = answer
            if len(self._answers) > self.size:
                self._answers.popitem(last=False)
        return answer

    def kept(self, text: str, who: str) -> Assessment | None:
        """The answer kept for `text` from `who` (now the most recently used), or None."""
        key = (who, text)
        with self._lock:
            answer = self._answers.get(key)
            if answer is not None:
                self._answers.move_to_end(key)
            return answer

    def __len__(self) -> int:
        return len(self._answers)
