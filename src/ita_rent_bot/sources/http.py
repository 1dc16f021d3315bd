"""The polite fetcher every source shares: one request per host at a time, spaced with jitter.

Timeouts, connection errors and 5xx are retried with exponential backoff (bounded); 403/429
and anti-bot challenge pages are not retried but raised as SourceBlockedError; proxies from
PROXY_URLS are used in turn. Errors name the host and the problem, never a proxy's credentials.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from types import TracebackType
from urllib.parse import urlsplit

import httpx

from ita_rent_bot.config import Settings
from ita_rent_bot.log import get_logger, redact
from ita_rent_bot.sources.base import (
    PageRequest,
    SourceBlockedError,
    SourceFailingError,
    looks_like_challenge,
)

log = get_logger(__name__)

BROWSER_USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
BROWSER_HEADERS = {
    "User-Agent": BROWSER_USER_AGENT,
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,application/json;q=0.8,"
    "*/*;q=0.7",
    "Accept-Language": "it-IT,it;q=0.9,en;q=0.6",
}
MAX_RETRY_DELAY_SECONDS = 30.0
JITTER = (1.0, 1.3)
BLOCKED_STATUSES = frozenset({403, 429})


@dataclass(frozen=True, slots=True)
class FetchResponse:
    status: int
    content: bytes
    url: str


def challenge_reason(status: int, headers: httpx.Headers, body: bytes) -> str | None:
    """Why an answer is a refusal rather than a page (None when it looks like a real page)."""
    if looks_like_challenge(body):
        return "DataDome challenge page"
    if status in BLOCKED_STATUSES:
        if b"errors.edgesuite.net" in body or "akamai" in headers.get("server", "").lower():
            return f"Akamai refused the request (HTTP {status})"
        if "x-datadome" in headers or "datadome" in headers.get("server", "").lower():
            return f"DataDome refused the request (HTTP {status})"
        return f"HTTP {status}"
    return None


class PoliteFetcher:
    """Shared by every source for the life of a process (or a CLI command); close it after."""

    def __init__(
        self,
        settings: Settings,
        *,
        retries: int = 3,
        retry_base_seconds: float = 2.0,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._sleep = sleep
        self.min_interval = settings.crawl_min_host_interval_seconds
        self.retries = retries
        self.retry_base_seconds = retry_base_seconds
        timeout = httpx.Timeout(settings.crawl_timeout_seconds)
        proxies: list[str | None] = list(settings.proxy_urls) or [None]
        self._clients = [
            httpx.AsyncClient(
                headers=BROWSER_HEADERS,
                timeout=timeout,
                follow_redirects=True,
                proxy=proxy,
                transport=transport,
                trust_env=False,
            )
            for proxy in proxies
        ]
        self._rotation = itertools.cycle(range(len(self._clients)))
        self._next_slot: dict[str, float] = {}
        self._host_locks: dict[str, asyncio.Lock] = {}
        self.requests_sent = 0

    async def __aenter__(self) -> PoliteFetcher:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        for client in self._clients:
            await client.aclose()

    async def _wait_turn(self, host: str) -> None:
        """Space request starts to one host by the minimum interval, times a random jitter."""
        lock = self._host_locks.setdefault(host, asyncio.Lock())
        async with lock:
            delay = self._next_slot.get(host, 0.0) - time.monotonic()
            if delay > 0:
                await self._sleep(delay)
            self._next_slot[host] = time.monotonic() + self.min_interval * random.uniform(*JITTER)

    async def fetch(self, request: PageRequest) -> FetchResponse:
        """The page's bytes; else SourceBlockedError (not retried) or SourceFailingError."""
        host = urlsplit(request.url).netloc
        problem = ""
        status_code: int | None = None
        for attempt in range(self.retries + 1):
            if attempt:
                delay = min(MAX_RETRY_DELAY_SECONDS, self.retry_base_seconds * 2 ** (attempt - 1))
                await self._sleep(delay * random.uniform(0.75, 1.25))
            await self._wait_turn(host)
            client = self._clients[next(self._rotation)]
            try:
                self.requests_sent += 1
                response = await client.request(
                    request.method,
                    request.url,
                    params=list(request.params) or None,
                    data=dict(request.form) if request.form else None,
                    headers=dict(request.headers) if request.headers else None,
                )
            except httpx.TimeoutException:
                problem, status_code = "timed out", None
            except httpx.TransportError as exc:
                problem, status_code = f"connection failed ({type(exc).__name__})", None
            else:
                body = response.content
                reason = challenge_reason(response.status_code, response.headers, body)
                if reason is not None:
                    raise SourceBlockedError(f"{host}: {reason}", status_code=response.status_code)
                if response.status_code < 400:
                    return FetchResponse(response.status_code, body, str(response.url))
                status_code = response.status_code
                problem = f"HTTP {status_code}"
                if status_code < 500:
                    raise SourceFailingError(f"{host}: {problem}", status_code=status_code)
            log.info("fetch retry", host=host, problem=problem, attempt=attempt + 1)
        raise SourceFailingError(
            redact(f"{host}: {problem} after {self.retries + 1} attempts"), status_code=status_code
        )
