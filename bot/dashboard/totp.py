"""Time-based one-time codes (RFC 6238) for the two-step login, with pyotp; QR codes with segno.

A code is accepted for the current 30-second step and the one before and after it (clocks
drift), and only once: the step it matched is kept (`User.totp_last_step`), and a code for that
step or an earlier one is refused, so a code seen over a shoulder cannot be used again.
"""

from __future__ import annotations

import io
from datetime import datetime

import pyotp
import segno

ISSUER = "Buurtbot"
DRIFT = 1  # steps of 30 s either side


def new_secret() -> str:
    return pyotp.random_base32()  # 160 bits, as RFC 4226 recommends


def uri(name: str, secret: str) -> str:
    """The `otpauth://` URI an authenticator app reads (from the QR code, or typed)."""
    return pyotp.TOTP(secret).provisioning_uri(name=name, issuer_name=ISSUER)


def matching_step(secret: str, code: str, now: datetime, last_step: int | None) -> int | None:
    """The time step `code` belongs to, when it is right and newer than `last_step`."""
    code = "".join(ch for ch in code if ch.isdigit())
    if len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - DRIFT, current + DRIFT + 1):
        if (last_step is None or step > last_step) and pyotp.utils.strings_equal(
            totp.generate_otp(step), code
        ):
            return step
    return None


def qr_terminal(text: str) -> str:
    """`text` as a QR code of block characters, for a terminal."""
    out = io.StringIO()
    segno.make(text, error="m").terminal(out=out, compact=True)
    return out.getvalue()


def qr_data_uri(text: str) -> str:
    """`text` as a QR code in an SVG `data:` URI, for an <img> (the CSP allows data: images)."""
    return segno.make(text, error="m").svg_data_uri(scale=5, border=2)
