"""Buurtbot: flows, risk detection and hand-over to social workers, over Telegram and the web."""
