"""Running Buurtbot: /healthz and /metrics, the metrics themselves, logs, the retention purge
and the first start."""
