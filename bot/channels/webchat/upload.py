"""`POST /chat/api/upload`: a photo, PDF or voice recording from the web chat page, as
multipart form data (`file`, and the page's `id` and `after` as for a text). Read up to the
limit and no further; then it takes the way every attachment takes (the conversation path
checks its content, stores it, and answers), with the web chat's rate limits and its
cross-site check."""

from __future__ import annotations

import logging

from aiohttp import BodyPartReader, web

from bot.channels.webchat import views
from bot.channels.webchat.limits import LIMITS, over_limit
from bot.conversation import DeliverDirectly, Inbound, attachments
from bot.keys import CONVERSATIONS

logger = logging.getLogger(__name__)

CHUNK = 64 * 1024
FIELD_MAX = 256  # bytes of a small field (id, after)


async def upload(request: web.Request) -> web.Response:
    external_id, fresh = views._session(request)
    views._refuse_cross_site(request)
    if request.content_type != "multipart/form-data":
        raise web.HTTPUnsupportedMediaType(text="send multipart/form-data")
    data, fields = await _read(request)
    key = fields.get("id")
    if key is not None and not views.KEY.fullmatch(key):
        raise web.HTTPBadRequest(text="id has letters, digits and dashes")
    mime = attachments.sniff(data or b"")
    inbound = Inbound(
        views.CHANNEL,
        external_id,
        media=attachments.KIND_OF.get(mime or "", "document"),
        language_hint=views._browser_language(request),
        key=views._scoped(external_id, key),
        attachment=attachments.carry(data, too_large=data is None),
    )
    refused = await over_limit(request, external_id, inbound)
    if refused is not None:
        views._set_cookie(refused, fresh, request)
        return refused
    try:
        await request.app[CONVERSATIONS].receive(inbound)
    except DeliverDirectly:  # a file alone shows no risk; storage is down: try again later
        raise web.HTTPServiceUnavailable(text="try again") from None
    after = int(fields["after"]) if fields.get("after", "").isdigit() else 0
    snapshot = await views.snapshot(request, external_id, after)
    request.app[LIMITS].remember(external_id, snapshot["language"])
    response = web.json_response(snapshot)
    views._set_cookie(response, fresh, request)
    return response


async def _read(request: web.Request) -> tuple[bytes | None, dict[str, str]]:
    """(the file's bytes, None when over the limit; the small fields)."""
    data: bytes | None = b""
    fields: dict[str, str] = {}
    reader = await request.multipart()
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader):
            raise web.HTTPBadRequest(text="nested multipart")
        if part.name == "file":
            data = await _bounded(part, attachments.MAX_BYTES)
        elif part.name in ("id", "after"):
            value = await _bounded(part, FIELD_MAX)
            if value is None:
                raise web.HTTPBadRequest(text=f"{part.name} is too long")
            fields[part.name] = value.decode("utf-8", "replace")
        else:
            await part.release()
    if data == b"":
        raise web.HTTPBadRequest(text="no file")
    return data, fields


async def _bounded(part: BodyPartReader, limit: int) -> bytes | None:
    """The part's bytes; None when there are more than `limit` (the rest is read and
    dropped, never kept)."""
    found = bytearray()
    while chunk := await part.read_chunk(CHUNK):
        found.extend(chunk)
        if len(found) > limit:
            await part.release()
            return None
    return bytes(found)
