"""Catalogs and rendering: engine events become text in the resident's language.

Dutch is the source language (the msgids). Catalogs are read from `locales/<lang>/LC_MESSAGES/
messages.po` at start-up, so an edited PO file needs no separate compile step to take effect.
A text missing in the resident's language falls back along a chain per message, never per
word, so one message is never half one language.
"""

from __future__ import annotations

import gettext
import io
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from bot.engine.events import Say

logger = logging.getLogger(__name__)

SOURCE = "nl"
LANGUAGES = ("nl", "ar", "ti", "en")
NATIVE_NAMES = {"nl": "Nederlands", "ar": "العربية", "ti": "ትግርኛ", "en": "English"}
RTL = frozenset({"ar"})
FALLBACK = {"ti": ("en", "nl"), "ar": ("en", "nl"), "en": ("nl",), "nl": ()}

_PARAM = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
# Runs of Latin letters, digits and the signs of phone numbers, amounts and URLs.
_LTR_RUN = re.compile(r"[A-Za-z0-9€+@/][A-Za-z0-9€+@/\-.,:_%]*[A-Za-z0-9€%/]|[A-Za-z0-9]")
FSI, PDI = "\u2068", "\u2069"


@dataclass(frozen=True)
class Rendered:
    """One message ready for a channel: text and buttons as (label, payload)."""

    text: str
    buttons: tuple[tuple[str, str], ...] = ()
    language: str = SOURCE


class Catalogs:
    """Translations per language, loaded once."""

    def __init__(self, translations: Mapping[str, gettext.NullTranslations]) -> None:
        self._translations = dict(translations)

    @classmethod
    def load(cls, locales_dir: Path | str) -> Catalogs:
        found: dict[str, gettext.NullTranslations] = {}
        for lang in LANGUAGES:
            po = Path(locales_dir) / lang / "LC_MESSAGES" / "messages.po"
            if po.exists():
                found[lang] = _from_po(po)
        return cls(found)

    @classmethod
    def empty(cls) -> Catalogs:
        return cls({})

    def lookup(self, lang: str, msgid: str, context: str | None) -> str | None:
        """The translation of `msgid` in `lang`, or None when that language lacks it."""
        if lang == SOURCE:
            return msgid
        t = self._translations.get(lang)
        if t is None:
            return None
        text = t.pgettext(context, msgid) if context else t.gettext(msgid)
        return None if text == msgid else text

    def chain(self, lang: str) -> Sequence[str]:
        lang = lang if lang in LANGUAGES else SOURCE
        return (lang, *FALLBACK.get(lang, ()), SOURCE)

    def translate(self, lang: str, msgid: str, context: str | None) -> tuple[str, str]:
        """(text, language it is in): the first language along the chain that has it."""
        for candidate in self.chain(lang):
            text = self.lookup(candidate, msgid, context)
            if text:
                return text, candidate
        return msgid, SOURCE

    def aliases(self, msgid: str, context: str) -> list[str]:
        """Every translation of a text, so a label typed in any language is understood."""
        found = (self.lookup(lang, msgid, context) for lang in LANGUAGES)
        return [text for text in found if text]

    def render(self, say: Say, lang: str) -> Rendered:
        text, used = self.translate(lang, say.msgid, say.context)
        text = _fill(text, say.params, used)
        buttons = tuple((self._label(b.msgid, b.context, used), b.payload) for b in say.buttons)
        if used in RTL:
            text = isolate_ltr(text)
            buttons = tuple((isolate_ltr(label), payload) for label, payload in buttons)
        return Rendered(text, buttons, used)

    def _label(self, msgid: str, context: str, lang: str) -> str:
        # A button follows its message's language so that one message is one language;
        # only where that language lacks the label does the label's own chain apply.
        text = self.lookup(lang, msgid, context)
        return text or self.translate(lang, msgid, context)[0]


def _fill(text: str, params: Mapping[str, object], lang: str) -> str:
    """Put saved answers into `{name}` places; unknown names stay as they are."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in params:
            return match.group(0)
        v = params[name]
        if isinstance(v, bool) or v is None:
            return match.group(0)
        if isinstance(v, int | float):
            return format_decimal(v, locale=lang)
        return str(v)

    return _PARAM.sub(value, text)


def isolate_ltr(text: str) -> str:
    """Wrap Latin words, numbers, phone numbers and URLs in bidi isolates (FSI … PDI) so that
    an Arabic message shows `0800-0113` the right way round."""
    return _LTR_RUN.sub(lambda m: f"{FSI}{m.group(0)}{PDI}", text)


def _from_po(path: Path) -> gettext.NullTranslations:
    with path.open("rb") as f:
        catalog = read_po(f)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def supported(lang: str | None, default: str = SOURCE) -> str:
    """Our language for a code such as Telegram's `language_code` (`ar-SY` -> `ar`)."""
    if not lang:
        return default
    base = lang.replace("_", "-").split("-", 1)[0].casefold()
    return base if base in LANGUAGES else default
