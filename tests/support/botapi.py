"""A stand-in for the Telegram Bot API: real HTTP on 127.0.0.1, so the real python-telegram-bot
client talks to it through `base_url`.

It keeps what Telegram keeps for one bot: pending updates (handed out by `getUpdates` long
polling, or posted to a webhook with its secret; `redeliver` posts one again, as Telegram does
when the answer to a post is lost), the messages the bot sent (so that a test can press their
buttons), and every call made, in order. Faults can be queued per method: a 429 with
retry_after, a 5xx, a dropped connection (before or after the message counts as delivered), 403
and 400, or a slow answer.

Requests are read as Telegram reads them: form-encoded or multipart with nested values as JSON
strings, or a JSON body.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import ClientSession, ClientTimeout, web

TOKEN = "123456:TEST-token_for-the-stand-in"
BOT_ID = 123456
BOT_USERNAME = "buurtbot_test_bot"


@dataclass
class Call:
    """One request as the stand-in saw it."""

    method: str
    params: dict[str, Any]
    at: float  # time.monotonic()
    outcome: str = "ok"  # ok | 429 | 500 | 502 | drop | drop_after | 403 | 400 | error


@dataclass
class Fault:
    kind: str
    retry_after: int = 1
    description: str | None = None
    delay: float = 0.0
    chat_id: int | None = None  # only for calls to this chat


@dataclass
class Sent:
    """A message the bot sent, as it stands now (edits change it)."""

    chat_id: int
    message_id: int
    text: str
    reply_markup: dict[str, Any] | None
    at: float
    edits: list[str] = field(default_factory=list)
    entities: list[dict[str, Any]] = field(default_factory=list)  # as sent (not edits')

    @property
    def buttons(self) -> list[tuple[str, str]]:
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [(b.get("text", ""), b.get("callback_data", "")) for row in rows for b in row]


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


class BotAPI:
    """Start with `await api.start()`; `api.base_url` goes into TELEGRAM_API_BASE_URL."""

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.calls: list[Call] = []
        self.updates: list[dict[str, Any]] = []
        self.sent: list[Sent] = []
        self.webhook: dict[str, Any] | None = None
        self.webhook_deliveries: list[tuple[int, int]] = []  # (update_id, HTTP status)
        self._faults: dict[str, deque[Fault]] = {}
        self._update_ids = itertools.count(1000)
        self._message_ids = itertools.count(1)
        self._query_ids = itertools.count(1)
        self._queries: set[str] = set()
        self._by_chat: dict[int, list[Sent]] = {}
        self._waiters: set[asyncio.Future[None]] = set()
        self._new_update = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._webhook_queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._webhook_tasks: list[asyncio.Task[None]] = []
        # Telegram posts up to max_connections updates at once (40 by default), but those of one
        # chat one after the other: the next only once the previous one was answered.
        self.webhook_connections = 1
        self._chat_turns: dict[Any, asyncio.Lock] = {}
        self._queued: set[int] = set()  # update ids queued or being posted
        self.files: dict[str, bytes] = {}  # file_id -> content, for getFile and the download
        self.downloads = 0
        self.port = 0

    # --- server ------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application(client_max_size=10 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        for task in self._webhook_tasks:
            task.cancel()
        await asyncio.gather(*self._webhook_tasks, return_exceptions=True)
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    # --- what a test does -----------------------------------------------------------------

    def fail(
        self,
        method: str,
        kind: str,
        *,
        times: int = 1,
        retry_after: int = 1,
        description: str | None = None,
        delay: float = 0.0,
        chat_id: int | None = None,
    ) -> None:
        """Answer the next `times` calls of `method` with a fault: "429", "500", "502", "drop"
        (connection closed, nothing delivered), "drop_after" (delivered, then closed), "403",
        "400", or "slow" (answered normally after `delay` seconds)."""
        queue = self._faults.setdefault(method, deque())
        for _ in range(times):
            queue.append(Fault(kind, retry_after, description, delay, chat_id))

    def push(self, update: dict[str, Any]) -> dict[str, Any]:
        """Make an update available: to getUpdates, or posted to the webhook when one is set."""
        update.setdefault("update_id", next(self._update_ids))
        self.updates.append(update)
        if self.webhook:
            self._queue_webhook(update)
        self._new_update.set()
        return update

    def redeliver(self, update: dict[str, Any]) -> dict[str, Any]:
        """Post `update` to the webhook once more, as Telegram does when it never got the
        answer to an earlier post (a timeout, a process killed after its commit)."""
        if not self.webhook:
            raise AssertionError("redelivery is posted to a webhook: none is set")
        self.updates.append(update)
        self._queue_webhook(update)
        return update

    def posted(self, update: dict[str, Any]) -> int:
        """How many times `update` was posted to the webhook and answered with 2xx."""
        answered = [uid for uid, status in self.webhook_deliveries if 200 <= status < 300]
        return answered.count(update["update_id"])

    def text(
        self,
        chat_id: int,
        text: str,
        *,
        lang: str | None = "nl",
        chat_type: str = "private",
        edited_id: int | None = None,
    ) -> dict[str, Any]:
        """A resident writes `text` (or edits their message `edited_id` to it)."""
        message = self._message(chat_id, lang, chat_type, message_id=edited_id)
        message["text"] = text
        if edited_id is not None:
            message["edit_date"] = int(time.time())
            return self.push({"edited_message": message})
        return self.push({"message": message})

    def media(
        self,
        chat_id: int,
        kind: str,
        *,
        caption: str | None = None,
        lang: str = "nl",
        content: bytes | None = None,
    ):
        """A resident sends media of `kind`; with `content`, its file can be fetched."""
        message = self._message(chat_id, lang, "private")
        message.update(json.loads(json.dumps(_MEDIA[kind])))
        if content is not None:
            file_id = f"{kind}-{len(self.files) + 1}"
            self.files[file_id] = content
            described = message[kind][-1] if kind == "photo" else message[kind]
            described.update(file_id=file_id, file_size=len(content))
        if caption is not None:
            message["caption"] = caption
        return self.push({"message": message})

    def press(self, chat_id: int, label: str, *, lang: str | None = "nl") -> dict[str, Any]:
        """Press the button labelled `label` under the latest message to `chat_id` that has it."""
        for sent in reversed(self.sent):
            if sent.chat_id == chat_id:
                for text, data in sent.buttons:
                    if text == label:
                        return self.press_data(chat_id, data, message=sent, lang=lang)
        raise AssertionError(f"no button {label!r} in chat {chat_id}: {self.texts(chat_id)}")

    def press_data(
        self,
        chat_id: int,
        data: str,
        *,
        message: Sent | None = None,
        lang: str | None = "nl",
        chat_type: str = "private",
    ) -> dict[str, Any]:
        """A callback query with any data, under `message` (or under a message that does not
        exist here, as a stale or forged press would be)."""
        query_id = str(next(self._query_ids))
        self._queries.add(query_id)
        if message is None:
            shown: dict[str, Any] = {
                "message_id": 999_999,
                "chat": {"id": chat_id, "type": chat_type},
                "date": int(time.time()) - 3 * 86400,
                "from": self._bot_user(),
                "text": "an old question",
            }
        else:
            shown = self._message_json(message)
        query = {
            "id": query_id,
            "from": self._user(chat_id, lang),
            "chat_instance": f"ci{chat_id}",
            "message": shown,
            "data": data,
        }
        return self.push({"callback_query": query})

    def sent_to(self, chat_id: int) -> list[Sent]:
        return list(self._by_chat.get(chat_id, ()))

    def texts(self, chat_id: int) -> list[str]:
        return [s.text for s in self.sent_to(chat_id)]

    def calls_of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def wait_for(self, condition: Callable[[], bool], timeout: float = 10.0) -> None:
        """Wait until `condition()` holds; it is checked again after every call that comes in
        (and every 50 ms, for conditions on other things)."""
        deadline = time.monotonic() + timeout
        while not condition():
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"timed out after {timeout}s; sent: {self._summary()}")
            changed = asyncio.get_running_loop().create_future()
            self._waiters.add(changed)
            try:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(changed, min(left, 0.05))
            finally:
                self._waiters.discard(changed)

    def _changed(self) -> None:
        waiters, self._waiters = self._waiters, set()
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def wait_sent(self, chat_id: int, count: int, timeout: float = 10.0) -> list[str]:
        """Wait until `chat_id` got at least `count` messages; their texts."""
        await self.wait_for(lambda: len(self.sent_to(chat_id)) >= count, timeout)
        return self.texts(chat_id)

    async def replies(
        self, chat_id: int, before: int, *, quiet: float = 0.15, timeout: float = 10.0
    ) -> list[Sent]:
        """The messages `chat_id` got after the first `before`, once at least one came and
        then none for `quiet` seconds."""
        await self.wait_for(lambda: len(self.sent_to(chat_id)) > before, timeout)
        while True:
            count = len(self.sent_to(chat_id))
            await asyncio.sleep(quiet)
            if len(self.sent_to(chat_id)) == count:
                return self.sent_to(chat_id)[before:]

    async def say(self, chat_id: int, text: str, **kwargs: Any) -> list[Sent]:
        """A resident writes `text`; the bot's answer to it."""
        before = len(self.sent_to(chat_id))
        self.text(chat_id, text, **kwargs)
        return await self.replies(chat_id, before)

    async def click(self, chat_id: int, label: str, **kwargs: Any) -> list[Sent]:
        """A resident presses the button `label`; the bot's answer to it."""
        before = len(self.sent_to(chat_id))
        self.press(chat_id, label, **kwargs)
        return await self.replies(chat_id, before)

    async def settle(self, quiet: float = 0.3, timeout: float = 10.0) -> None:
        """Wait until no call came in for `quiet` seconds (getUpdates polls do not count)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            busy = [c for c in self.calls if c.method != "getUpdates"]
            if not busy or time.monotonic() - busy[-1].at >= quiet:
                return
            await asyncio.sleep(0.02)

    def _summary(self) -> str:
        return repr([(s.chat_id, s.text[:40]) for s in self.sent[-10:]])

    # --- the HTTP side ---------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        params = await _params(request)
        call = Call(method, params, time.monotonic())
        self.calls.append(call)
        if request.match_info["token"] != self.token:
            call.outcome = "401"
            return _error(401, "Unauthorized")
        fault = self._take_fault(method, params)
        if fault is not None:
            call.outcome = fault.kind
            if fault.kind == "slow":
                await asyncio.sleep(fault.delay)
            elif fault.kind == "drop":
                request.transport.close()
                return web.Response()
            elif fault.kind != "drop_after":
                return _fault_response(fault)
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            call.outcome = "404"
            return _error(404, "Not Found")
        try:
            result = await handler(params)
        except _APIError as error:
            call.outcome = str(error.code)
            return _error(error.code, error.description)
        finally:
            self._changed()
        if fault is not None and fault.kind == "drop_after":
            request.transport.close()  # delivered, but the bot never hears so
            return web.Response()
        return web.json_response({"ok": True, "result": result})

    def _take_fault(self, method: str, params: dict[str, Any]) -> Fault | None:
        queue = self._faults.get(method)
        if not queue:
            return None
        for fault in list(queue):
            if fault.chat_id is None or fault.chat_id == params.get("chat_id"):
                queue.remove(fault)
                return fault
        return None

    async def _download(self, request: web.Request) -> web.Response:
        """A file's bytes at the path getFile gave (`files/<file_id>`), as Telegram serves."""
        file_id = request.match_info["path"].removeprefix("files/")
        if request.match_info["token"] != self.token or file_id not in self.files:
            return web.Response(status=404)
        self.downloads += 1
        return web.Response(body=self.files[file_id], content_type="application/octet-stream")

    # --- methods -------------------------------------------------------------------------

    async def _api_getFile(self, params: dict[str, Any]) -> dict[str, Any]:
        file_id = str(params.get("file_id"))
        if file_id not in self.files:
            raise _APIError(400, "Bad Request: invalid file_id")
        return {
            "file_id": file_id,
            "file_unique_id": "u-" + file_id,
            "file_size": len(self.files[file_id]),
            "file_path": f"files/{file_id}",
        }

    async def _api_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return {**self._bot_user(), "can_join_groups": True, "can_read_all_group_messages": False}

    async def _api_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook:
            raise _APIError(409, "Conflict: can't use getUpdates method while webhook is active")
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        timeout = float(params.get("timeout") or 0)
        if offset:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        deadline = time.monotonic() + timeout
        while True:
            pending = [u for u in self.updates if u["update_id"] >= offset][:limit]
            left = deadline - time.monotonic()
            if pending or left <= 0:
                return pending
            self._new_update.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), left)

    async def _api_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = params.get("chat_id")
        text = params.get("text")
        if not isinstance(chat_id, int):
            raise _APIError(400, "Bad Request: chat not found")
        if not isinstance(text, str) or not text.strip():
            raise _APIError(400, "Bad Request: message text is empty")
        if utf16_units(text) > 4096:
            raise _APIError(400, "Bad Request: message is too long")
        markup = _check_markup(params.get("reply_markup"))
        entities = _check_entities(params.get("entities"), text)
        sent = Sent(chat_id, next(self._message_ids), text, markup, time.monotonic())
        sent.entities = entities
        self.sent.append(sent)
        self._by_chat.setdefault(chat_id, []).append(sent)
        return self._message_json(sent)

    async def _api_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        query_id = str(params.get("callback_query_id"))
        if query_id not in self._queries:
            raise _APIError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        self._queries.discard(query_id)
        return True

    async def _api_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        sent = self._find(params)
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise _APIError(400, "Bad Request: message text is empty")
        if utf16_units(text) > 4096:
            raise _APIError(400, "Bad Request: MESSAGE_TOO_LONG")
        markup = _check_markup(params.get("reply_markup"))
        if text == sent.text and markup == sent.reply_markup:
            raise _APIError(400, "Bad Request: message is not modified")
        sent.edits.append(sent.text)
        sent.text, sent.reply_markup = text, markup
        return self._message_json(sent)

    async def _api_editMessageReplyMarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        sent = self._find(params)
        markup = _check_markup(params.get("reply_markup"))
        if markup == sent.reply_markup:
            raise _APIError(400, "Bad Request: message is not modified")
        sent.reply_markup = markup
        return self._message_json(sent)

    async def _api_setWebhook(self, params: dict[str, Any]) -> bool:
        url = params.get("url") or ""
        if not url:
            self.webhook = None
            return True
        self.webhook = params
        if not self._webhook_tasks:
            self._webhook_tasks = [
                asyncio.create_task(self._deliver_webhooks())
                for _ in range(self.webhook_connections)
            ]
        for update in self.updates:  # waiting ones, unless already on their way
            if update["update_id"] not in self._queued:
                self._queue_webhook(update)
        return True

    async def _api_deleteWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = None
        if params.get("drop_pending_updates") in (True, "true", "True"):
            self.updates.clear()
        return True

    async def _api_getWebhookInfo(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": (self.webhook or {}).get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self.updates),
        }

    async def _api_leaveChat(self, params: dict[str, Any]) -> bool:
        return True

    async def _api_close(self, params: dict[str, Any]) -> bool:
        return True

    async def _api_logOut(self, params: dict[str, Any]) -> bool:
        return True

    # --- webhook delivery, as Telegram does it: again until 2xx ------------------------------

    async def _deliver_webhooks(self) -> None:
        async with ClientSession(timeout=ClientTimeout(total=30)) as session:
            while True:
                update = await self._webhook_queue.get()
                async with self._chat_turns.setdefault(_chat_of(update), asyncio.Lock()):
                    await self._post_webhook(session, update)

    def _queue_webhook(self, update: dict[str, Any]) -> None:
        self._queued.add(update["update_id"])
        self._webhook_queue.put_nowait(update)

    async def _post_webhook(self, session: ClientSession, update: dict[str, Any]) -> None:
        for _ in range(50):
            hook = self.webhook
            if not hook:
                break
            headers = {}
            if hook.get("secret_token"):
                headers["X-Telegram-Bot-Api-Secret-Token"] = hook["secret_token"]
            try:
                async with session.post(hook["url"], json=update, headers=headers) as r:
                    self.webhook_deliveries.append((update["update_id"], r.status))
                    if r.status < 300:
                        self.updates = [u for u in self.updates if u is not update]
                        self._queued.discard(update["update_id"])
                        break
            except OSError:
                self.webhook_deliveries.append((update["update_id"], 0))
            await asyncio.sleep(0.2)

    # --- JSON shapes -------------------------------------------------------------------------

    def _find(self, params: dict[str, Any]) -> Sent:
        chat_id, message_id = params.get("chat_id"), params.get("message_id")
        for sent in self.sent:
            if sent.chat_id == chat_id and sent.message_id == message_id:
                return sent
        raise _APIError(400, "Bad Request: message to edit not found")

    def _bot_user(self) -> dict[str, Any]:
        return {"id": BOT_ID, "is_bot": True, "first_name": "Buurtbot", "username": BOT_USERNAME}

    def _user(self, chat_id: int, lang: str | None) -> dict[str, Any]:
        user: dict[str, Any] = {"id": abs(chat_id), "is_bot": False, "first_name": "Bewoner"}
        if lang:
            user["language_code"] = lang
        return user

    def _message(
        self, chat_id: int, lang: str | None, chat_type: str, message_id: int | None = None
    ) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = "Bewoner"
        else:
            chat["title"] = "Een groep"
        message: dict[str, Any] = {
            "message_id": message_id or next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
        }
        if chat_type != "channel":
            message["from"] = self._user(chat_id if chat_type == "private" else 777, lang)
        return message

    def _message_json(self, sent: Sent) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": sent.message_id,
            "from": self._bot_user(),
            "chat": {"id": sent.chat_id, "type": "private", "first_name": "Bewoner"},
            "date": int(time.time()),
            "text": sent.text,
        }
        if sent.reply_markup:
            message["reply_markup"] = sent.reply_markup
        return message


class _APIError(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


def _error(code: int, description: str, **extra: Any) -> web.Response:
    body = {"ok": False, "error_code": code, "description": description, **extra}
    return web.json_response(body, status=code)


def _fault_response(fault: Fault) -> web.Response:
    if fault.kind == "429":
        return _error(
            429,
            f"Too Many Requests: retry after {fault.retry_after}",
            parameters={"retry_after": fault.retry_after},
        )
    if fault.kind == "403":
        return _error(403, fault.description or "Forbidden: bot was blocked by the user")
    if fault.kind == "400":
        return _error(400, fault.description or "Bad Request: chat not found")
    if fault.kind == "502":
        return web.Response(status=502, text="<html>Bad Gateway</html>", content_type="text/html")
    return _error(int(fault.kind) if fault.kind.isdigit() else 500, "Internal Server Error")


def _check_entities(raw: Any, text: str) -> list[dict[str, Any]]:
    """Entities as Telegram checks them: a JSON list, each inside the text (in UTF-16 units)."""
    if raw is None:
        return []
    try:
        entities = json.loads(raw) if isinstance(raw, str) else raw
        size = utf16_units(text)
        for e in entities:
            offset, length = e["offset"], e["length"]
            if not isinstance(e["type"], str) or offset < 0 or length < 1:
                raise ValueError(e)
            if offset + length > size:
                raise ValueError(e)
    except (ValueError, TypeError, KeyError) as exc:
        raise _APIError(400, "Bad Request: can't parse entities") from exc
    return list(entities)


def _check_markup(raw: Any) -> dict[str, Any] | None:
    if raw is None or raw == "":
        return None
    markup = json.loads(raw) if isinstance(raw, str) else raw
    rows = markup.get("inline_keyboard")
    if rows is None:
        return markup
    if sum(len(row) for row in rows) > 100:
        raise _APIError(400, "Bad Request: too many buttons")
    for row in rows:
        if len(row) > 8:
            raise _APIError(400, "Bad Request: too many buttons in a row")
        for button in row:
            if not str(button.get("text", "")).strip():
                raise _APIError(
                    400, "Bad Request: text buttons are unallowed in the inline keyboard"
                )
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode("utf-8")) <= 64:
                raise _APIError(400, "Bad Request: BUTTON_DATA_INVALID")
    return markup or None


async def _params(request: web.Request) -> dict[str, Any]:
    if request.content_type == "application/json":
        raw = await request.json() if request.can_read_body else {}
    elif request.can_read_body:
        raw = dict(await request.post())
    else:
        raw = dict(request.query)
    params: dict[str, Any] = {}
    for key, value in raw.items():
        if isinstance(value, str) and key in _INTEGERS:
            with contextlib.suppress(ValueError):
                value = int(value)
        params[key] = value
    return params


_INTEGERS = frozenset({"chat_id", "message_id", "offset", "limit", "timeout"})

_MEDIA: dict[str, dict[str, Any]] = {
    "photo": {"photo": [{"file_id": "p1", "file_unique_id": "u1", "width": 90, "height": 90}]},
    "voice": {"voice": {"file_id": "v1", "file_unique_id": "u2", "duration": 3}},
    "sticker": {
        "sticker": {
            "file_id": "s1",
            "file_unique_id": "u3",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        }
    },
    "document": {"document": {"file_id": "d1", "file_unique_id": "u4", "file_name": "brief.pdf"}},
    "location": {"location": {"latitude": 52.37, "longitude": 4.89}},
}


def _chat_of(update: dict[str, Any]) -> Any:
    for kind in ("message", "edited_message"):
        if kind in update:
            return update[kind].get("chat", {}).get("id")
    if "callback_query" in update:
        return update["callback_query"].get("message", {}).get("chat", {}).get("id")
    return None
