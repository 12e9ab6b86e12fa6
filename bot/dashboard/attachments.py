"""Photos, PDFs and voice notes on the case page, behind login and audited.

`may_view_attachment` is the one access check every attachment shown goes through: the
attachment must belong to the case's resident. Need-to-know rules (per team, issue 20) hook in
there and nowhere else.

Served as what their content was checked to be (never as HTML), with `nosniff`, a strict CSP
that runs nothing, `Content-Disposition` (a PDF is downloaded, not shown in the page) and no
caching.
"""

from __future__ import annotations

import io
import warnings

from aiohttp import web
from PIL import Image, ImageOps
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import teams
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
PREVIEW_SIZE = 1024  # pixels, the longer side: a letter stays readable, the page stays light
MAX_PIXELS = 60_000_000  # more is refused as a decompression bomb (a phone photo: ~12 M)


async def may_view_attachment(
    s: AsyncSession, actor: Actor, case: CaseView, attachment: Attachment
) -> bool:
    """Whether `actor` may see `attachment` on the page of `case`: the one check for every
    attachment (the dashboard's login and audit come around it): the case's own, and a case
    of the actor's teams (bot/dashboard/need_to_know.py)."""
    if attachment.resident_id != case.case.resident_id:
        return False
    return (await teams.visible_teams(s, actor.id, actor.role)).sees(case.case.team_id)


def preview(data: bytes) -> bytes | None:
    """A photo resized to at most `PREVIEW_SIZE` pixels, turned upright, as a JPEG without its
    metadata (no camera, no place, no time); None when it cannot be read as an image. CPU
    work: run it in a thread."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as image:
                if image.width * image.height > MAX_PIXELS:
                    return None
                upright = ImageOps.exif_transpose(image)
                upright.thumbnail((PREVIEW_SIZE, PREVIEW_SIZE))
                out = io.BytesIO()
                upright.convert("RGB").save(out, "JPEG", quality=82)  # no exif= : none kept
                return out.getvalue()
        except (OSError, ValueError, Image.DecompressionBombWarning, Image.DecompressionBombError):
            return None


def response(attachment: Attachment, *, resized: bytes | None = None) -> web.Response:
    """The file as stored, or `resized` (a photo's preview, always JPEG)."""
    ext = EXTENSIONS.get(attachment.mime, "bin")
    shown = "attachment" if attachment.kind == "document" else "inline"
    mime = attachment.mime
    if resized is not None:
        ext, mime = "jpg", "image/jpeg"
    return web.Response(
        body=resized if resized is not None else attachment.data,
        headers={
            "Content-Type": mime,
            "Content-Disposition": f'{shown}; filename="bijlage-{attachment.id}.{ext}"',
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": CSP,
            "Cache-Control": "no-store, private",
        },
    )
