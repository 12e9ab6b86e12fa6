"""How far the translations are: `buurtbot i18n status`.

Per locale, against the template `locales/messages.pot` (what the sources ask for):
- translated: has a translation that is not fuzzy (what residents see);
- reviewed: translated, and no draft marker;
- draft: translated, with the draft marker (not yet checked by a native speaker);
- fuzzy: a translation marked fuzzy (the Dutch text changed since; residents do not see it);
- missing: no translation at all (not in the catalog, or an empty msgstr).

The draft marker is the translator comment `DRAFT_MARKER` (`# draft: ...` in the PO file); a
reviewer removes that line when the translation is right.

Texts for residents are needed in every language. Texts only social workers read are needed in
the languages of their screens only (`WORKER_CONTEXTS`); in another language they count only
once someone has translated them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TextIO

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from bot.i18n import LANGUAGES, SOURCE

DRAFT_MARKER = "draft: machine-assisted, needs review by a native speaker"
TEMPLATE = "messages.pot"
TRANSLATED = tuple(lang for lang in LANGUAGES if lang != SOURCE)

WORKER_CONTEXTS = {"dashboard": ("en",)}
"""msgctxt of texts only social workers read -> the languages their screens come in (the
dashboard is Dutch or English, see bot/dashboard/i18n.py)."""


def needed(lang: str, context: str | None) -> bool:
    """Whether a text with this msgctxt must be translated into `lang`."""
    return lang in WORKER_CONTEXTS.get(context or "", TRANSLATED)


@dataclass(frozen=True)
class LocaleStatus:
    locale: str
    total: int
    translated: int
    reviewed: int
    draft: int
    fuzzy: int
    missing: int


def is_draft(message: Message) -> bool:
    return any(c.strip() == DRAFT_MARKER for c in message.user_comments)


def catalog_path(locales_dir: Path, lang: str) -> Path:
    return locales_dir / lang / "LC_MESSAGES" / "messages.po"


def read_catalog(path: Path, lang: str | None = None) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=lang)


def keys(catalog: Catalog) -> list[tuple[str | None, str]]:
    """(msgctxt, msgid) of every message (not the header)."""
    return [(m.context, _msgid(m)) for m in catalog if m.id]


def locale_status(
    lang: str, wanted: Iterable[tuple[str | None, str]], po: Catalog | None
) -> LocaleStatus:
    """Counts for one locale: `wanted` are the template's messages, `po` the catalog."""
    wanted = list(dict.fromkeys(wanted))
    by_key = {(m.context, _msgid(m)): m for m in po if m.id} if po is not None else {}
    translated = reviewed = draft = fuzzy = missing = 0
    total = 0
    for key in wanted:
        message = by_key.get(key)
        done = message is not None and _has_string(message)
        if not needed(lang, key[0]) and not (done and not message.fuzzy):
            continue  # not needed here, and not (really) translated either
        total += 1
        if not done:
            missing += 1
        elif message.fuzzy:
            fuzzy += 1
        else:
            translated += 1
            if is_draft(message):
                draft += 1
            else:
                reviewed += 1
    return LocaleStatus(lang, total, translated, reviewed, draft, fuzzy, missing)


def status(locales_dir: Path | str) -> list[LocaleStatus]:
    """One `LocaleStatus` per translated language (not Dutch, the source)."""
    locales_dir = Path(locales_dir)
    template = locales_dir / TEMPLATE
    result = []
    catalogs = {}
    for lang in TRANSLATED:
        path = catalog_path(locales_dir, lang)
        catalogs[lang] = read_catalog(path, lang) if path.exists() else None
    if template.exists():
        wanted = keys(read_catalog(template))
    else:  # no template: what the catalogs themselves hold
        wanted = [k for po in catalogs.values() if po is not None for k in keys(po)]
    for lang, po in catalogs.items():
        result.append(locale_status(lang, wanted, po))
    return result


def print_table(rows: list[LocaleStatus], out: TextIO) -> None:
    columns = ("locale", "total", "translated", "reviewed", "draft", "fuzzy", "missing")
    cells = [columns, *((str(v) for v in asdict(row).values()) for row in rows)]
    table = [list(r) for r in cells]
    widths = [max(len(r[i]) for r in table) for i in range(len(columns))]
    for r in table:
        first = r[0].ljust(widths[0])
        rest = "  ".join(v.rjust(w) for v, w in zip(r[1:], widths[1:], strict=True))
        print(f"{first}  {rest}", file=out)


def run_cli(locales_dir: Path, as_json: bool, out: TextIO) -> int:
    """Print the status; exit code 0 also when translations are missing (the test suite is
    where a missing translation of a shipped text fails)."""
    rows = status(locales_dir)
    if as_json:
        print(json.dumps([asdict(r) for r in rows], indent=2), file=out)
    else:
        print_table(rows, out)
    return 0


def _msgid(message: Message) -> str:
    return message.id[0] if isinstance(message.id, tuple) else message.id


def _has_string(message: Message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return bool(strings) and all(strings)
