"""Measure `buurtbot flows route` on labelled typed messages (training/typed/*.jsonl).

    .venv/bin/python bench/route_eval.py training/typed/h1.jsonl [more.jsonl ...]

Each file's texts go through the real command (a subprocess, stdin -> stdout), and its JSON
lines are compared with the labels: right when the flow (or no flow) and `person` both match;
node accuracy among messages whose label names a node and whose flow was right. Prints the
figures per file and for all files together, as JSON.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.understanding.score import read_batch, tally  # noqa: E402


def routed(texts: list[str]) -> list[dict]:
    run = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "buurtbot"), "flows", "route"],
        input="".join(t.replace("\n", " ") + "\n" for t in texts),
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return [json.loads(line) for line in run.stdout.splitlines()]


def main(paths: list[str]) -> int:
    everything = []
    for path in paths:
        labels = read_batch(Path(path))
        got = [SimpleNamespace(**r) for r in routed([m.text for m in labels])]
        pairs = list(zip(labels, got, strict=True))
        everything.extend(pairs)
        result = tally(pairs)
        result.pop("misses")
        print(json.dumps({"file": path, **result}, ensure_ascii=False))
    if len(paths) > 1:
        result = tally(everything)
        result.pop("misses")
        print(json.dumps({"file": "all", **result}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
