"""The dashboard's settings and its keys on the aiohttp application and request.

Environment (all optional):
- `DASHBOARD_TRUST_PROXY=1`: the dashboard runs behind a reverse proxy that sets
  `X-Forwarded-Proto` and `X-Forwarded-For` (the right-most address is taken as the client's,
  for the per-address login lock). Without it these headers are ignored: anyone could send them.
- `DASHBOARD_SECURE_COOKIES=1`: always mark the session cookie `Secure` (otherwise it is marked
  when the request came over https, directly or, with a trusted proxy, per X-Forwarded-Proto).
- `BUURTBOT_REPLIES_DIR`: the canned replies (default `<flows dir>/replies`).
- `BUURTBOT_REQUIRE_2FA=1`: every account logs in with a code as well (bot/dashboard/two_step.py);
  an account without it sets it up at its next login.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import jinja2
from aiohttp import web

from bot.dashboard.live import Live
from bot.dashboard.replies import CannedReplies
from storage.users import Login


@dataclass(frozen=True)
class Settings:
    trust_proxy: bool = False
    secure_cookies: bool = False
    replies_dir: Path | None = None
    poll_interval: float = 1.0  # seconds between looks at the database for live updates
    require_2fa: bool = False  # BUURTBOT_REQUIRE_2FA: every account needs a second factor

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        e = os.environ if env is None else env
        replies = e.get("BUURTBOT_REPLIES_DIR")
        return cls(
            trust_proxy=e.get("DASHBOARD_TRUST_PROXY", "") in ("1", "true", "yes"),
            secure_cookies=e.get("DASHBOARD_SECURE_COOKIES", "") in ("1", "true", "yes"),
            replies_dir=Path(replies) if replies else None,
            require_2fa=e.get("BUURTBOT_REQUIRE_2FA", "") in ("1", "true", "yes"),
        )


SETTINGS = web.AppKey("dashboard_settings", Settings)
LIVE = web.AppKey("dashboard_live", Live)
REPLIES = web.AppKey("dashboard_replies", CannedReplies)
TEMPLATES = web.AppKey("dashboard_templates", jinja2.Environment)
LOGIN = web.RequestKey("dashboard_login", Login)
