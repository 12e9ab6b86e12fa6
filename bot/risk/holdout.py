"""The committed detector, measured once on messages no training or tuning saw.

    python -m bot.risk.train --holdout h3     # training/risk/heldout/h3.jsonl
    python -m bot.risk.train --holdout        # the batches marked `holdout` in batches.yaml

A held-out set is spent once it is measured: the figure describes the detector that was
committed then, on text it never saw. Record the measurement in batches.yaml before anyone
trains on the file.
"""

from __future__ import annotations

from datetime import date

from bot.risk.corpus import ROOT, TRAINING, catalog_texts, load_all, load_batch, manifest
from bot.risk.detector import assess, load_detector
from bot.risk.evaluation import Labelled, tally
from bot.risk.report import category_table, language_table, misses, variant_table, write_between
from bot.risk.tuning import overall

DOCS = ROOT / "docs" / "risk.md"


def held_out(name: str | None) -> tuple[str, list[Labelled]]:
    """The messages to measure and how to name them."""
    if name:
        return name, load_batch(TRAINING / "heldout" / f"{name}.jsonl")
    batches = load_all()
    held = [b for b, info in manifest().items() if info.get("holdout")]
    return ", ".join(held), [m for b in held for m in batches[b]]


def holdout(name: str | None = None, *, write: bool) -> int:
    label, messages = held_out(name)
    if not messages:
        print("nothing held out: name a file of training/risk/heldout/ or mark a batch holdout")
        return 0
    detector = load_detector(ROOT / "flows" / "risk")
    results = [(m, assess(detector, m.text)) for m in messages]
    s = overall(tally(results))
    print(
        f"holdout {label}: recall {s.recall:.3f}, notice {s.notice:.3f}, "
        f"false escalation {s.false_escalation_rate:.3f}"
    )
    texts = catalog_texts()
    levels = [assess(detector, t).level for t in texts]
    counts = {level: levels.count(level) for level in ("none", "check", "high", "urgent")}
    print(f"{len(texts)} catalog strings: {counts}")
    if write:
        lines = [
            f"_Measured once by `python -m bot.risk.train --holdout {name or ''}` on "
            f"{date.today().isoformat()}: the committed detector on {label} "
            f"({len(results)} messages)._",
            "",
            *language_table(results),
            "",
            *category_table(results),
            "",
            *variant_table(results),
            "",
            *misses(results),
            "",
            f"Ordinary text from elsewhere: the {len(texts):,} strings of the translation "
            "catalogs (questions, answers and buttons of the flows in four languages, never "
            "trained on) gave "
            + ", ".join(f"{level} {n}" for level, n in counts.items())
            + ". Those above none are mostly the risk-topic buttons themselves ('Geen "
            "slaapplek vannacht'); buttons are never risk-checked in the conversation path.",
        ]
        write_between(DOCS, "risk-holdout", lines)
    return 0
