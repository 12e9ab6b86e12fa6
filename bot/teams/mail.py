"""Sending one mail over SMTP with aiosmtplib: `BUURTBOT_SMTP_URL` is `smtp://host:port`
(STARTTLS when the server offers it), `smtp://user:pass@host:587`, or `smtps://user:pass@host`
(TLS from the start, port 465 by default). Errors come out as `MailError` with a short reason
that holds no password."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

import aiosmtplib

TIMEOUT = 30.0


class MailError(Exception):
    """The mail was not accepted; the message says why (for the dashboard and the log)."""


@dataclass(frozen=True)
class Smtp:
    host: str
    port: int
    tls: bool  # smtps: TLS from the first byte
    username: str | None = None
    password: str | None = None

    @classmethod
    def parse(cls, url: str) -> Smtp:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError(
                "BUURTBOT_SMTP_URL: write smtp://host:port or smtps://user:password@host"
            )
        tls = parts.scheme == "smtps"
        return cls(
            host=parts.hostname,
            port=parts.port or (465 if tls else 25),
            tls=tls,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )


def message(sender: str, to: str, subject: str, body: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = sender, to, subject
    mail.set_content(body)
    return mail


async def send(smtp: Smtp, mail: EmailMessage) -> None:
    try:
        await aiosmtplib.send(
            mail,
            hostname=smtp.host,
            port=smtp.port,
            username=smtp.username,
            password=smtp.password,
            use_tls=smtp.tls,
            timeout=TIMEOUT,
        )
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as e:
        reason = f"{type(e).__name__}: {e}"[:300]
        raise MailError(reason.replace(smtp.password or "\0", "***")) from None
