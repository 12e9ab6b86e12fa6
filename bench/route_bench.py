"""CPU cost of understanding a typed message at the menu, on top of risk detection.

Per message of training/typed/t1.jsonl and t2.jsonl (the development batches: one-word
messages to long stories, four languages), CPU time (`time.process_time_ns`) of:
- risk: the detector as the conversation path runs it (phrase lists and trained model);
- route: `Router.route`, what the menu adds (intent lists, the flows' words, the model heads);
- engine at the menu: `resume` with the router, the whole menu decision (label, number, route,
  entering the flow at its node).
Each message is measured `--rounds` times after a warm-up; the median per message is taken,
then the median, mean and p95 over messages. Writes a table under `## Understanding typed
messages` in docs/benchmarks.md.

    .venv/bin/python bench/route_bench.py [--rounds 20] [--no-write]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.engine import Env, Text, load, resume, start  # noqa: E402
from bot.i18n import Catalogs  # noqa: E402
from bot.risk import assess, load_detector  # noqa: E402
from bot.risk.kept import Kept  # noqa: E402
from bot.risk.report import write_between  # noqa: E402
from bot.understanding.route import load_router  # noqa: E402
from bot.understanding.score import read_batch  # noqa: E402


def cpu_per_message(work, texts: list[str], rounds: int) -> list[float]:
    """Median CPU milliseconds of `work(text)` per text."""
    for t in texts:
        work(t)  # warm caches, as a running bot has them
    out = []
    for t in texts:
        runs = []
        for _ in range(rounds):
            started = time.process_time_ns()
            work(t)
            runs.append(time.process_time_ns() - started)
        out.append(statistics.median(runs) / 1e6)
    return out


def summary(name: str, ms: list[float]) -> str:
    ordered = sorted(ms)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    return (
        f"| {name} | {statistics.median(ms):.3f} ms | {statistics.mean(ms):.3f} ms | "
        f"{p95:.3f} ms | {max(ms):.3f} ms |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    texts = [
        m.text for b in ("t1", "t2") for m in read_batch(ROOT / "training/typed" / f"{b}.jsonl")
    ]
    flows, catalogs = load(ROOT / "flows"), Catalogs.load(ROOT / "locales")
    detector = load_detector(ROOT / "flows" / "risk")
    router = load_router(flows, catalogs.aliases)
    # Nothing kept between rounds: each figure is the cost of a text not seen before.
    router.kept = Kept(0)
    if detector.encoder is not None:
        detector.encoder.remembered = 0
    env = router.env(Env())
    menu, _ = start(flows, env=env)
    risk = cpu_per_message(lambda t: assess(detector, t), texts, args.rounds)
    route = cpu_per_message(router.route, texts, args.rounds)
    engine = cpu_per_message(lambda t: resume(flows, menu, Text(t), env=env), texts, args.rounds)
    lines = [
        f"Measured {date.today().isoformat()} on {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}, one thread; {len(texts)} typed messages "
        f"(training/typed t1 and t2), median of {args.rounds} runs each. "
        "`python bench/route_bench.py`.",
        "",
        "| per typed message | median | mean | p95 | worst |",
        "|---|---:|---:|---:|---:|",
        summary("risk detection (runs first, on every typed message)", risk),
        summary("routing: `Router.route`", route),
        summary("the menu's whole decision (`resume` at the menu, routing included)", engine),
        "",
        f"Routing adds {statistics.median(route):.3f} ms CPU per typed message (median) to "
        f"risk's {statistics.median(risk):.3f} ms (target: at most 1 ms). It runs only where no "
        "question is open (the menu, the first message, after a flow); inside a flow a typed "
        "answer costs a lookup in the question's words.",
    ]
    print("\n".join(lines))
    if not args.no_write:
        write_between(
            ROOT / "docs" / "benchmarks.md",
            "route",
            ["## Understanding typed messages", "", *lines],
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
