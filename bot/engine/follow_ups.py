"""`follow_up:` on a node: ask the resident some days later whether it worked out.

```yaml
  toeslagen_site:
    say: Je kunt het aanvragen op toeslagen.nl ...
    follow_up: {after: 7d, ask: "Is het gelukt met je aanvraag?"}
    end: true
```

`after` is a number of days (`7d`) or weeks (`2w`), at least one day and at most a year. The
engine only reports it (`FollowUpDue`) when a run passes the node; the caller stores it and a
sender asks the question later, within office hours, with the answer buttons of its own.
"""

from __future__ import annotations

import re
from typing import Any

from bot.engine.model import FollowUpSpec
from bot.engine.reader import Reader, kind
from bot.yamldoc import YamlPath

FOLLOW_UP_KEYS = ("after", "ask")
MAX_DAYS = 365
_DURATION = re.compile(r"(\d+)([dw])\Z")
_DAY_WORDS = r"d|dag|dagen|day|days"
_WEEK_WORDS = r"w|wk|week|weken|weeks"
_SPELLED = re.compile(rf"(\d+)\s*(?:({_DAY_WORDS})|({_WEEK_WORDS}))\.?\Z", re.IGNORECASE)
_EXAMPLE = 'follow_up: {after: 7d, ask: "Is het gelukt?"}'


def read_follow_up(r: Reader, path: YamlPath, value: Any) -> FollowUpSpec | None:
    if not isinstance(value, dict):
        r.error(path, f"must have 'after:' and 'ask:', not {kind(value)} (e.g. '{_EXAMPLE}')")
        return None
    meant = r.keys(path, value, FOLLOW_UP_KEYS, {}, "follow_up")
    days = None
    if "after" in value:
        days = _days(r, (*path, "after"), value["after"])
    elif "after" not in meant:
        r.error(path, "has no 'after' (add 'after: 7d': after how many days to ask)")
    ask = None
    if "ask" in value:
        ask = r.text((*path, "ask"), value["ask"])
    elif "ask" not in meant:
        r.error(path, "has no 'ask' (add 'ask: <question>', e.g. 'ask: Is het gelukt?')")
    if days is None or ask is None:
        return None
    return FollowUpSpec(days, ask)


def _days(r: Reader, path: YamlPath, value: Any) -> int | None:
    """Days from `7d` or `2w`; an error with the likely fix for anything else."""
    how = "a number of days with 'd' (e.g. '7d') or of weeks with 'w' (e.g. '2w')"
    if isinstance(value, int) and not isinstance(value, bool):
        r.error(path, f"must be {how}, not a number (did you mean '{value}d'?)", at="value")
        return None
    if not isinstance(value, str):
        r.error(path, f"must be {how}, not {kind(value)}", at="value")
        return None
    found = _DURATION.match(value.strip())
    if found is None:
        spelled = _SPELLED.match(value.strip())
        hint = ""
        if spelled:
            hint = f"did you mean '{spelled[1]}{'d' if spelled[2] else 'w'}'? "
        r.error(path, f"'{value}' is not a duration ({hint}write {how})", at="value")
        return None
    days = int(found[1]) * (7 if found[2] == "w" else 1)
    if days < 1:
        r.error(path, f"'{value}' is no time at all (at least '1d': the next day)", at="value")
        return None
    if days > MAX_DAYS:
        r.error(path, f"'{value}' is more than a year (at most '{MAX_DAYS}d')", at="value")
        return None
    return days
