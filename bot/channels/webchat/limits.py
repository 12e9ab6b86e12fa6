"""Rate limits for the web chat: per chat and per address, kept in this process's memory.

Token buckets: a bucket holds up to `capacity` tokens and gains `rate` per second; a message
takes `cost` tokens or is refused. A message from a chat this process has not seen take more
from its address's bucket than one from a known chat, because a new chat makes a new resident
row. nginx's `limit_req` (deploy/nginx.conf) is the second line, also across processes.

A message that shows risk is never just refused (docs/privacy.md, "Rate limits"): over the
limit it still gets its crisis lines, and it is stored (opening or raising a case) while the
address's `risk` bucket allows; beyond that only the crisis lines are sent.
"""

from __future__ import annotations

import logging
import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web

from bot.conversation import Inbound
from bot.dashboard.auth import client_ip
from bot.i18n import script_language, supported, web_texts
from bot.keys import CATALOGS, CONVERSATIONS

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rule:
    capacity: float
    rate: float  # tokens per second


@dataclass(frozen=True)
class Rules:
    chat: Rule = Rule(capacity=10, rate=0.5)  # a burst of 10, then one every 2 s
    address: Rule = Rule(capacity=60, rate=1.0)  # a team's office or a library shares one
    new_chat_cost: float = 20  # a new resident row: three at once, then one per 20 s
    risk: Rule = Rule(capacity=2, rate=1 / 600)  # stored risk messages over the limit


class Buckets:
    """Token buckets by key; the least recently used are forgotten beyond `size` keys (a
    forgotten bucket is full again, which errs on the side of letting people write)."""

    def __init__(self, rule: Rule, clock: Callable[[], float], size: int = 50_000) -> None:
        self.rule = rule
        self.clock = clock
        self.size = size
        self._levels: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key -> (tokens, at)

    def _level(self, key: str, now: float) -> float:
        tokens, at = self._levels.get(key, (self.rule.capacity, now))
        return min(self.rule.capacity, tokens + (now - at) * self.rule.rate)

    def take(self, key: str, cost: float = 1.0) -> float:
        """0 when `cost` tokens were taken; else the seconds until they would be there."""
        now = self.clock()
        level = self._level(key, now)
        if level < cost:
            return (cost - level) / self.rule.rate if self.rule.rate else math.inf
        self._levels[key] = (level - cost, now)
        self._levels.move_to_end(key)
        while len(self._levels) > self.size:
            self._levels.popitem(last=False)
        return 0.0


class Limits:
    """The web chat's limits in this process."""

    def __init__(self, rules: Rules | None = None, clock: Callable[[], float] = time.monotonic):
        self.rules = rules or Rules()
        self.chats = Buckets(self.rules.chat, clock)
        self.addresses = Buckets(self.rules.address, clock)
        self.risk = Buckets(self.rules.risk, clock)
        self._known: OrderedDict[str, str | None] = OrderedDict()  # chat -> language

    def known(self, chat: str) -> bool:
        return chat in self._known

    def remember(self, chat: str, language: str | None) -> None:
        """`chat` was stored (it has a resident row) and speaks `language`."""
        self._known[chat] = language or self._known.get(chat)
        self._known.move_to_end(chat)
        while len(self._known) > self.chats.size:
            self._known.popitem(last=False)

    def language(self, chat: str) -> str | None:
        return self._known.get(chat)

    def check(self, chat: str, address: str) -> float:
        """0 when a message of `chat` from `address` is within the limits; else the seconds
        until it would be."""
        cost = 1.0 if self.known(chat) else self.rules.new_chat_cost
        return self.chats.take(chat) or self.addresses.take(address, cost)

    def risk_pass(self, address: str) -> bool:
        """Whether a risk message over the limit from `address` is still stored."""
        return not self.risk.take(address)


LIMITS = web.AppKey("webchat_limits", Limits)


async def over_limit(request: web.Request, chat: str, inbound: Inbound) -> web.Response | None:
    """None when `inbound` may go on to the conversation path; else the answer: 429 with the
    reason in the resident's language, and the crisis lines when the message shows risk."""
    limits = request.app[LIMITS]
    wait = limits.check(chat, client_ip(request))
    if not wait:
        return None
    conversations = request.app[CONVERSATIONS]
    crisis = await conversations.crisis_replies(inbound)
    if crisis and limits.risk_pass(client_ip(request)):
        logger.warning("web chat over its limit, but a risk message: stored all the same")
        return None
    lang = limits.language(chat) or script_language(inbound.text) or inbound.language_hint
    text = web_texts(request.app[CATALOGS], supported(lang))["too_fast"]
    body: dict[str, object] = {"error": text, "retry_after": math.ceil(wait)}
    if crisis:
        logger.error("web chat over its limit: a risk message got its crisis lines, not stored")
        body |= {"direct": [r.text for r in crisis], "stored": False}
    seconds = str(min(math.ceil(wait), 3600))
    return web.json_response(body, status=429, headers={"Retry-After": seconds})
