"""A case's transcript made readable for a worker who does not read the resident's language,
without showing the risk layer's internals (issue 18):

- `marked`: the resident's message as written, with the words that matched (or the sentence
  the model flagged) in `<mark>`; the rest escaped.
- `risk_reason`: the level and categories of a message's risk in words ("Hoog · Geen
  slaapplek vannacht"), never the phrase lists' patterns (`wil + niet meer leven`) or scores.

The Dutch source of a bot message is kept in its transcript entry (`data.source`, written by
the conversation; bot/i18n.py `Rendered.source`) and shown by the template beside it.
"""

from __future__ import annotations

from typing import Any

import jinja2
from markupsafe import Markup, escape

from bot.dashboard import i18n, texts
from bot.dashboard.filters import priority_label, reason_label


def spans(risk: dict[str, Any] | None, length: int) -> list[tuple[int, int]]:
    """The matched spans of a message of `length` characters, merged, in order."""
    found = []
    for match in (risk or {}).get("matches", []):
        start, end = match.get("start"), match.get("end")
        if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= length:
            found.append((start, end))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(found):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def marked(text: str, risk: dict[str, Any] | None) -> Markup:
    """`text` escaped, with the matched words in `<mark data-testid="risk-words">`."""
    out, at = [], 0
    for start, end in spans(risk, len(text)):
        out.append(escape(text[at:start]))
        out.append(Markup('<mark data-testid="risk-words">%s</mark>') % text[start:end])
        at = end
    out.append(escape(text[at:]))
    return Markup("").join(out)


def risk_reason(risk: dict[str, Any] | None) -> str:
    """ "Hoog · Geen slaapplek vannacht": the level and the categories, in words."""
    if not risk:
        return ""
    level = risk.get("level", "")
    shown = i18n.gettext(texts.RISK_CHECK) if level == "check" else priority_label(level)
    categories = [reason_label(c) for c in risk.get("categories", []) if isinstance(c, str)]
    return " · ".join([shown, *categories])


def install(env: jinja2.Environment) -> None:
    env.globals.update(marked=marked, risk_reason=risk_reason)
