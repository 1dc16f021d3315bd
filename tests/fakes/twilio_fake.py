"""A fake Twilio Messages API on 127.0.0.1 for the answers Prism cannot give: errors and silence.

It records every request (which client sent it, its basic auth, its form fields) and answers
from a script: each `FakeReply` is used once, in order, by the first request it applies to
(`only="sdk"` or `only="http"` picks the client by its User-Agent); with the script empty it
accepts the message like Twilio (201, a fresh `SM...` sid). A wrong Account SID or auth token
gets Twilio's 401 / 20003.
"""

from __future__ import annotations

import asyncio
import base64
import uuid
from dataclasses import dataclass, field
from typing import Literal

from aiohttp import web
from multidict import MultiDict

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "fake-twilio-auth-token-0123456789"

Client = Literal["sdk", "http"]


@dataclass(frozen=True)
class FakeReply:
    status: int = 201
    code: int | None = None
    message: str = ""
    retry_after: int | None = None
    hang: bool = False  # never answer: the client times out
    drop: bool = False  # close the connection without an answer
    only: Client | None = None


@dataclass(frozen=True)
class Received:
    client: Client
    account_sid: str
    auth: tuple[str, str] | None
    form: MultiDict[str]
    sid: str | None  # the sid we answered with, if accepted


@dataclass
class FakeTwilio:
    account_sid: str = ACCOUNT_SID
    auth_token: str = AUTH_TOKEN
    script: list[FakeReply] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    port: int = 0
    _runner: web.AppRunner | None = None
    _release: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def messages_url(self) -> str:
        return f"{self.base_url}/2010-04-01/Accounts/{self.account_sid}/Messages.json"

    def accepted(self) -> list[Received]:
        return [r for r in self.received if r.sid is not None]

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/2010-04-01/Accounts/{sid}/Messages.json", self._create)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def close(self) -> None:
        self._release.set()
        if self._runner is not None:
            await self._runner.cleanup()

    def _next(self, client: Client) -> FakeReply | None:
        for i, reply in enumerate(self.script):
            if reply.only in (None, client):
                return self.script.pop(i)
        return None

    async def _create(self, request: web.Request) -> web.StreamResponse:
        agent = request.headers.get("User-Agent", "")
        client: Client = "sdk" if agent.startswith("twilio-python") else "http"
        auth = _basic_auth(request.headers.get("Authorization"))
        form = MultiDict((await request.post()).items())
        sid_in_path = request.match_info["sid"]
        reply = self._next(client)
        if reply is not None and reply.drop:
            self.received.append(Received(client, sid_in_path, auth, form, None))
            assert request.transport is not None
            request.transport.close()
            return web.Response(status=499)  # never reaches the client
        if reply is not None and reply.hang:
            self.received.append(Received(client, sid_in_path, auth, form, None))
            await self._release.wait()
            return web.Response(status=504)
        if auth != (self.account_sid, self.auth_token) or sid_in_path != self.account_sid:
            reply = FakeReply(401, 20003, "Authenticate")
        if reply is not None and reply.status >= 300:
            self.received.append(Received(client, sid_in_path, auth, form, None))
            headers = {"Retry-After": str(reply.retry_after)} if reply.retry_after else {}
            body = {
                "code": reply.code,
                "message": reply.message or f"error {reply.code}",
                "more_info": f"https://www.twilio.com/docs/errors/{reply.code}",
                "status": reply.status,
            }
            return web.json_response(body, status=reply.status, headers=headers)
        sid = "SM" + uuid.uuid4().hex
        self.received.append(Received(client, sid_in_path, auth, form, sid))
        return web.json_response(
            {
                "sid": sid,
                "account_sid": self.account_sid,
                "to": form.get("To"),
                "from": form.get("From"),
                "body": form.get("Body"),
                "status": "queued",
                "num_media": str(len(form.getall("MediaUrl", []))),
            },
            status=201,
        )


def _basic_auth(header: str | None) -> tuple[str, str] | None:
    if not header or not header.startswith("Basic "):
        return None
    user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    return user, password
