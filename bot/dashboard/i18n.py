"""The dashboard's own language: Dutch, or English for a worker who chose it.

Texts come from the same Babel catalogs as the residents' texts (`locales/`), with msgctxt
`dashboard`. In templates they are marked `{{ _("Wachtrij") }}` (Jinja2's i18n extension,
new style: `_("Opgepakt door %(name)s", name=n)`); in Python with `N_` (bot/dashboard/texts.py).

Extraction (babel.cfg):

    [extractors]
    dashboard_templates = bot.dashboard.i18n:extract_templates
    [n_: bot/dashboard/**.py]
    context = dashboard
    [dashboard_templates: bot/dashboard/templates/**.html]
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from contextvars import ContextVar
from typing import IO, Any

import jinja2
from jinja2.ext import babel_extract

from bot.dashboard.texts import CONTEXT
from bot.i18n import SOURCE, Catalogs

UI_LANGUAGES = ("nl", "en")
UI_NAMES = {"nl": "Nederlands", "en": "English"}

_current: ContextVar[tuple[Catalogs, str]] = ContextVar("dashboard_language")


def ui_language(value: str | None) -> str:
    return value if value in UI_LANGUAGES else SOURCE


def use(catalogs: Catalogs, lang: str) -> None:
    """Texts rendered in this request (this task) are in `lang`."""
    _current.set((catalogs, ui_language(lang)))


def current_language() -> str:
    found = _current.get(None)
    return found[1] if found else SOURCE


def gettext(msgid: str, **params: Any) -> str:
    """`msgid` in the current request's language, `%(name)s` places filled from `params`."""
    found = _current.get(None)
    text = found[0].translate(found[1], msgid, CONTEXT)[0] if found else msgid
    return text % params if params else text


def ngettext(singular: str, plural: str, n: int, **params: Any) -> str:
    text = gettext(singular if n == 1 else plural)
    return text % {"num": n, **params}


def install(env: jinja2.Environment) -> None:
    env.add_extension("jinja2.ext.i18n")
    # Jinja2's new style formats `%(name)s` itself, escaping the values.
    env.install_gettext_callables(_plain_gettext, _plain_ngettext, newstyle=True)  # type: ignore[attr-defined]


def _plain_gettext(msgid: str) -> str:
    found = _current.get(None)
    return found[0].translate(found[1], msgid, CONTEXT)[0] if found else msgid


def _plain_ngettext(singular: str, plural: str, n: int) -> str:
    return _plain_gettext(singular if n == 1 else plural)


def extract_templates(
    fileobj: IO[bytes],
    keywords: Collection[str],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[tuple[int, str, tuple[str, str], list[str]]]:
    """Babel extraction method for the dashboard's templates: Jinja2's own, with every `_()`
    text given msgctxt `dashboard` (as `bot.authoring.i18n_extract.extract_python` does for
    `N_`)."""
    options = {"extensions": "jinja2.ext.i18n", **options}
    for lineno, funcname, message, comments in babel_extract(
        fileobj, ("_", "gettext"), comment_tags, options
    ):
        if isinstance(message, tuple):  # `_("... %(name)s", name=x)`: the keywords are None
            message = message[0]
        if funcname in ("_", "gettext") and isinstance(message, str) and message:
            yield lineno, "pgettext", (CONTEXT, message), list(comments)
