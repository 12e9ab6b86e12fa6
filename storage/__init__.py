"""Storage: the database (`db`) and, one module per concept, each table with the plain async
functions around it: `residents`, `states` (where a resident is in the flows), `transcripts`,
`outbox`, `cases`, `casework` (the dashboard's view of cases), `contacts`, `notes`, `handled`,
`users`, `audit`; `privacy` erases and purges across them. One convention: a table lives in the
module of the functions that own it.

Timestamps are aware UTC datetimes (`types.UTCDateTime`); JSON columns are text. `/vergeet`
(`privacy`) empties a resident: their conversation state, transcript, cases, notes and outbox
rows go, the row itself stays under a new pseudonym until the confirmation is sent and the purge
removes it. What is kept, and for how long: docs/privacy.md.
"""

from sqlmodel import SQLModel

# Named constraints, so that Alembic (and SQLite batch migrations) can address them later. Set
# here, before any table module is imported, so every table gets them.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
