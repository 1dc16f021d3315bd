"""A fake of Meta's WhatsApp Cloud API (`POST /{version}/{phone-number-id}/messages`) on loopback.

It records each JSON body with the phone number id and bearer token, and answers from a script
of (HTTP status, Graph error code) pairs, else accepts with a fresh `wamid.` id.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

TOKEN = "fake-meta-token-0123456789abcdef"


@dataclass(frozen=True)
class MetaReceived:
    phone_number_id: str
    token: str | None
    body: dict[str, Any]


@dataclass
class FakeMeta:
    token: str = TOKEN
    script: list[tuple[int, int]] = field(default_factory=list)
    received: list[MetaReceived] = field(default_factory=list)
    port: int = 0
    _runner: web.AppRunner | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v21.0"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/v21.0/{phone}/messages", self._messages)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _messages(self, request: web.Request) -> web.Response:
        header = request.headers.get("Authorization", "")
        token = header.removeprefix("Bearer ") if header.startswith("Bearer ") else None
        body = await request.json()
        self.received.append(MetaReceived(request.match_info["phone"], token, body))
        if token != self.token:
            return _error(401, 190, "Invalid OAuth access token")
        if self.script:
            status, code = self.script.pop(0)
            return _error(status, code, f"error {code}")
        return web.json_response(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": body.get("to"), "wa_id": body.get("to")}],
                "messages": [{"id": f"wamid.{uuid.uuid4().hex}"}],
            }
        )


def _error(status: int, code: int, message: str) -> web.Response:
    error = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "Afake"}
    return web.json_response({"error": error}, status=status)
