"""Settings from the environment (the contract in DESIGN.md). Read once, passed around."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Config:
    telegram_token: str | None = None
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    database_url: str = "sqlite:///data/buurtbot.db"
    flows_dir: Path = Path("flows")
    locales_dir: Path = Path("locales")
    # Messages held while the database does not answer, kept until stored (bot/channels/spool.py).
    spool_dir: Path = Path("data/spool")
    dashboard_host: str = "127.0.0.1"
    dashboard_port: int = 8080
    webhook_url: str | None = None
    webhook_secret: str | None = None
    send_rate: float = 30.0
    office_hours: str = "ma-vr 09:00-17:00"
    repeat_times: int = 3
    repeat_days: int = 14
    # Retention (docs/privacy.md): days each kind of data is kept, and how often to purge.
    retention_closed_case_days: int = 180
    retention_flow_only_days: int = 30
    retention_outbox_days: int = 7
    retention_audit_days: int = 730
    purge_interval_hours: float = 6.0  # 0: no scheduled purge (`buurtbot purge` by hand)
    follow_up_interval: float = 60.0  # seconds between looks for due follow-ups; 0: none
    log_format: str = "json"  # json | text
    log_level: str = "INFO"
    metrics_token: str | None = None  # when set, /metrics wants `Authorization: Bearer <it>`
    # WhatsApp Cloud API (docs/whatsapp.md): on when the token and the phone number id are set.
    whatsapp_token: str | None = None
    whatsapp_phone_number_id: str | None = None
    whatsapp_app_secret: str | None = None
    whatsapp_verify_token: str | None = None
    whatsapp_api_base_url: str = "https://graph.facebook.com/v23.0"
    # The approved template that asks a resident to write again after 24 hours of silence.
    whatsapp_template: str = "buurtteam_antwoord"
    # Alert mails for waiting cases (docs/teams.md): SMTP server and sender; unset: no mail.
    smtp_url: str | None = None  # smtp://host:port, smtps://user:pass@host
    mail_from: str = "buurtbot@localhost"
    public_url: str | None = None  # the dashboard's address for links in mails
    alert_high_after_minutes: float = 30.0  # a high case waiting this long gets an alert
    alert_repeat_minutes: float = 15.0  # again every this long until someone claims it
    # The smallest count the neighbourhood signals show (docs/signals.md).
    signals_min_count: int = 10

    @property
    def whatsapp_on(self) -> bool:
        return bool(self.whatsapp_token and self.whatsapp_phone_number_id)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Config:
        e = os.environ if env is None else env
        return cls(
            telegram_token=e.get("TELEGRAM_BOT_TOKEN") or None,
            telegram_api_base_url=e.get("TELEGRAM_API_BASE_URL") or cls.telegram_api_base_url,
            database_url=e.get("DATABASE_URL") or cls.database_url,
            flows_dir=Path(e.get("BUURTBOT_FLOWS_DIR") or cls.flows_dir),
            locales_dir=Path(e.get("BUURTBOT_LOCALES_DIR") or cls.locales_dir),
            spool_dir=Path(e.get("BUURTBOT_SPOOL_DIR") or cls.spool_dir),
            dashboard_host=e.get("DASHBOARD_HOST") or cls.dashboard_host,
            dashboard_port=int(e.get("DASHBOARD_PORT") or cls.dashboard_port),
            webhook_url=e.get("WEBHOOK_URL") or None,
            webhook_secret=e.get("WEBHOOK_SECRET") or None,
            send_rate=float(e.get("BUURTBOT_SEND_RATE") or cls.send_rate),
            office_hours=e.get("BUURTBOT_OFFICE_HOURS") or cls.office_hours,
            repeat_times=int(e.get("BUURTBOT_REPEAT_TIMES") or cls.repeat_times),
            repeat_days=int(e.get("BUURTBOT_REPEAT_DAYS") or cls.repeat_days),
            retention_closed_case_days=int(
                e.get("BUURTBOT_RETENTION_CLOSED_CASE_DAYS") or cls.retention_closed_case_days
            ),
            retention_flow_only_days=int(
                e.get("BUURTBOT_RETENTION_FLOW_ONLY_DAYS") or cls.retention_flow_only_days
            ),
            retention_outbox_days=int(
                e.get("BUURTBOT_RETENTION_OUTBOX_DAYS") or cls.retention_outbox_days
            ),
            retention_audit_days=int(
                e.get("BUURTBOT_RETENTION_AUDIT_DAYS") or cls.retention_audit_days
            ),
            purge_interval_hours=float(
                e.get("BUURTBOT_PURGE_INTERVAL_HOURS") or cls.purge_interval_hours
            ),
            follow_up_interval=float(
                e.get("BUURTBOT_FOLLOW_UP_INTERVAL") or cls.follow_up_interval
            ),
            log_format=e.get("BUURTBOT_LOG_FORMAT") or cls.log_format,
            log_level=e.get("BUURTBOT_LOG_LEVEL") or cls.log_level,
            metrics_token=e.get("BUURTBOT_METRICS_TOKEN") or None,
            whatsapp_token=e.get("WHATSAPP_TOKEN") or None,
            whatsapp_phone_number_id=e.get("WHATSAPP_PHONE_NUMBER_ID") or None,
            whatsapp_app_secret=e.get("WHATSAPP_APP_SECRET") or None,
            whatsapp_verify_token=e.get("WHATSAPP_VERIFY_TOKEN") or None,
            whatsapp_api_base_url=e.get("WHATSAPP_API_BASE_URL") or cls.whatsapp_api_base_url,
            whatsapp_template=e.get("WHATSAPP_TEMPLATE") or cls.whatsapp_template,
            smtp_url=e.get("BUURTBOT_SMTP_URL") or None,
            mail_from=e.get("BUURTBOT_MAIL_FROM") or cls.mail_from,
            public_url=e.get("BUURTBOT_PUBLIC_URL") or None,
            alert_high_after_minutes=float(
                e.get("BUURTBOT_ALERT_HIGH_AFTER_MINUTES") or cls.alert_high_after_minutes
            ),
            alert_repeat_minutes=float(
                e.get("BUURTBOT_ALERT_REPEAT_MINUTES") or cls.alert_repeat_minutes
            ),
            signals_min_count=max(
                2, int(e.get("BUURTBOT_SIGNALS_MIN_COUNT") or cls.signals_min_count)
            ),
        )
