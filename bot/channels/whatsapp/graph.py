"""The Graph API over HTTP: one aiohttp session with the bearer token, the messages endpoint,
and media (an id gives a short-lived URL; that URL, with the same token, the bytes)."""

from __future__ import annotations

import logging
from typing import Any

import aiohttp

logger = logging.getLogger(__name__)

TIMEOUT = aiohttp.ClientTimeout(total=30, connect=10)


class GraphError(Exception):
    """The Graph API answered with an error: its code (e.g. 130429), HTTP status, message."""

    def __init__(self, status: int, code: int | None, message: str) -> None:
        super().__init__(f"WhatsApp error {code} (HTTP {status}): {message}")
        self.status = status
        self.code = code
        self.message = message


class Graph:
    """Calls to `{base_url}/{phone_number_id}/...` with `Authorization: Bearer <token>`."""

    def __init__(self, base_url: str, token: str, phone_number_id: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.phone_number_id = phone_number_id
        self._headers = {"Authorization": f"Bearer {token}"}
        self._session: aiohttp.ClientSession | None = None

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=TIMEOUT, headers=self._headers)
        return self._session

    async def send(self, body: dict[str, Any]) -> str:
        """POST one message; returns its wamid. Raises `GraphError`, or aiohttp's and
        asyncio's errors on network trouble."""
        url = f"{self.base_url}/{self.phone_number_id}/messages"
        async with self.session.post(url, json=body) as response:
            data = await _json(response)
        try:
            return str(data["messages"][0]["id"])
        except (KeyError, IndexError, TypeError):
            raise GraphError(response.status, None, "no message id in the answer") from None

    async def media(self, media_id: str, *, limit: int) -> tuple[bytes, str | None]:
        """The bytes of an uploaded media and its stated type; refuses more than `limit`
        bytes (GraphError with code None and the word `too large`)."""
        async with self.session.get(f"{self.base_url}/{media_id}") as response:
            data = await _json(response)
        url = data.get("url") if isinstance(data, dict) else None
        if not url:
            raise GraphError(response.status, None, "no url for the media")
        size = data.get("file_size")
        if isinstance(size, int) and size > limit:
            raise GraphError(413, None, f"too large: {size} bytes")
        async with self.session.get(url) as response:
            if response.status != 200:
                raise GraphError(response.status, None, "media download refused")
            found = bytearray()
            async for chunk in response.content.iter_chunked(64 * 1024):
                found.extend(chunk)
                if len(found) > limit:
                    raise GraphError(413, None, f"too large: over {limit} bytes")
        return bytes(found), data.get("mime_type")

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


async def _json(response: aiohttp.ClientResponse) -> Any:
    try:
        data = await response.json(content_type=None)
    except (ValueError, aiohttp.ContentTypeError):
        data = None
    if response.status >= 400 or (isinstance(data, dict) and "error" in data):
        error = data.get("error") if isinstance(data, dict) else None
        error = error if isinstance(error, dict) else {}
        code = error.get("code")
        details = (error.get("error_data") or {}).get("details") if error else None
        message = str(error.get("message") or response.reason or "error")
        if details:
            message = f"{message} ({details})"
        raise GraphError(response.status, code if isinstance(code, int) else None, message)
    if not isinstance(data, dict):
        raise GraphError(response.status, None, "not a JSON object")
    return data
