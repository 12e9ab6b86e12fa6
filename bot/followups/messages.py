"""A follow-up, or the question after a closed case, as a message in the resident's language.

A flow's question is a catalog text (msgctxt `flow.node`) and is shown with its buttons in the
first language that has all of them; a worker's own words go as written, with the buttons in
the resident's language.
"""

from __future__ import annotations

from bot.engine import Button, Say
from bot.followups import texts
from bot.i18n import Catalogs, Rendered
from storage.feedback import CaseFeedback
from storage.followups import FollowUp


def follow_up(catalogs: Catalogs, row: FollowUp, lang: str) -> Rendered:
    buttons = (
        Button(texts.HELPED, texts.CONTEXT, f"{texts.FOLLOW_UP}:{row.id}:y"),
        Button(texts.A_BIT, texts.CONTEXT, f"{texts.FOLLOW_UP}:{row.id}:b"),
        Button(texts.NOT_HELPED, texts.CONTEXT, f"{texts.FOLLOW_UP}:{row.id}:n"),
        Button(texts.STOP_ASKING, texts.CONTEXT, f"{texts.FOLLOW_UP}:{row.id}:{texts.STOP}"),
    )
    if row.context is not None:
        return catalogs.render(Say(row.text, row.context, buttons=buttons), lang)
    labels = catalogs.render(Say(texts.HELPED, texts.CONTEXT, buttons=buttons), lang)
    return Rendered(row.text, labels.buttons, labels.language, None)


def feedback(catalogs: Catalogs, row: CaseFeedback, lang: str) -> Rendered:
    buttons = (
        Button(texts.FEEDBACK_YES, texts.CONTEXT, f"{texts.FEEDBACK}:{row.id}:y"),
        Button(texts.FEEDBACK_A_BIT, texts.CONTEXT, f"{texts.FEEDBACK}:{row.id}:b"),
        Button(texts.FEEDBACK_NO, texts.CONTEXT, f"{texts.FEEDBACK}:{row.id}:n"),
    )
    return catalogs.render(Say(texts.FEEDBACK_ASK, texts.CONTEXT, buttons=buttons), lang)


def say(catalogs: Catalogs, msgid: str, lang: str, **params: object) -> Rendered:
    return catalogs.render(Say(msgid, texts.CONTEXT, params=params), lang)
