"""Babel extraction methods for Buurtbot's texts, registered in `babel.cfg`.

- `extract_flows`: every `title`, `say`, `ask` and option `label` of a flow file, with msgctxt
  `<flow>.title` or `<flow>.<node>` (as `Flow.title_context` and `Node.context`). The YAML
  comment lines directly above a text become its translator comment (`#.` in the catalog).
- `extract_python`: the `N_("...")` texts of a Python module, with the msgctxt the module's
  texts are rendered with. That context is given per module in `babel.cfg`
  (`context = engine`), because `N_` itself carries none.

Both hand Babel a `pgettext` call, so that the context reaches the catalog; `pybabel extract`
must therefore keep its default keywords (no `--no-default-keywords`).

`python -m bot.authoring.i18n_extract plural-forms locales` sets the Plural-Forms header of every
catalog to CLDR's rule (`pybabel init -l ti` writes a wrong one).
"""

from __future__ import annotations

import sys
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from babel.messages.extract import extract_from_dir
from babel.messages.extract import extract_python as babel_extract_python
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

from bot import yamldoc
from bot.engine.words import canonical

Extracted = tuple[int, str, tuple[str, str], list[str]]
COMMENT_TAGS = ("Translators:",)
"""Python comments that reach the translators start with this (YAML comments always do)."""

PLURAL_FORMS = {
    "ar": (
        "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 "
        ": n%100>=11 ? 4 : 5);"
    ),
    # CLDR: one = n in 0..1. Babel's table says (n != 1), which is wrong for 0.
    "ti": "nplurals=2; plural=(n > 1);",
    "en": "nplurals=2; plural=(n != 1);",
}


def extract_flows(
    fileobj: IO[bytes],
    keywords: Collection[str],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[Extracted]:
    """Babel extraction method for flow files (see the module docstring)."""
    text = fileobj.read().decode(options.get("encoding", "utf-8"))
    doc, _ = yamldoc.parse(text, getattr(fileobj, "name", "flow"))
    if doc is None or not isinstance(doc.data, dict):
        return  # `buurtbot flows validate` reports why
    flow = doc.data.get("flow")
    if not isinstance(flow, str) or not flow:
        return
    lines = text.splitlines()
    found = []
    for path, message, context in flow_texts(flow, doc.data):
        line = doc.key_pos(path)[0]
        found.append((line, "pgettext", (context, message), comments_above(lines, line)))
    yield from sorted(found, key=lambda item: item[0])


def flow_texts(flow: str, data: Mapping[str, Any]) -> Iterator[tuple[yamldoc.YamlPath, str, str]]:
    """(path in the document, text, msgctxt) of every translatable text of one flow."""
    if _is_text(data.get("title")):
        yield ("title",), data["title"], f"{flow}.title"
    if words := canonical(data.get("words")):
        yield ("words",), words, f"{flow}.title"
    nodes = data.get("nodes")
    if not isinstance(nodes, dict):
        return
    for node_id, node in nodes.items():
        if not isinstance(node, dict):
            continue
        context = f"{flow}.{node_id}"
        for key in ("say", "ask"):
            if _is_text(node.get(key)):
                yield ("nodes", node_id, key), node[key], context
        if words := canonical(node.get("words")):
            yield ("nodes", node_id, "words"), words, context
        follow_up = node.get("follow_up")
        if isinstance(follow_up, dict) and _is_text(follow_up.get("ask")):
            yield ("nodes", node_id, "follow_up", "ask"), follow_up["ask"], context
        options = node.get("options")
        for i, option in enumerate(options if isinstance(options, list) else []):
            if isinstance(option, dict) and _is_text(option.get("label")):
                yield ("nodes", node_id, "options", i, "label"), option["label"], context
            if isinstance(option, dict) and (words := canonical(option.get("words"))):
                yield ("nodes", node_id, "options", i, "words"), words, context


def comments_above(lines: list[str], line: int) -> list[str]:
    """The comment lines directly above 1-based `line` (no blank line between), without
    their `#`."""
    found: list[str] = []
    i = line - 2
    while i >= 0 and lines[i].lstrip().startswith("#"):
        comment = lines[i].lstrip()[1:].strip()
        if comment:
            found.append(comment)
        i -= 1
    return found[::-1]


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def extract_python(
    fileobj: IO[bytes],
    keywords: Collection[str],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[Extracted]:
    """Babel extraction method for `N_("...")` texts, with the `context` option of the file's
    section in `babel.cfg` as msgctxt."""
    context = options.get("context")
    if not context:
        name = getattr(fileobj, "name", "a Python file")
        raise ValueError(f"babel.cfg: no 'context = ...' in the section that matches {name}")
    for lineno, funcname, message, comments in babel_extract_python(
        fileobj, ("N_",), comment_tags, options
    ):
        if funcname == "N_" and isinstance(message, str) and message:
            yield lineno, "pgettext", (context, message), comments


def extract_all(
    root: Path, mapping: Path | None = None
) -> list[tuple[str, int, str, list[str], str]]:
    """What `make messages` extracts from the project at `root`, as (file, line, msgid,
    comments, msgctxt) tuples: for checking that `locales/messages.pot` is up to date."""
    mapping = mapping or root / "babel.cfg"
    with mapping.open(encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f, str(mapping))
    return list(extract_from_dir(root, method_map, options_map, comment_tags=COMMENT_TAGS))


def set_plural_forms(locales_dir: Path) -> list[Path]:
    """Put `PLURAL_FORMS` into the header of each catalog that has another; returns the
    files changed."""
    changed = []
    for lang, forms in PLURAL_FORMS.items():
        path = locales_dir / lang / "LC_MESSAGES" / "messages.po"
        if not path.exists():
            continue
        text = path.read_text(encoding="utf-8")
        with path.open("rb") as f:
            catalog = read_po(f, locale=lang)
        if catalog.plural_forms == forms:
            continue
        old = f'"Plural-Forms: {catalog.plural_forms}\\n"'
        if old in text:  # change the one line, keep the rest of the file as it is
            path.write_text(text.replace(old, f'"Plural-Forms: {forms}\\n"'), encoding="utf-8")
        else:
            headers = [(k, v) for k, v in catalog.mime_headers if k != "Plural-Forms"]
            catalog.mime_headers = [*headers, ("Plural-Forms", forms)]
            with path.open("wb") as f:
                write_po(f, catalog)
        changed.append(path)
    return changed


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] != "plural-forms":
        print(
            "usage: python -m bot.authoring.i18n_extract plural-forms LOCALES_DIR", file=sys.stderr
        )
        return 2
    for path in set_plural_forms(Path(argv[1])):
        print(f"{path}: Plural-Forms set")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
