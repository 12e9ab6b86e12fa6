"""One inbound message = one transaction: risk, flow step, case, transcript and outbox change
together.

Channels (Telegram, web chat, terminal) turn what they receive into an `Inbound` and call
`Conversations.receive`. Nothing is sent from here: replies become outbox rows in the same
transaction as the state change that caused them, and each channel's sender delivers them.

A message a channel delivers again (its `key` handled already) is not handled again: its
flow moves once, its transcript is written once, its replies are queued once.

The order for every message, in every state:
1. risk check (pure, before any database work, so a crisis reply exists even when the
   database is down: then `DeliverDirectly` carries it to the channel);
2. an open risk question ("do you think of harming yourself?") is answered, then `/vergeet`
   and `/gegevens` (bot/conversation/privacy.py);
3. while a case is open the message goes to the social worker, not to the flows;
4. a typed request for a person opens a case;
5. otherwise the flow engine takes the step.

The steps are in `steps/`, their order in `pipeline.py`; `Turn` (turn.py) gathers what one
message leads to; `Conversations` (service.py) owns the transaction around it.
"""

from bot.conversation.inbound import DeliverDirectly, Inbound
from bot.conversation.service import Conversations
from bot.conversation.steps.language import LANGUAGE_ASK, LANGUAGE_SET

__all__ = ["LANGUAGE_ASK", "LANGUAGE_SET", "Conversations", "DeliverDirectly", "Inbound"]
