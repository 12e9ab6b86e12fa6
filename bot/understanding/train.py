"""Train the routing model from training/typed/ and the flows' own words and intent lists.

    python -m bot.understanding.train            # leave-one-batch-out figures, then the model
    python -m bot.understanding.train --report   # leave-one-batch-out figures only
    python -m bot.understanding.train --model-only

The figures (each batch scored by a model trained on all the other batches and the content,
then all batches pooled: overall, per language, per intent, node) are printed and written to
training/typed/lobo-figures.json.

Needs scikit-learn (the dev extra); the bot itself reads the model with numpy. Batches marked
`holdout` in training/typed/batches.yaml are never read here.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import yaml
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression

from bot.engine import FlowSet, load
from bot.engine.typed import Understood
from bot.i18n import Catalogs
from bot.risk import normalize
from bot.risk.features import features
from bot.understanding.intents import COMMANDS, default
from bot.understanding.model import MODEL_FILE, Heads, save_heads
from bot.understanding.route import Router
from bot.understanding.score import Labelled, read_batch, tally

ROOT = Path(__file__).resolve().parents[2]
TYPED = ROOT / "training" / "typed"
C = 20.0  # chosen by leave-one-batch-out: 3 gave 0.908, 8 gave 0.918, 20 gave 0.923
FLOWS = ("toeslagen", "geld", "opvang", "none")
INTENTS = ("topic", "person", "callback", "greeting", "thanks", "global", "unclear")
_INTENT_OF = {"person": "person", "callback": "callback", "greeting": "greeting"}
_INTENT_OF |= {"thanks": "thanks", **dict.fromkeys(COMMANDS, "global")}


def batches(root: Path = TYPED) -> dict[str, list[Labelled]]:
    """Every batch that is not held out, by name."""
    listed = yaml.safe_load((root / "batches.yaml").read_text(encoding="utf-8"))["batches"]
    return {
        name: read_batch(root / info["file"])
        for name, info in listed.items()
        if not info.get("holdout")
    }


def content_examples(flows: FlowSet, catalogs: Catalogs) -> list[Labelled]:
    """The flows' words and the intent lists as one-line examples, in every language."""
    router = Router(flows, catalogs.aliases, default(), _empty())
    out: list[Labelled] = []
    for word, names in router.lexicon.exact.items():
        out.extend(_from_name(word, n) for n in names)
    for phrase, names in router.lexicon.phrases.items():
        out.extend(_from_name(phrase, n) for n in names)
    for intent, label in _INTENT_OF.items():
        for phrase in default().phrases(intent):
            out.append(
                Labelled("content", "", label, None, None, label in ("person", "callback"), phrase)
            )
    return out


def _from_name(text: str, name: str) -> Labelled:
    _, _, target = name.partition(":")
    flow, _, node = target.partition(".")
    return Labelled("content", "", "topic", flow, node or None, False, text)


def _empty() -> Heads:
    return Heads(
        np.zeros(0, np.int64), np.zeros((0, 0), np.float32), np.zeros(0, np.float32), {}, {}
    )


def design(router: Router, examples: list[Labelled]) -> tuple[csr_matrix, np.ndarray]:
    """The feature matrix of `examples` (a row each: the n-grams scaled as `Heads.scores`
    scales them, the hits `router` finds unscaled) and the bucket id of every column."""
    grams = [features(normalize.words(e.text)) for e in examples]
    hits = [features([], router.hits(e.text)) for e in examples]
    used = np.array(sorted(set().union(*grams, *hits)), dtype=np.int64)
    column = {int(b): i for i, b in enumerate(used)}
    indptr, indices, data = [0], [], []
    for g, h in zip(grams, hits, strict=True):
        indices.extend(column[b] for b in g)
        data.extend([1.0 / np.sqrt(max(len(g), 1))] * len(g))
        indices.extend(column[b] for b in h)
        data.extend([1.0] * len(h))
        indptr.append(len(indices))
    x = csr_matrix((data, indices, indptr), shape=(len(examples), len(used)), dtype=np.float32)
    return x, used


def targets(examples: list[Labelled]) -> dict[str, list[str]]:
    """What each head learns: the flow, the intent, the node, and whether a person is asked
    for (also in a message about a topic: "ik heb schulden, kan iemand mij bellen")."""
    return {
        "flow": [e.flow or "none" for e in examples],
        "intent": [e.intent for e in examples],
        "node": [f"{e.flow}.{e.node}" if e.node and e.flow else "none" for e in examples],
        "person": ["yes" if e.person else "no" for e in examples],
    }


def train(router: Router, examples: list[Labelled]) -> Heads:
    """The heads, trained on `examples` with the hits `router` finds in them."""
    x, used = design(router, examples)
    return fit(x, used, targets(examples))


def fit(x: csr_matrix, used: np.ndarray, y: dict[str, list[str]]) -> Heads:
    """One logistic regression per head over the rows of `x`."""
    weights, intercepts, heads = [], [], {}
    for head, labels in y.items():
        model = LogisticRegression(C=C, max_iter=2000).fit(x, labels)
        w, b = model.coef_.T, model.intercept_
        if len(model.classes_) == 2:  # sklearn gives one column for two classes
            w, b = np.hstack([-w / 2, w / 2]), np.array([-b[0] / 2, b[0] / 2])
        weights.append(w)
        intercepts.append(b)
        heads[head] = tuple(str(c) for c in model.classes_)
    return Heads(
        used, np.hstack(weights).astype(np.float32), np.concatenate(intercepts), heads, {"C": C}
    )


def cross_batch(
    flows: FlowSet, catalogs: Catalogs, named: dict[str, list[Labelled]]
) -> dict[str, list[tuple[Labelled, Understood]]]:
    """Leave one batch out: each batch routed by a model trained on all the others (and on
    the content). The features are computed once; each fold fits on its rows."""
    content = content_examples(flows, catalogs)
    router = Router(flows, catalogs.aliases, default(), _empty())
    everything = [e for b in named.values() for e in b] + content
    x, used = design(router, everything)
    y = targets(everything)
    owner = [n for n, b in named.items() for _ in b] + [""] * len(content)
    results = {}
    for name, held in named.items():
        rows = [i for i, n in enumerate(owner) if n != name]
        router.heads = fit(x[rows], used, {h: [v[i] for i in rows] for h, v in y.items()})
        results[name] = [(e, router.route(e.text)) for e in held]
    return results


def figures(routed: dict[str, list[tuple[Labelled, Understood]]]) -> dict:
    """Per batch and pooled: overall, per language and per intent, node; misses apart."""
    out: dict = {"batches": {}}
    for name, pairs in [*routed.items(), ("pooled", [p for v in routed.values() for p in v])]:
        result = tally(pairs)
        misses = result.pop("misses")
        result["misses"] = [
            {"id": m.id, "text": m.text, "flow": got.flow, "person": got.person}
            for m, got in misses
        ]
        if name == "pooled":
            out["pooled"] = result
        else:
            out["batches"][name] = result
    return out


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", action="store_true", help="figures only, no model")
    parser.add_argument("--model-only", action="store_true", help="the model only")
    args = parser.parse_args(list(argv) if argv is not None else None)
    flows, catalogs = load(ROOT / "flows"), Catalogs.load(ROOT / "locales")
    named = batches()
    if not args.model_only:
        result = figures(cross_batch(flows, catalogs, named))
        for name, f in [*result["batches"].items(), ("pooled", result["pooled"])]:
            shares = {k: v["share"] for k, v in f["language"].items()}
            print(f"{name}: {json.dumps(f['overall'])} {json.dumps(shares)}")
        pooled = result["pooled"]
        print("per intent:", json.dumps({k: v["share"] for k, v in pooled["intent"].items()}))
        print("node:", json.dumps(pooled["node"]))
        out = TYPED / "lobo-figures.json"
        out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {out.relative_to(ROOT)}")
    if args.report:
        return 0
    router = Router(flows, catalogs.aliases, default(), _empty())
    everything = [e for b in named.values() for e in b] + content_examples(flows, catalogs)
    save_heads(train(router, everything), MODEL_FILE)
    print(f"wrote {MODEL_FILE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
