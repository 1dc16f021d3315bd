"""A fake Telegram Bot API server on 127.0.0.1 (aiohttp.web, port 0) for the real aiogram client.

It answers getMe, getUpdates (real long polling with offsets; tests push updates), sendMessage,
sendPhoto, sendMediaGroup, editMessageText, editMessageReplyMarkup, answerCallbackQuery,
setWebhook, deleteWebhook and getWebhookInfo like the real server; records every call with its
time; enforces optional caps (messages per second for the bot and per chat, over any sliding
one-second window) with 429 and `parameters.retry_after`; and injects faults: 429, 403 "bot was
blocked by the user", 400 "chat not found", 5xx and timeouts, for chosen chats, for the next N
calls, or for a random share of calls.

    async with FakeTelegramAPI(token=TOKEN, global_per_second=30, chat_per_second=1) as fake:
        bot = make_bot(TOKEN, fake.base_url)
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import math
import random
import re
import time
from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from aiohttp import web

TOKEN = "123456789:AAFakeTokenForTestsOnly_abcdefghijkl"

SEND_METHODS = frozenset({"sendmessage", "sendphoto", "sendmediagroup"})
EDIT_METHODS = frozenset({"editmessagetext", "editmessagereplymarkup"})
JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "media",
        "allowed_updates",
        "entities",
        "caption_entities",
        "link_preview_options",
        "commands",
        "scope",
    }
)

FaultKind = Literal["429", "403", "400", "5xx", "timeout"]


@dataclass(frozen=True)
class Fault:
    kind: FaultKind
    retry_after: int = 1  # for 429
    status: int = 500  # for 5xx
    hang_seconds: float = 30.0  # for timeout: the answer comes this late (never processed)


@dataclass
class Call:
    method: str  # lower case, e.g. "sendmessage"
    params: dict[str, Any]
    at: float  # time.monotonic() when the request arrived
    wall: float  # time.time() when the request arrived
    chat_id: int | None = None
    status: int = 200
    description: str | None = None
    message_id: int | None = None
    cap: Literal["global", "chat"] | None = None  # which cap answered 429, if one did

    @property
    def delivered(self) -> bool:
        return self.status == 200 and self.method in SEND_METHODS


@dataclass
class _Message:
    chat_id: int
    message_id: int
    text: str | None
    reply_markup: Any = None
    date: int = field(default_factory=lambda: int(time.time()))


def _error(status: int, description: str, **parameters: Any) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=status)


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


class FakeTelegramAPI:
    def __init__(
        self,
        token: str = TOKEN,
        *,
        global_per_second: int | None = None,
        chat_per_second: int | None = None,
        bot_id: int = 123456789,
        bot_username: str = "ita_rent_test_bot",
    ) -> None:
        self.token = token
        self.global_per_second = global_per_second
        self.chat_per_second = chat_per_second
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.calls: list[Call] = []
        self.messages: dict[tuple[int, int], _Message] = {}
        self.webhook: dict[str, Any] | None = None
        self.commands: dict[str, list[tuple[str, str]]] = {}  # language ("" = default) -> menu
        self._blocked: set[int] = set()
        self._unknown: set[int] = set()
        self._failing_chats: dict[int, Fault] = {}
        self._next_faults: deque[Fault] = deque()
        self._random_rate = 0.0
        self._random_faults: tuple[Fault, ...] = ()
        self._random = random.Random(0)
        self.unreachable_photos: set[str] = set()  # photo URLs "Telegram" cannot download
        self._window_all: deque[float] = deque()
        self._window_chat: dict[int, deque[float]] = defaultdict(deque)
        self._message_ids: dict[int, itertools.count[int]] = defaultdict(lambda: itertools.count(1))
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._new_update = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- lifecycle -----------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> str:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/_fake/calls", self._calls_json)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        return self.base_url

    async def close(self) -> None:
        self._new_update.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegramAPI:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- faults --------------------------------------------------------------------------------

    def block_chat(self, chat_id: int) -> None:
        """This user blocked the bot: every call to the chat answers 403."""
        self._blocked.add(chat_id)

    def unblock_chat(self, chat_id: int) -> None:
        self._blocked.discard(chat_id)

    def unknown_chat(self, chat_id: int) -> None:
        """This chat does not exist: every call answers 400 "chat not found"."""
        self._unknown.add(chat_id)

    def fail_chat(self, chat_id: int, fault: Fault) -> None:
        """Every call to this chat fails with `fault` until `heal_chat`."""
        self._failing_chats[chat_id] = fault

    def heal_chat(self, chat_id: int) -> None:
        self._failing_chats.pop(chat_id, None)

    def fail_next(self, count: int, fault: Fault) -> None:
        """The next `count` sending calls fail with `fault`."""
        self._next_faults.extend([fault] * count)

    def fail_randomly(self, rate: float, faults: Iterable[Fault], *, seed: int = 0) -> None:
        """Each sending call fails with probability `rate`, with one of `faults` at random."""
        self._random_rate = rate
        self._random_faults = tuple(faults)
        self._random = random.Random(seed)

    # -- updates -------------------------------------------------------------------------------

    def push_update(self, update: dict[str, Any]) -> int:
        """Queue an update for getUpdates (or nothing, while a webhook is set); returns its id."""
        update_id = next(self._update_ids)
        self._updates.append({"update_id": update_id, **update})
        self._new_update.set()
        return update_id

    def user(
        self, user_id: int, first_name: str = "Test", language_code: str = "ru"
    ) -> dict[str, Any]:
        return {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name,
            "language_code": language_code,
        }

    def push_message(
        self, chat_id: int, text: str, *, user_id: int | None = None, language_code: str = "ru"
    ) -> int:
        """A private-chat text message from the user (a command when `text` starts with /)."""
        message: dict[str, Any] = {
            "message_id": next(self._message_ids[chat_id]),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"},
            "from": self.user(user_id or chat_id, language_code=language_code),
            "text": text,
        }
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return self.push_update({"message": message})

    def push_callback(
        self, chat_id: int, data: str, *, message_id: int, user_id: int | None = None
    ) -> int:
        """A tap on an inline button of one of the bot's messages."""
        kept = self.messages.get((chat_id, message_id))
        message = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"},
            "text": kept.text if kept and kept.text else "…",
        }
        callback = {
            "id": str(next(self._update_ids) * 1000 + 7),
            "from": self.user(user_id or chat_id),
            "chat_instance": str(chat_id),
            "message": message,
            "data": data,
        }
        return self.push_update({"callback_query": callback})

    # -- inspection ----------------------------------------------------------------------------

    def sent(self, chat_id: int | None = None) -> list[Call]:
        """Sending calls the server accepted, oldest first (optionally for one chat)."""
        return [c for c in self.calls if c.delivered and (chat_id is None or c.chat_id == chat_id)]

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method.lower()]

    def capped(self) -> list[Call]:
        """Calls the caps answered with 429 (injected 429s are not counted)."""
        return [c for c in self.calls if c.cap is not None]

    def max_in_window(self, seconds: float = 1.0, chat_id: int | None = None) -> int:
        """The most accepted sends that arrived within any window of `seconds`."""
        times = [c.at for c in self.sent(chat_id)]
        best, start = 0, 0
        for end, t in enumerate(times):
            while t - times[start] >= seconds:
                start += 1
            best = max(best, end - start + 1)
        return best

    async def _calls_json(self, request: web.Request) -> web.Response:
        """Every call so far, for a test or benchmark that runs this fake in another process."""
        fields = ("method", "chat_id", "status", "at", "wall", "cap", "message_id")
        since = int(request.query.get("since", "0"))
        return web.json_response([{f: getattr(c, f) for f in fields} for c in self.calls[since:]])

    # -- the server ----------------------------------------------------------------------------

    async def _params(self, request: web.Request) -> dict[str, Any]:
        raw: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            raw.update(await request.json())
        elif request.body_exists:
            form = await request.post()
            raw.update({k: v for k, v in form.items() if isinstance(v, str)})
        params: dict[str, Any] = {}
        for key, value in raw.items():
            if key in JSON_FIELDS and isinstance(value, str):
                with contextlib.suppress(ValueError):
                    value = json.loads(value)
            params[key] = value
        return params

    def _fault_for(self, chat_id: int | None) -> Fault | None:
        if chat_id is not None and chat_id in self._failing_chats:
            return self._failing_chats[chat_id]
        if self._next_faults:
            return self._next_faults.popleft()
        if self._random_rate and self._random.random() < self._random_rate:
            return self._random.choice(self._random_faults)
        return None

    async def _apply_fault(self, call: Call, fault: Fault) -> web.Response:
        if fault.kind == "timeout":
            call.status, call.description = 504, "timeout (never processed)"
            await asyncio.sleep(fault.hang_seconds)
            return _error(504, "Gateway Timeout")
        if fault.kind == "429":
            call.status = 429
            call.description = f"Too Many Requests: retry after {fault.retry_after}"
            return _error(429, call.description, retry_after=fault.retry_after)
        if fault.kind == "403":
            call.status, call.description = 403, "Forbidden: bot was blocked by the user"
            return _error(403, call.description)
        if fault.kind == "400":
            call.status, call.description = 400, "Bad Request: chat not found"
            return _error(400, call.description)
        call.status, call.description = fault.status, "Internal Server Error"
        return _error(fault.status, call.description)

    def _over_cap(self, call: Call, now: float) -> web.Response | None:
        checks: list[tuple[Literal["global", "chat"], deque[float], int | None]] = [
            ("global", self._window_all, self.global_per_second)
        ]
        if call.chat_id is not None:
            checks.append(("chat", self._window_chat[call.chat_id], self.chat_per_second))
        for name, window, cap in checks:
            while window and now - window[0] >= 1.0:
                window.popleft()
            if cap is not None and len(window) >= cap:
                retry_after = max(1, math.ceil(window[0] + 1.0 - now))
                call.status, call.cap = 429, name
                call.description = f"Too Many Requests: retry after {retry_after}"
                return _error(429, call.description, retry_after=retry_after)
        for _, window, _ in checks:
            window.append(now)
        return None

    async def _handle(self, request: web.Request) -> web.Response:
        now, wall = time.monotonic(), time.time()
        method = request.match_info["method"].lower()
        params = await self._params(request)
        chat_id = params.get("chat_id")
        call = Call(
            method=method,
            params=params,
            at=now,
            wall=wall,
            chat_id=int(chat_id)
            if isinstance(chat_id, (int, str)) and str(chat_id).lstrip("-").isdigit()
            else None,
        )
        self.calls.append(call)
        if request.match_info["token"] != self.token:
            call.status, call.description = 401, "Unauthorized"
            return _error(401, "Unauthorized")
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            call.status, call.description = 404, "Not Found: method not found"
            return _error(404, call.description)
        if method in SEND_METHODS or method in EDIT_METHODS:
            if call.chat_id is None and "inline_message_id" not in params:
                call.status, call.description = 400, "Bad Request: chat_id is empty"
                return _error(400, call.description)
            if call.chat_id in self._blocked:
                call.status, call.description = 403, "Forbidden: bot was blocked by the user"
                return _error(403, call.description)
            if call.chat_id in self._unknown:
                call.status, call.description = 400, "Bad Request: chat not found"
                return _error(400, call.description)
            fault = self._fault_for(call.chat_id)
            if fault is not None:
                return await self._apply_fault(call, fault)
            capped = self._over_cap(call, now)
            if capped is not None:
                return capped
        response: web.Response = await handler(call, params)
        return response

    # -- methods -------------------------------------------------------------------------------

    def _message_json(self, kept: _Message, **extra: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "message_id": kept.message_id,
            "date": kept.date,
            "chat": {"id": kept.chat_id, "type": "private"},
            "from": {"id": self.bot_id, "is_bot": True, "first_name": "ITA_RENT_BOT"},
        }
        if kept.text is not None:
            body["text"] = kept.text
        if kept.reply_markup:
            body["reply_markup"] = kept.reply_markup
        body.update(extra)
        return body

    def _keep(self, call: Call, text: str | None, reply_markup: Any = None) -> _Message:
        assert call.chat_id is not None
        kept = _Message(call.chat_id, next(self._message_ids[call.chat_id]), text, reply_markup)
        self.messages[(kept.chat_id, kept.message_id)] = kept
        call.message_id = kept.message_id
        return kept

    @staticmethod
    def _photo(file_id: str) -> list[dict[str, Any]]:
        return [
            {
                "file_id": file_id[:64],
                "file_unique_id": str(abs(hash(file_id)))[:16],
                "width": 800,
                "height": 600,
            }
        ]

    async def _m_getme(self, call: Call, params: dict[str, Any]) -> web.Response:
        return _ok(
            {
                "id": self.bot_id,
                "is_bot": True,
                "first_name": "ITA_RENT_BOT",
                "username": self.bot_username,
                "can_join_groups": False,
                "can_read_all_group_messages": False,
                "supports_inline_queries": False,
            }
        )

    async def _m_sendmessage(self, call: Call, params: dict[str, Any]) -> web.Response:
        text = str(params.get("text", ""))
        if not text.strip():
            call.status, call.description = 400, "Bad Request: message text is empty"
            return _error(400, call.description)
        if len(text.encode("utf-16-le")) // 2 > 4096:
            call.status, call.description = 400, "Bad Request: message is too long"
            return _error(400, call.description)
        kept = self._keep(call, text, params.get("reply_markup"))
        return _ok(self._message_json(kept))

    async def _m_sendphoto(self, call: Call, params: dict[str, Any]) -> web.Response:
        if params.get("photo") in self.unreachable_photos:
            call.status = 400
            call.description = "Bad Request: failed to get HTTP URL content"
            return _error(400, call.description)
        caption = params.get("caption")
        if caption is not None and len(str(caption).encode("utf-16-le")) // 2 > 1024:
            call.status, call.description = 400, "Bad Request: message caption is too long"
            return _error(400, call.description)
        kept = self._keep(call, None, params.get("reply_markup"))
        extra: dict[str, Any] = {"photo": self._photo(str(params.get("photo", "")))}
        if caption is not None:
            extra["caption"] = caption
            kept.text = str(caption)
        return _ok(self._message_json(kept, **extra))

    async def _m_sendmediagroup(self, call: Call, params: dict[str, Any]) -> web.Response:
        media = params.get("media")
        if not isinstance(media, list) or not 2 <= len(media) <= 10:
            call.status = 400
            call.description = "Bad Request: wrong number of media in the album"
            return _error(400, call.description)
        if "reply_markup" in params:
            call.status, call.description = 400, "Bad Request: albums can't have buttons"
            return _error(400, call.description)
        group_id = str(int(time.time() * 1000))
        result = []
        for item in media:
            kept = self._keep(call, item.get("caption"))
            extra: dict[str, Any] = {
                "photo": self._photo(str(item.get("media", ""))),
                "media_group_id": group_id,
            }
            if item.get("caption"):
                extra["caption"] = item["caption"]
            result.append(self._message_json(kept, **extra))
        call.message_id = result[0]["message_id"]
        return _ok(result)

    async def _edit(self, call: Call, params: dict[str, Any], *, text: str | None) -> web.Response:
        if "inline_message_id" in params:
            return _ok(True)
        kept = self.messages.get((call.chat_id or 0, int(params.get("message_id", 0))))
        if kept is None:
            call.status, call.description = 400, "Bad Request: message to edit not found"
            return _error(400, call.description)
        markup = params.get("reply_markup")
        if (text is None or text == kept.text) and markup == kept.reply_markup:
            call.status = 400
            call.description = (
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message"
            )
            return _error(400, call.description)
        if text is not None:
            kept.text = text
        kept.reply_markup = markup
        call.message_id = kept.message_id
        return _ok(self._message_json(kept, edit_date=int(time.time())))

    async def _m_editmessagetext(self, call: Call, params: dict[str, Any]) -> web.Response:
        return await self._edit(call, params, text=str(params.get("text", "")))

    async def _m_editmessagereplymarkup(self, call: Call, params: dict[str, Any]) -> web.Response:
        return await self._edit(call, params, text=None)

    async def _m_answercallbackquery(self, call: Call, params: dict[str, Any]) -> web.Response:
        if not params.get("callback_query_id"):
            call.status, call.description = (
                400,
                "Bad Request: query is too old or query ID is invalid",
            )
            return _error(400, call.description)
        return _ok(True)

    async def _m_setwebhook(self, call: Call, params: dict[str, Any]) -> web.Response:
        url = str(params.get("url", ""))
        if not url:
            self.webhook = None
            return _ok(True)
        if not url.startswith("https://"):
            call.status, call.description = (
                400,
                "Bad Request: bad webhook: An HTTPS URL must be provided for webhook",
            )
            return _error(400, call.description)
        self.webhook = params
        return _ok(True)

    async def _m_setmycommands(self, call: Call, params: dict[str, Any]) -> web.Response:
        menu = [
            (str(c.get("command", "")), str(c.get("description", ""))) for c in params["commands"]
        ]
        for command, description in menu:  # Telegram's rules for a command and its description
            if not (re.fullmatch(r"[a-z0-9_]{1,32}", command) and 1 <= len(description) <= 256):
                call.status, call.description = 400, "Bad Request: BOT_COMMAND_INVALID"
                return _error(400, call.description)
        self.commands[str(params.get("language_code") or "")] = menu
        return _ok(True)

    async def _m_deletewebhook(self, call: Call, params: dict[str, Any]) -> web.Response:
        self.webhook = None
        if str(params.get("drop_pending_updates", "")).lower() in ("true", "1"):
            self._updates.clear()
        return _ok(True)

    async def _m_getwebhookinfo(self, call: Call, params: dict[str, Any]) -> web.Response:
        info: dict[str, Any] = {
            "url": (self.webhook or {}).get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        return _ok(info)

    async def _m_getupdates(self, call: Call, params: dict[str, Any]) -> web.Response:
        if self.webhook is not None:
            call.status = 409
            call.description = (
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first"
            )
            return _error(409, call.description)
        offset = int(params.get("offset", 0) or 0)
        limit = max(1, min(100, int(params.get("limit", 100) or 100)))
        timeout = max(0.0, float(params.get("timeout", 0) or 0))
        if offset:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        deadline = time.monotonic() + timeout
        while True:
            ready = [u for u in self._updates if u["update_id"] >= offset][:limit]
            left = deadline - time.monotonic()
            if ready or left <= 0 or self._runner is None:
                return _ok(ready)
            self._new_update.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), timeout=left)


async def _serve_forever(global_per_second: int | None, chat_per_second: int | None) -> None:
    async with FakeTelegramAPI(
        global_per_second=global_per_second, chat_per_second=chat_per_second
    ) as fake:
        print(fake.base_url, flush=True)
        await asyncio.Event().wait()


if __name__ == "__main__":
    # standalone, in a process of its own: prints its base URL, serves until killed
    import argparse

    parser = argparse.ArgumentParser(description="fake Telegram Bot API on 127.0.0.1")
    parser.add_argument("--global-cap", type=int, default=None)
    parser.add_argument("--chat-cap", type=int, default=None)
    options = parser.parse_args()
    asyncio.run(_serve_forever(options.global_cap, options.chat_cap))
