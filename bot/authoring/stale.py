"""Flow texts whose translation is missing or out of date, at the place of the text.

A flow's Dutch text is the msgid of its translations (msgctxt `<flow>.<node>`). Change one
word of it and the Arabic translation no longer belongs to it: until a translator looks,
Arabic readers get the text in the next language of their chain (bot/i18n.py `FALLBACK`),
often Dutch. `make messages` keeps the old translation marked fuzzy, and fuzzy translations
are never served. This module makes that visible: one warning per text,

    flows/opvang.yaml:12:10: warning: nodes.welkom.say: ar, ti have no translation of this
    text (...)

read by `buurtbot flows validate` and the dashboard's translations page. It reads the PO files
directly (not the template), so a text changed a minute ago is reported before anyone ran
`make messages`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog

from bot import yamldoc
from bot.authoring.i18n_extract import flow_texts
from bot.authoring.i18n_status import TRANSLATED, catalog_path, needed, read_catalog
from bot.engine import local
from bot.engine.loader import SUFFIXES
from bot.i18n import FALLBACK, SOURCE


@dataclass(frozen=True)
class Stale:
    """One flow text and the languages that lack it (`missing`) or have an out-of-date
    (fuzzy) translation of it (`fuzzy`)."""

    problem: yamldoc.Problem
    text: str
    context: str
    missing: tuple[str, ...]
    fuzzy: tuple[str, ...]


def catalogs(locales_dir: Path | str) -> dict[str, Catalog | None]:
    """The PO catalog of every translated language (None where the file is missing)."""
    found: dict[str, Catalog | None] = {}
    for lang in TRANSLATED:
        path = catalog_path(Path(locales_dir), lang)
        found[lang] = read_catalog(path, lang) if path.exists() else None
    return found


def check(flows_dir: Path | str, locales_dir: Path | str) -> list[Stale]:
    """Every flow text of `flows_dir` with a missing or fuzzy translation, in file order."""
    flows_dir = Path(flows_dir)
    if not flows_dir.is_dir():
        return []
    pos = catalogs(locales_dir)
    found: list[Stale] = []
    for path in sorted(flows_dir.iterdir()):
        if path.suffix not in SUFFIXES or not path.is_file() or path.name == local.FILE:
            continue
        doc, _ = yamldoc.read(path, display=str(flows_dir / path.name))
        if doc is None or not isinstance(doc.data, dict):
            continue  # `flows validate` reports why
        flow = doc.data.get("flow")
        if isinstance(flow, str) and flow:
            found.extend(_summed(doc, flow, list(_stale(doc, flow, pos))))
    return found


def _summed(doc: yamldoc.Doc, flow: str, stale: list[Stale]) -> list[Stale]:
    """A flow none of whose texts is in a catalog yet (a new flow, before `make messages`)
    gets one warning at its `flow:` line instead of one per text."""
    if len(stale) < 2 or any(s.fuzzy for s in stale):
        return stale
    langs = set(stale[0].missing)
    if any(set(s.missing) != langs for s in stale):
        return stale
    line, col = doc.value_pos(("flow",))
    names = ", ".join(stale[0].missing)
    message = (
        f"flow '{flow}' has no translations yet ({names}: none of its {len(stale)} texts); "
        "its residents read it in Dutch meanwhile (run `make messages` and translate it, "
        "docs/i18n.md)"
    )
    problem = yamldoc.Problem(doc.path, line, col, "warning", message, "flow")
    return [Stale(problem, "", f"{flow}.*", stale[0].missing, ())]


def problems(flows_dir: Path | str, locales_dir: Path | str) -> list[yamldoc.Problem]:
    return [s.problem for s in check(flows_dir, locales_dir)]


def _stale(doc: yamldoc.Doc, flow: str, pos: dict[str, Catalog | None]) -> Iterable[Stale]:
    for where, text, context in flow_texts(flow, doc.data):
        if where[-1] == "words":
            continue  # typed words: extra ways to say a label, a translation is optional
        missing, fuzzy = [], []
        for lang, po in pos.items():
            if not needed(lang, context):
                continue
            message = po.get(text, context=context) if po is not None else None
            if message is None or not message.string:
                missing.append(lang)
            elif message.fuzzy:
                fuzzy.append(lang)
        if missing or fuzzy:
            line, col = doc.value_pos(where)
            instead = [_fallback(lang, text, context, pos) for lang in [*missing, *fuzzy]]
            message = _message(missing, fuzzy, instead)
            problem = yamldoc.Problem(
                doc.path, line, col, "warning", message, yamldoc.dotted(where)
            )
            yield Stale(problem, text, context, tuple(missing), tuple(fuzzy))


def _message(missing: list[str], fuzzy: list[str], instead: list[str]) -> str:
    parts = []
    if missing:
        have = "has" if len(missing) == 1 else "have"
        parts.append(f"{', '.join(missing)} {have} no translation of this text")
    if fuzzy:
        parts.append(
            f"the {', '.join(fuzzy)} translation is out of date (the Dutch text changed; "
            "it is marked fuzzy)"
        )
    langs = [*missing, *fuzzy]
    meanwhile = ", ".join(f"{lang} in {other}" for lang, other in zip(langs, instead, strict=True))
    return (
        "; ".join(parts)
        + f" (residents read it {meanwhile} meanwhile; run `make messages` and translate it "
        "in locales/<language>/LC_MESSAGES/messages.po, or on the translation platform, "
        "docs/i18n.md)"
    )


def _fallback(lang: str, text: str, context: str, pos: dict[str, Catalog | None]) -> str:
    """The language a reader of `lang` gets this text in: the first along the chain with a
    translation that is served (not fuzzy, not empty), else Dutch."""
    for other in FALLBACK.get(lang, ()):
        po = pos.get(other)
        message = po.get(text, context=context) if po is not None else None
        if message is not None and message.string and not message.fuzzy:
            return other
    return SOURCE
