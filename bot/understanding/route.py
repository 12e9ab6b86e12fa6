"""Where a typed message goes when the resident is not answering a question: a flow (and the
node it points at), a person, a greeting, or a global word. One decision, used by the
conversation at the menu and by `buurtbot flows route`. Pure.

Risk is not decided here: the conversation assesses risk first, and risk wins.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from pathlib import Path

from bot.engine import Env, FlowSet, Node
from bot.engine.model import Option
from bot.engine.typed import Understood
from bot.engine.yes_no import read_yes_no
from bot.risk import normalize
from bot.risk.kept import Kept, digest
from bot.understanding.intents import COMMANDS, DIRECTORY, Intents, default, load_intents
from bot.understanding.lexicon import Aliases, Lexicon, answer_lexicon, flow_lexicon
from bot.understanding.model import MODEL_FILE, Heads, load_heads

FLOW_THRESHOLD = 0.4
"""The flow head's probability at which a message starts a flow. Chosen by leave-one-batch-out
over training/typed/ (docs/understanding.md): 0.35 to 0.5 are within 0.01 of each other."""
NODE_THRESHOLD = 0.5
REMEMBERED = 1024  # routes of recent texts kept
PERSON_THRESHOLD = 0.4
"""The person head's probability at which a message asks for a person (chosen as above)."""


class Router:
    """The flows' words, the intent lists and the trained heads, ready to route messages."""

    def __init__(self, flows: FlowSet, aliases: Aliases, intents: Intents, heads: Heads) -> None:
        self.flows = flows
        self.intents = intents
        self.heads = heads
        self.aliases = aliases
        self.lexicon: Lexicon = flow_lexicon(flows, aliases)
        self._answers: dict[str, Lexicon] = {}
        # Routes of recent texts (a turn may ask twice: the menu, then another topic), by a
        # digest of the text, kept without it (bot/risk/kept.py).
        self.kept: Kept[Understood] = Kept(REMEMBERED)

    def env(self, env: Env) -> Env:
        """`env` with this router's understanding (and the catalogs' spellings) in it."""
        return replace(
            env, aliases=self.aliases, route=self.route, command=self.command, pick=self.pick
        )

    def command(self, text: str) -> str | None:
        """The global word (back, menu, help, stop) that `text` is as a whole, or None."""
        whole = self.intents.command(text)
        return whole if whole in COMMANDS else None

    def pick(self, text: str, node: Node) -> list[int]:
        """The answers of question `node` whose words (its own, and those of the node it
        leads to, in every language) are in `text`; yes and no in every language pick a
        "Ja ..." or "Nee ..." answer."""
        lexicon = self._answers.get(node.context)
        if lexicon is None:
            lexicon = self._answers[node.context] = answer_lexicon(
                [self._answer_words(node, o) for o in node.options], self.aliases
            )
        counts = lexicon.count(text)
        most = max(counts.values(), default=0)  # the answers most of the words stand for
        found = sorted(int(n.split(":", 1)[1]) for n, c in counts.items() if c == most)
        return found or self._same_kind(text, node)

    def _answer_words(self, node: Node, option: Option) -> list[tuple[str, str]]:
        """(words, msgctxt) of one answer: its words, the words of the node it leads to, and
        its label's longer words, each in every language."""
        words = [(option.words, node.context), (option.label, node.context)]
        after = self.flows.node(node.flow, option.next)
        if after is not None:
            words.append((after.words, after.context))
        return [(w, c) for w, c in words if w]

    def _same_kind(self, text: str, node: Node) -> list[int]:
        """Yes, no and "I don't know" in every language pick the one answer whose label
        starts with the same ("ايوه" picks "Ja, graag")."""
        said = read_yes_no(text)
        kind = said if said is not None else self.intents.command(text)
        if kind not in (True, False, "dont_know"):
            return []
        fitting = [i for i, o in enumerate(node.options) if _kind(self.intents, o.label) == kind]
        return fitting if len(fitting) == 1 else []

    def hits(self, text: str) -> set[str]:
        """Names of the flows' words and the intents found in `text` (model features)."""
        found = self.lexicon.find(text)
        found |= {f"intent:{i}" for i in self.intents.found(text)}
        return found

    def route(self, text: str) -> Understood:
        """Where `text`, typed at the menu, should go."""
        key = digest(text)
        kept = self.kept.get(key)
        if kept is not None:
            return replace(kept, text=text)
        understood = self._route(text)
        self.kept.put(key, replace(understood, text=""))
        return understood

    def _route(self, text: str) -> Understood:
        whole = self.intents.command(text)
        if whole in COMMANDS:
            return Understood(text, "global", command=whole)
        if whole in ("greeting", "thanks"):
            return Understood(text, whole)
        found = self.intents.found(text)
        hits = self.lexicon.find(text) | {f"intent:{i}" for i in found}
        scores = self.heads.scores(normalize.words(text), hits)
        intent = scores["intent"]
        asks = intent.get("person", 0.0) + intent.get("callback", 0.0)
        if "person" in scores:  # its own head: a person asked for, with a topic or without
            asks = scores["person"].get("yes", 0.0)
        person = bool(found & {"person", "callback"}) or asks >= PERSON_THRESHOLD
        callback = person and (
            "callback" in found
            or ("person" not in found and intent.get("callback", 0) > intent.get("person", 0))
        )
        flow, p = max(scores["flow"].items(), key=lambda kv: kv[1])
        if person and flow not in self.flows.flows:
            # "kan ik met iemand praten over mijn schulden": a person, about a flow's topic.
            named = {_flow_of(h) for h in hits if h.startswith(("flow:", "node:"))}
            if named:
                flow = max(named, key=lambda f: scores["flow"].get(f, 0.0))
                p = max(p, FLOW_THRESHOLD)
        if flow in self.flows.flows and p >= FLOW_THRESHOLD:
            node = self._node(flow, scores["node"])
            return Understood(text, "topic", flow, node, person, callback, score=p)
        if person:
            kind = "callback" if callback else "person"
            sure = 1.0 if found & {"person", "callback"} else asks  # a phrase of the lists
            return Understood(text, kind, person=True, callback=callback, score=sure)
        best, q = max(intent.items(), key=lambda kv: kv[1])
        greets = found & {"greeting", "thanks"}
        if greets and (best not in ("topic", "unclear") or scores["flow"].get("none", 0) >= p):
            best = "greeting" if "greeting" in greets else "thanks"
        elif best == "topic":
            best = "unclear"
        return Understood(text, best, score=q)

    def _node(self, flow: str, scores: dict[str, float]) -> str | None:
        candidates = {k: v for k, v in scores.items() if k.startswith(f"{flow}.")}
        if not candidates:
            return None
        best, p = max(candidates.items(), key=lambda kv: kv[1])
        node = best.split(".", 1)[1]
        if p < NODE_THRESHOLD or self.flows.node(flow, node) is None:
            return None
        return None if node == self.flows.flows[flow].start else node


def _kind(intents: Intents, label: str) -> bool | str | None:
    said = read_yes_no(label.split(",")[0])
    return said if said is not None else intents.command(label)


def _flow_of(hit: str) -> str:
    """ "node:geld.beslag" -> "geld"."""
    return hit.split(":", 1)[1].split(".", 1)[0]


def load_router(
    flows: FlowSet,
    aliases: Aliases,
    *,
    intents_dir: Path | None = None,
    model: Path = MODEL_FILE,
) -> Router:
    """The router for `flows`, with the intent lists of `intents_dir` (the shipped ones when
    it is None or missing); raises `ModelInvalid`, or `RiskListsInvalid` for the lists."""
    if intents_dir is not None and intents_dir.resolve() != DIRECTORY and intents_dir.is_dir():
        intents = load_intents(intents_dir)
    else:
        intents = default()
    return Router(flows, aliases, intents, _heads(model))


@cache
def _heads(path: Path) -> Heads:
    return load_heads(path)
