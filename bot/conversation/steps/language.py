"""Language: the first contact (greeting and language picker), a language chosen or asked for,
the offer to switch when a message is written in another script, and the language to answer in
before the resident chose one."""

from __future__ import annotations

from bot.conversation.inbound import Inbound
from bot.conversation.turn import Context, Turn
from bot.engine import Say, State, start
from bot.engine.texts import N_
from bot.i18n import (
    LANG_PAYLOAD,
    LANGUAGES,
    Rendered,
    picker_buttons,
    script_language,
    supported,
    written_in,
)
from bot.risk import Assessment
from storage import residents as resident_db

LANGUAGE_ASK = N_("In welke taal wil je praten?")
LANGUAGE_SET = N_("Goed, we praten verder in het Nederlands.")
OFFERED = "offered_language"  # the conversation data's key: the script a switch was offered for


def first_contact(ctx: Context, turn: Turn) -> None:
    """Say what we are, and let the resident pick a language."""
    _, events = start(ctx.flows, turn.state, env=ctx.env())
    greeting = next(e for e in events if isinstance(e, Say))
    turn.add(ctx.catalogs.render(greeting, turn.lang))
    turn.add(picker(ctx, turn.lang, turn.inbound.language_hint))
    # Idle, but greeted: the next message shows the menu (or starts a flow by its title).
    turn.state = State(vars=turn.state.vars, wait=ctx.new_id())


def picker(ctx: Context, lang: str, hint: str | None) -> Rendered:
    ask = ctx.say(LANGUAGE_ASK, lang)
    return Rendered(ask.text, picker_buttons(hint), ask.language, ask.source)


async def choose(ctx: Context, turn: Turn) -> None:
    """A language button sets the language and asks the open question again in it; `/taal`
    shows the picker."""
    chosen = choice(turn.inbound)
    if chosen is None:
        turn.add(picker(ctx, turn.lang, turn.inbound.language_hint))
        return
    await resident_db.set_language(turn.session, turn.rid, chosen)
    turn.lang = chosen
    turn.add(ctx.say(LANGUAGE_SET, chosen))
    turn.state = ctx.ask_again(turn, turn.state)  # now in the chosen language


def offer_switch(ctx: Context, turn: Turn) -> None:
    """Written in Arabic or Ge'ez script while another language is set: offer to switch,
    once per script. Last, so its language buttons are the ones shown."""
    text = turn.inbound.text or ""
    detected = script_language(text) if not text.startswith("/") else None
    if detected and detected != turn.lang and turn.data.get(OFFERED) != detected:
        turn.data[OFFERED] = detected
        turn.add(ctx.catalogs.switch_offer(detected, turn.lang))


def choice(inbound: Inbound) -> str | None:
    """The language of a pressed language button, else None."""
    payload = inbound.payload or ""
    if payload.startswith(LANG_PAYLOAD) and payload[len(LANG_PAYLOAD) :] in LANGUAGES:
        return payload[len(LANG_PAYLOAD) :]
    return None


def message_language(assessment: Assessment, inbound: Inbound) -> str:
    """The language to answer in before the resident chose one: that of the risk phrase that
    matched, else of the script the message is written in, else the channel's hint."""
    if assessment.matches:
        return assessment.matches[0].language
    return written_in(inbound.text) or supported(inbound.language_hint)
