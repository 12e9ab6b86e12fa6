"""What a test conversation in the flow simulator would have led to, in words for the author:
"Dit zou een hoge casus openen: Geen slaapplek vannacht", and the risk a message showed as
the resident's own words with the category in words. Never the phrase lists' patterns or the
model's scores: those are internal (docs/risk.md).

The simulator keeps its cases in a database of its own (bot/channels/webchat/simulator.py);
this module only reads them and puts them into the worker's language (msgctxt `dashboard`).
"""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.dashboard import i18n, texts
from bot.dashboard.filters import priority_label, reason_label
from bot.i18n import Catalogs
from storage.cases import Case


async def cases(s: AsyncSession, resident_id: int) -> list[dict[str, Any]]:
    """The cases the simulated resident opened, oldest first, each with the sentence the
    panel shows. Call with the worker's language in use (`i18n.use`)."""
    query = select(Case).where(Case.resident_id == resident_id).order_by(col(Case.id))
    return [
        {
            "priority": case.priority,
            "reason": case.reason,
            "status": case.status,
            "text": i18n.gettext(
                texts.WOULD_OPEN.get(case.priority, texts.WOULD_OPEN["normal"]),
                reason=reason_label(case.reason),
            ),
        }
        for case in (await s.exec(query)).all()
    ]


def risk(data: dict[str, Any] | None, text: str) -> dict[str, Any] | None:
    """The risk of one resident message as the panel shows it: level, categories and one
    sentence, from what the transcript keeps (bot/conversation/steps/risk.py `details`)."""
    if not data:
        return None
    level = data.get("level", "")
    categories = [c for c in data.get("categories", []) if isinstance(c, str)]
    words = []
    for match in data.get("matches", []):
        start, end = match.get("start"), match.get("end")
        if match.get("source") == "model":
            words.append(str(match.get("phrase", "")).strip("«»"))
        elif isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text):
            words.append(text[start:end])
    shown_level = i18n.gettext(texts.RISK_CHECK) if level == "check" else priority_label(level)
    reason = ", ".join(reason_label(c) for c in categories)
    words = list(dict.fromkeys(w for w in words if w))
    quoted = f": «{'; '.join(words)}»" if words else ""
    line = f"{shown_level}{quoted} ({reason})"
    return {"level": level, "categories": categories, "text": line}


def use(catalogs: Catalogs, language: str | None) -> None:
    """The panel's texts in the worker's dashboard language."""
    i18n.use(catalogs, i18n.ui_language(language))


def content_state(content: Any) -> dict[str, Any] | None:
    """Whether the author's last edit runs: None when nothing watches the files; else
    {"kept": bool, "text", "problems": ["path:line:col: ..."]} (bot/ops/content.py)."""
    if content is None:
        return None
    from bot.authoring.author_lang import problem_text

    problems = [problem_text(p, i18n.current_language()) for p in content.problems]
    if problems:
        text = i18n.gettext(texts.CONTENT_KEPT, count=len(problems))
    else:
        text = i18n.gettext(texts.CONTENT_LIVE)
    return {"kept": bool(problems), "text": text, "problems": problems}
