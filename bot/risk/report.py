"""Tables of how the detector does on labelled messages it never saw, for docs/risk.md: per
language, per category, per way of writing (Arabizi, Tigrinya in Latin letters, dialects), and
the misses that remain. Written by `python -m bot.risk.train` between markers."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from bot.risk.assessment import CATEGORIES, RANK, Assessment
from bot.risk.evaluation import Labelled, LanguageScore, tally

ESCALATE = ("urgent", "high")


def language_table(results: list[tuple[Labelled, Assessment]]) -> list[str]:
    scores = tally(results)
    rows = [
        "| language | messages | recall (must escalate) | notice (check) | false escalation "
        "| harmless asked the check question | urgent kept urgent | right category |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in [*scores.values(), _total(scores.values())]:
        rows.append(
            f"| {s.language} | {s.total} | **{s.recall:.3f}** ({s.escalate_found}/{s.escalate}) "
            f"| **{s.notice:.3f}** ({s.check_found}/{s.check}) "
            f"| **{s.false_escalation_rate:.3f}** ({s.false_escalations}/{s.harmless}) "
            f"| {s.false_checks}/{s.harmless} "
            f"| {s.urgent_found}/{s.urgent} | {s.category_found}/{s.escalate_found} |"
        )
    return rows


def _total(scores: Iterable[LanguageScore]) -> LanguageScore:
    total = LanguageScore("all")
    for s in scores:
        for name, value in vars(s).items():
            if isinstance(value, int):
                setattr(total, name, getattr(total, name) + value)
    return total


def category_table(results: list[tuple[Labelled, Assessment]]) -> list[str]:
    found: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for m, r in results:
        if m.level in ESCALATE and m.category:
            found[m.category][1] += 1
            found[m.category][0] += r.level in ESCALATE
    rows = ["| category | recall |", "|---|---:|"]
    for c in CATEGORIES:
        hit, total = found[c]
        if total:
            rows.append(f"| {c} | {hit / total:.3f} ({hit}/{total}) |")
    return rows


def variant_table(results: list[tuple[Labelled, Assessment]]) -> list[str]:
    """Recall and false escalation per way of writing (the batches' `variant`)."""
    by: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for m, r in results:
        key = (m.language, m.variant or "-")
        if m.level in ESCALATE:
            by[key][1] += 1
            by[key][0] += r.level in ESCALATE
        elif m.level == "none":
            by[key][3] += 1
            by[key][2] += r.level in ESCALATE
    rows = ["| language | written as | recall | false escalation |", "|---|---|---:|---:|"]
    for (lang, variant), (hit, pos, fa, neg) in sorted(by.items()):
        if pos + neg >= 10:
            recall = f"{hit / pos:.2f} ({hit}/{pos})" if pos else "–"
            false = f"{fa / neg:.2f} ({fa}/{neg})" if neg else "–"
            rows.append(f"| {lang} | {variant} | {recall} | {false} |")
    return rows


def misses(results: list[tuple[Labelled, Assessment]], limit: int = 12) -> list[str]:
    """A sample of what is still missed and wrongly raised, shortest first."""
    missed = [(m, r) for m, r in results if m.level in ESCALATE and r.level not in ESCALATE]
    raised = [(m, r) for m, r in results if m.level == "none" and r.level in ESCALATE]
    out = [f"Missed ({len(missed)}), the shortest {min(limit, len(missed))}:", ""]
    out += [_line(m, r) for m, r in sorted(missed, key=lambda x: len(x[0].text))[:limit]]
    out += ["", f"Raised wrongly ({len(raised)}), the shortest {min(limit, len(raised))}:", ""]
    out += [_line(m, r) for m, r in sorted(raised, key=lambda x: len(x[0].text))[:limit]]
    return out


def _line(m: Labelled, r: Assessment) -> str:
    text = m.text if len(m.text) <= 110 else m.text[:109] + "…"
    text = text.replace("|", "/").replace("\n", " ")
    label = f"{m.level}/{m.category}" if m.category else m.level
    got = r.level + (f" ({', '.join(r.categories)})" if RANK[r.level] else "")
    return f"- `{m.set}` {m.language} {label} → {got}: {text}"


def lobo_section(
    meta: dict,
    results: list[tuple[Labelled, Assessment]],
    phrases_alone: list[tuple[Labelled, Assessment]],
) -> list[str]:
    """The leave-one-batch-out figures of the detector beside those of the lists alone."""
    batches = ", ".join(f"{b} ({n})" for b, n in meta["trained_on"].items())
    return [
        f"_Written by `make risk-model` on {date.today().isoformat()}. Leave-one-batch-out: "
        "each batch scored by a model trained on the other batches (and on `dev`, which is "
        "never scored: the phrase lists were tuned on it). Batches: "
        f"{batches}. Thresholds {meta['thresholds']} were chosen on these same "
        "left-out scores._",
        "",
        *everyday_line(meta),
        *cascade_table(meta),
        "**Phrase lists and model together**",
        "",
        *language_table(results),
        "",
        "**The phrase lists alone, on the same messages (the baseline)**",
        "",
        *language_table(phrases_alone),
        "",
        "**Recall per category** (phrase lists and model)",
        "",
        *category_table(results),
        "",
        "**Per way of writing** (groups of 10 or more messages)",
        "",
        *variant_table(results),
        "",
        *misses(results),
    ]


def write_between(path: Path, name: str, lines: list[str]) -> None:
    """Replace the text between `<!-- name:start -->` and `<!-- name:end -->` in `path`."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    text = path.read_text(encoding="utf-8")
    block = "\n".join([start, *lines, end])
    if start in text and end in text:
        head, rest = text.split(start, 1)
        text = head + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


def everyday_line(meta: dict) -> list[str]:
    """The false alarms on everyday traffic, which bound the thresholds (bot/risk/tuning.py)."""
    if "everyday_alarms" not in meta:
        return []
    alarms, total = meta["everyday_alarms"]
    return [
        f"Everyday traffic (the ordinary batches, each left out in turn): {alarms} of {total} "
        "messages got any level (a model that never saw that batch; recall comes first, then "
        "these alarms, bot/risk/tuning.py).",
        "",
    ]


def cascade_table(meta: dict) -> list[str]:
    """Recall and cost of the quick head alone, the cascade and the deep head everywhere, with
    the same decision thresholds (`train.cascade_rows`): what the cascade trades, in figures."""
    if "cascade" not in meta:
        return []
    rows = [
        "**The cascade: what reading fewer messages with the deep head costs in recall** "
        "(embeddings per message: the deep head's work, about 20-25 ms of CPU each; the "
        "realistic mix is 80% everyday messages, bot/risk/tuning.py)",
        "",
        "| deep head | recall | notice | false escalation | everyday alarms "
        "| embeddings per risk-batch message | per everyday message | per message of the mix |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, recall, notice, fe, alarms, risky, everyday, mix in meta["cascade"]:
        rows.append(
            f"| {name} | {recall:.3f} | {notice:.3f} | {fe:.3f} | {alarms} | {risky:.3f} "
            f"| {everyday:.3f} | {mix:.3f} |"
        )
    return [*rows, ""]
