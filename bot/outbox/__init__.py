"""The outbox: sends the rows the conversation path queued, through one channel.

Channel-independent: a channel hands in `send(Outgoing) -> Result` and the dispatcher does the
rest. Per resident the rows go out one at a time in queue order; crisis rows (priority 0) go
before everything else; all sends together keep to a global pace; a rate-limit answer pauses
every send; network trouble is retried with backoff; a resident who blocked the bot is marked
and gets nothing more.

How a row travels: in one short transaction the dispatcher takes the next due rows
(`storage.outbox.next_pending`, crisis rows first) and leases them (`not_before` a while ahead,
so neither a second look nor the same resident's later rows pick them up). One task per
resident sends that resident's rows in order, outside any transaction, each after a slot from
the pacer (which hands out slots by priority). Outcomes are written in the next short
transaction. When every task is busy, a few more are allowed for crisis rows only. Leases left
behind by a process that died are released when a dispatcher starts.

Delivery is at least once. A process that dies after the channel accepted a message but before
its row was marked sent sends that message again after the restart: the resident may see one
message twice. The other way round cannot happen: a row is only marked sent after the channel
said so.

On PostgreSQL several processes may run; one dispatcher per channel holds a session advisory
lock (the leader) so the global pace holds across processes.

Modules: `results` (what a channel is handed and answers), `pacer`, `leader` (the lock across
processes) and `dispatcher` (the loop); the SQL is in storage/outbox.py.
"""

from bot.outbox.dispatcher import Outbox, backoff
from bot.outbox.pacer import Pacer
from bot.outbox.results import Blocked, Failed, Held, Outgoing, Result, Retry, Send, Sent

__all__ = [
    "Blocked",
    "Failed",
    "Held",
    "Outbox",
    "Outgoing",
    "Pacer",
    "Result",
    "Retry",
    "Send",
    "Sent",
    "backoff",
]
