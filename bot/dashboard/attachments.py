"""Photos, PDFs and voice notes on the case page, behind login and audited.

`may_view_attachment` is the one access check every attachment shown goes through: the
attachment must belong to the case's resident. Need-to-know rules (per team, issue 20) hook in
there and nowhere else.

Served as what their content was checked to be (never as HTML), with `nosniff`, a strict CSP
that runs nothing, `Content-Disposition` (a PDF is downloaded, not shown in the page) and no
caching.
"""

from __future__ import annotations

from aiohttp import web
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.attachments import Attachment
from storage.casework import Actor, CaseView

EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "application/pdf": "pdf",
    "audio/ogg": "ogg",
    "audio/mp4": "m4a",
    "audio/mpeg": "mp3",
    "audio/amr": "amr",
}
CSP = "default-src 'none'; img-src 'self'; media-src 'self'; sandbox"


async def may_view_attachment(
    s: AsyncSession, actor: Actor, case: CaseView, attachment: Attachment
) -> bool:
    """Whether `actor` may see `attachment` on the page of `case`: the one check for every
    attachment (the dashboard's login and audit come around it)."""
    return attachment.resident_id == case.case.resident_id


def response(attachment: Attachment) -> web.Response:
    ext = EXTENSIONS.get(attachment.mime, "bin")
    shown = "attachment" if attachment.kind == "document" else "inline"
    return web.Response(
        body=attachment.data,
        headers={
            "Content-Type": attachment.mime,
            "Content-Disposition": f'{shown}; filename="bijlage-{attachment.id}.{ext}"',
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": CSP,
            "Cache-Control": "no-store, private",
        },
    )
