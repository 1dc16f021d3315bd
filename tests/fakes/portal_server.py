"""A fake portal on 127.0.0.1 (port 0): serves saved pages and injects the failures portals show.

Routes answer by method, path and (optionally) the exact query or form; one-off replies queued
with `fail_next` are used first, so "a 503 then the page" is two lines in a test. Every request
is recorded for assertions (how many were made, which pages, which headers).
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html"
    delay: float = 0.0
    headers: tuple[tuple[str, str], ...] = ()


def page(body: bytes, *, content_type: str = "text/html") -> Reply:
    return Reply(body=body, content_type=content_type)


def json_page(body: bytes) -> Reply:
    return Reply(body=body, content_type="application/json")


def server_error(status: int = 503) -> Reply:
    return Reply(status=status, body=b"<html><body>Service Unavailable</body></html>")


def hang(seconds: float) -> Reply:
    """An answer slower than the client's timeout."""
    return Reply(delay=seconds, body=b"too late")


def datadome_challenge() -> Reply:
    """DataDome's answer to a bot: 403 and a captcha page (our own sample of its shape)."""
    return Reply(
        status=403,
        body=(SAMPLES / "datadome_challenge.html").read_bytes(),
        headers=(("X-DataDome", "protected"), ("X-DD-B", "1")),
    )


@dataclass(frozen=True)
class SeenRequest:
    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    headers: dict[str, str]


@dataclass
class _Route:
    match: dict[str, str] | None
    reply: Reply


@dataclass
class PortalServer:
    routes: dict[tuple[str, str], list[_Route]] = field(default_factory=dict)
    queued: dict[tuple[str, str], deque[Reply]] = field(default_factory=dict)
    requests: list[SeenRequest] = field(default_factory=list)
    base_url: str = ""
    _runner: web.AppRunner | None = None

    def serve(
        self, path: str, reply: Reply, *, method: str = "GET", match: dict[str, str] | None = None
    ) -> None:
        """Answer `method path` with `reply`; with `match`, only when the query/form equals it."""
        self.routes.setdefault((method, path), []).insert(0, _Route(match, reply))

    def fail_next(self, path: str, *replies: Reply, method: str = "GET") -> None:
        """Answer the next requests to `path` with these replies, in order, before its route."""
        self.queued.setdefault((method, path), deque()).extend(replies)

    def requests_to(self, path: str) -> list[SeenRequest]:
        return [r for r in self.requests if r.path == path]

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        form = {k: str(v) for k, v in (await request.post()).items()}
        seen = SeenRequest(
            method=request.method,
            path=request.path,
            query=dict(request.query),
            form=form,
            headers=dict(request.headers),
        )
        self.requests.append(seen)
        key = (request.method, request.path)
        queue = self.queued.get(key)
        if queue:
            reply = queue.popleft()
        else:
            params = seen.form if request.method == "POST" else seen.query
            candidates = [
                r.reply for r in self.routes.get(key, []) if r.match is None or r.match == params
            ]
            if not candidates:
                return web.Response(status=404, text="no such page on the fake portal")
            reply = candidates[0]
        if reply.delay:
            await asyncio.sleep(reply.delay)
        return web.Response(
            status=reply.status,
            body=reply.body,
            content_type=reply.content_type,
            headers=dict(reply.headers),
        )

    async def start(self) -> str:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}"
        return self.base_url

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
