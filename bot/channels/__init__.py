"""The ways residents reach Buurtbot: Telegram, the web chat and the terminal chat, and
what holds their messages while the database does not answer (holding, spool)."""
