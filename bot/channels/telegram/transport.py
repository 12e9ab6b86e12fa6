"""python-telegram-bot's requests over aiohttp's client instead of httpx.

PTB lets a bot bring its own transport (`telegram.request.BaseRequest`); it still builds every
request, reads every answer and raises its own errors (RetryAfter, Forbidden, ...) from the
status and body. Only the HTTP in between is aiohttp's, which this process already runs for the
dashboard. Under the bench's load httpx's connection pool cost about 2.8 ms of CPU per call
with 20 calls open at once, aiohttp's client 0.4 ms, server included (docs/benchmarks.md,
issue 21); a typed message is about three calls (its share of getUpdates, 2.4 replies).

Timeouts mean what they mean to PTB: `connect` to open a connection, `pool` to wait for a free
one (aiohttp counts both in its `connect`), `read` between bytes of the answer (getUpdates adds
its long-poll time to it). aiohttp has no write timeout; a write that hangs ends at the read
timeout. A timeout raises `TimedOut`, other network trouble `NetworkError`, as with httpx.

Requests without files go as JSON (the Bot API takes `application/json` for every method but
uploads), in one `json.dumps`: form-encoding percent-escapes every byte of an Arabic or Tigrinya
text in Python, and was about a quarter of a send's CPU (py-spy and yappi under the bench).
"""

from __future__ import annotations

import json

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

DEFAULTS = {"connect": 5.0, "read": 5.0, "pool": 1.0}  # seconds, as PTB's HTTPXRequest
_JSON = {"Content-Type": "application/json"}


class AiohttpRequest(BaseRequest):
    """One aiohttp client session with up to `connection_pool_size` connections."""

    def __init__(
        self,
        connection_pool_size: int = 1,
        *,
        read_timeout: float | None = DEFAULTS["read"],
        connect_timeout: float | None = DEFAULTS["connect"],
        pool_timeout: float | None = DEFAULTS["pool"],
    ) -> None:
        self._size = connection_pool_size
        self._read = read_timeout
        self._connect = connect_timeout
        self._pool = pool_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._size),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
        write_timeout: float | object | None = BaseRequest.DEFAULT_NONE,  # see the module
        connect_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
        pool_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        read = _given(read_timeout, self._read)
        connect = _given(connect_timeout, self._connect)
        pool = _given(pool_timeout, self._pool)
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=None if connect is None or pool is None else connect + pool,
            sock_connect=connect,
            sock_read=read,
        )
        body, headers = _body(request_data)
        try:
            async with self._session.request(
                method, url, data=body, headers=headers, timeout=timeout
            ) as response:
                return response.status, await response.read()
        except TimeoutError as exc:  # aiohttp's timeouts are TimeoutErrors (and ClientErrors)
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{exc.__class__.__name__}: {exc}") from exc


def _given(value: float | object | None, default: float | None) -> float | None:
    return default if isinstance(value, type(BaseRequest.DEFAULT_NONE)) else value  # type: ignore[return-value]


def _body(
    request_data: RequestData | None,
) -> tuple[aiohttp.FormData | bytes | None, dict[str, str] | None]:
    """JSON, nested values as objects; multipart with files (their other fields as PTB sends
    them in a form: nested values as JSON text)."""
    if request_data is None:
        return None, None
    files = request_data.multipart_data
    if not files:
        return json.dumps(request_data.parameters, ensure_ascii=False).encode(), _JSON
    form = aiohttp.FormData()
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, upload in files.items():
        filename, content, mime = upload if len(upload) == 3 else (*upload, None)  # type: ignore[misc]
        form.add_field(name, content, filename=filename, content_type=mime)
    return form, None
