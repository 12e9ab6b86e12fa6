"""`/dashboard/signals`: the neighbourhood signals for admins (bot/signals, docs/signals.md):
charts per area over time, the areas compared, the latest period's table, printable on A4,
and the same rows as CSV (`/dashboard/signals.csv`). Every view and download is audited."""

from __future__ import annotations

import io
from collections import defaultdict
from datetime import date

from aiohttp import web
from markupsafe import Markup

from bot.dashboard import actions, auth, i18n, texts
from bot.dashboard.actions import Refused
from bot.dashboard.views import render, work_of
from bot.engine.texts import N_
from bot.keys import CONFIG, DB
from bot.signals import charts, periods
from bot.signals.cli import report, write_csv
from bot.signals.report import ALL_AREAS, TOTAL, Row

GROUPS = {
    # Translators: dashboard, signals: residents' first message of a day, by language.
    "contact": N_("Contacten per taal (eerste bericht van de dag)"),
    # Translators: dashboard, signals: flows started, typed or by button.
    "topic": N_("Onderwerpen (gestarte flows)"),
    # Translators: dashboard, signals: cases by priority and reason (urgent: by category).
    "case": N_("Casussen per prioriteit en reden"),
    # Translators: dashboard, signals: what followed a "no bed tonight" case.
    "no_bed": N_("Geen slaapplek vannacht: wat volgde"),
    # Translators: dashboard, signals: time until a worker took the case.
    "claim": N_("Tijd tot oppakken (binnen / buiten kantoortijd)"),
    # Translators: dashboard, signals: time until the first reply of a worker.
    "first_reply": N_("Tijd tot eerste antwoord (binnen / buiten kantoortijd)"),
    # Translators: dashboard, signals: answers to a follow-up question.
    "follow_up": N_("Follow-up: geholpen, een beetje, niet"),
    # Translators: dashboard, signals: answers to "did this help you?" after a case closed.
    "after_close": N_("Na afsluiten: iets aan gehad?"),
    # Translators: dashboard, signals: where residents left a flow (flow.question).
    "left": N_("Waar bewoners een flow verlieten"),
}
# Translators: dashboard, signals: a cell left empty because the count is too small.
HIDDEN = N_("verborgen (te klein om te tonen)")
# Translators: dashboard, signals: a date in the filter is not a date.
BAD_DATE = N_("Een datum is JJJJ-MM-DD.")
PARTS = {
    # Translators: dashboard, signals: the case opened within office hours.
    "office": N_("binnen kantoortijd"),
    # Translators: dashboard, signals: the case opened outside office hours.
    "outside": N_("buiten kantoortijd"),
    # Translators: dashboard, signals: a resident's first contact (not within 30 days).
    "first": N_("eerste contact"),
    # Translators: dashboard, signals: a resident who wrote in the last 30 days too.
    "returning": N_("kwam terug"),
    # Translators: dashboard, signals: a flow started from words the resident typed.
    "typed": N_("getypt"),
    # Translators: dashboard, signals: a flow started with a button or number.
    "button": N_("met een knop"),
    # Translators: dashboard, signals: answer to a follow-up: helped a bit.
    "a_bit": N_("een beetje geholpen"),
    # Translators: dashboard, signals: answer to a follow-up: not helped.
    "not": N_("niet geholpen"),
    # Translators: dashboard, signals: the total of an area (or of all areas).
    TOTAL: N_("Totaal"),
    # Translators: dashboard, signals: the language a resident wrote in.
    "nl": N_("Nederlands"),
    # Translators: dashboard, signals: the language a resident wrote in.
    "ar": N_("Arabisch"),
    # Translators: dashboard, signals: the language a resident wrote in.
    "ti": N_("Tigrinisch"),
    # Translators: dashboard, signals: the language a resident wrote in.
    "en": N_("Engels"),
}


def label(measure: str) -> str:
    """A measure in words: `case.high.no_bed` -> "Hoog · Geen slaapplek vannacht"."""
    _, _, rest = measure.partition(".")
    words = []
    for part in rest.split("."):
        known = (
            PARTS.get(part)
            or texts.PRIORITIES.get(part)
            or texts.REASONS.get(part)
            or texts.OUTCOMES.get(part)
        )
        words.append(i18n.gettext(known) if known else part)
    return " · ".join(words)


def _query(request: web.Request) -> tuple[str, date | None, date | None, str | None]:
    q = request.query
    kind = q.get("period") or "month"
    if kind not in periods.KINDS:
        kind = "month"
    try:
        start = date.fromisoformat(q["from"]) if q.get("from") else None
        end = date.fromisoformat(q["to"]) if q.get("to") else None
    except ValueError:
        raise Refused(BAD_DATE) from None
    return kind, start, end, q.get("team") or None


async def _rows(
    request: web.Request,
) -> tuple[list[Row], str, date | None, date | None, str | None]:
    kind, start, end, team = _query(request)
    k = request.config_dict[CONFIG].signals_min_count
    rows = await report(request.config_dict[DB], kind=kind, k=k, start=start, end=end, team=team)
    return rows, kind, start, end, team


def _detail(kind: str, start: date | None, end: date | None, team: str | None) -> str:
    return f"period={kind} from={start or ''} to={end or ''} team={team or ''}"


@auth.admin_only
async def signals_page(request: web.Request) -> web.Response:
    rows, kind, start, end, team = await _rows(request)
    await actions.log_view(work_of(request), "view_signals", _detail(kind, start, end, team))
    hidden = i18n.gettext(HIDDEN)
    names = sorted({r.period for r in rows})
    areas = sorted({r.area for r in rows if r.area != ALL_AREAS})
    value = {(r.period, r.area, r.measure): r.value for r in rows}
    over_time = [
        (
            area,
            Markup(
                charts.bars(
                    [(p, value.get((p, area, f"case.{TOTAL}"))) for p in names],
                    title=f"{area}: {i18n.gettext(GROUPS['case'])}",
                    hidden=hidden,
                )
            ),
            Markup(
                charts.bars(
                    [(p, value.get((p, area, f"contact.{TOTAL}"))) for p in names],
                    title=f"{area}: {i18n.gettext(GROUPS['contact'])}",
                    hidden=hidden,
                )
            ),
        )
        for area in areas
    ]
    latest = names[-1] if names else None
    compared = [
        (
            group,
            Markup(
                charts.compare(
                    [(a, value.get((latest, a, f"{group}.{TOTAL}"))) for a in areas],
                    title=i18n.gettext(GROUPS[group]),
                    hidden=hidden,
                )
            ),
        )
        for group in ("case", "contact", "topic")
        if latest and any((latest, a, f"{group}.{TOTAL}") in value for a in areas)
    ]
    return render(
        request,
        "signals.html",
        {
            "over_time": over_time,
            "compared": compared,
            "latest": latest,
            "tables": _tables(rows, latest),
            "groups": GROUPS,
            "filters": {"period": kind, "from": start or "", "to": end or "", "team": team or ""},
            "kinds": periods.KINDS,
            "k": request.config_dict[CONFIG].signals_min_count,
            "query": request.query_string,
            "label": label,
        },
    )


def _tables(rows: list[Row], period: str | None) -> list[tuple[str, list[str], list[tuple]]]:
    """Per group of the latest period: (group, areas, [(measure, [value per area])])."""
    cells: dict[str, dict[str, dict[str, int | None]]] = defaultdict(lambda: defaultdict(dict))
    for r in rows:
        if r.period == period:
            group, _, rest = r.measure.partition(".")
            cells[group][rest][r.area] = r.value
    tables = []
    for group in GROUPS:
        if group not in cells:
            continue
        areas = sorted({a for values in cells[group].values() for a in values})
        areas.sort(key=lambda a: a == ALL_AREAS)
        measures = sorted(cells[group], key=lambda m: (m == TOTAL, m))
        lines = [(f"{group}.{m}", [cells[group][m].get(a) for a in areas]) for m in measures]
        tables.append((group, areas, lines))
    return tables


@auth.admin_only
async def signals_csv(request: web.Request) -> web.Response:
    rows, kind, start, end, team = await _rows(request)
    await actions.log_view(work_of(request), "download_signals", _detail(kind, start, end, team))
    out = io.StringIO()
    write_csv(rows, out)
    return web.Response(
        text=out.getvalue(),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="buurtbot-signalen-{kind}.csv"'},
    )
