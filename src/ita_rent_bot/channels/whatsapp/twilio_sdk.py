"""Twilio through the official SDK's async client (`messages.create_async`), the first choice.

The SDK is imported and its client built on first use, so a broken install surfaces as
`PathUnavailableError("import")` and the HTTP path takes over. The api domain's `base_url` comes
from WHATSAPP_API_URL, so the SDK and the HTTP path always talk to the same host.
"""

from __future__ import annotations

import asyncio
import base64
from contextvars import ContextVar
from typing import Any

from ita_rent_bot.channels.whatsapp.twilio_common import (
    TWILIO_BASE_URL,
    Accepted,
    PathTimeoutError,
    PathUnavailableError,
    Refused,
    TwilioAnswer,
    TwilioEndpoint,
    TwilioMessage,
    parse_retry_after,
)

# The SDK's exception drops the response headers; the HTTP client records Retry-After here for
# the task that is sending (a ContextVar, so concurrent sends never see each other's).
_last_retry_after: ContextVar[str | None] = ContextVar("twilio_last_retry_after", default=None)


def _basic_auth_header(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")


def _build_client(endpoint: TwilioEndpoint) -> tuple[Any, Any]:
    """(twilio Client, its async HTTP client); raises ImportError when the SDK is unusable."""
    from twilio.http.async_http_client import AsyncTwilioHttpClient
    from twilio.rest import Client

    class _HttpClient(AsyncTwilioHttpClient):  # type: ignore[misc]
        """Always a timeout (aiohttp reads None as "wait forever"), Retry-After kept, and basic
        auth as a header (aiohttp 3.14 deprecates the BasicAuth object the SDK would build)."""

        async def request(self, method: str, url: str, **kwargs: Any) -> Any:
            if kwargs.get("timeout") is None:
                kwargs["timeout"] = self.timeout
            auth = kwargs.pop("auth", None)
            if auth is not None:
                headers = dict(kwargs.get("headers") or {})
                headers["Authorization"] = _basic_auth_header(*auth)
                kwargs["headers"] = headers
            response = await super().request(method, url, **kwargs)
            _last_retry_after.set(response.headers.get("Retry-After"))
            return response

    http_client = _HttpClient(timeout=endpoint.timeout_seconds)
    client = Client(
        username=endpoint.account_sid,
        password=endpoint.auth_token,
        account_sid=endpoint.account_sid,
        http_client=http_client,
    )
    if endpoint.base_url != TWILIO_BASE_URL:
        client.api.base_url = endpoint.base_url
        client.edge = client.region = None  # TWILIO_EDGE/REGION would rewrite the host
    return client, http_client


class TwilioSdkPath:
    name = "sdk"

    def __init__(self, endpoint: TwilioEndpoint) -> None:
        self.endpoint = endpoint
        self._client: Any = None
        self._http_client: Any = None

    def _ensure_client(self) -> Any:
        if self._client is None:
            try:
                self._client, self._http_client = _build_client(self.endpoint)
            except ImportError as exc:
                raise PathUnavailableError("import", f"twilio SDK unavailable ({exc})") from exc
            except Exception as exc:
                raise PathUnavailableError("client", f"{type(exc).__name__}: {exc}") from exc
        return self._client

    async def send(self, message: TwilioMessage) -> TwilioAnswer:
        client = self._ensure_client()
        from aiohttp import ClientConnectionError
        from twilio.base.exceptions import TwilioRestException, TwilioServiceException

        _last_retry_after.set(None)
        try:
            async with asyncio.timeout(self.endpoint.timeout_seconds + 1):
                created = await client.messages.create_async(**_sdk_arguments(message))
        except (TwilioRestException, TwilioServiceException) as exc:
            code = getattr(exc, "code", None)
            return Refused(
                status=int(exc.status),
                code=int(code) if isinstance(code, int) else None,
                message=str(getattr(exc, "msg", None) or getattr(exc, "detail", None) or "")
                .removeprefix("Unable to create record")
                .lstrip(": "),
                retry_after=parse_retry_after(_last_retry_after.get()),
            )
        except TimeoutError as exc:  # asyncio's, and aiohttp's ServerTimeoutError too
            raise PathTimeoutError(f"no answer in {self.endpoint.timeout_seconds}s") from exc
        except ClientConnectionError as exc:
            raise PathUnavailableError("connection", type(exc).__name__) from exc
        except Exception as exc:
            raise PathUnavailableError("unexpected", f"{type(exc).__name__}: {exc}") from exc
        sid = getattr(created, "sid", None)
        if not sid:
            raise PathUnavailableError("unexpected", "answer without a message sid")
        return Accepted(sid=str(sid))

    async def aclose(self) -> None:
        if self._http_client is not None:
            await self._http_client.close()
            self._http_client = None
            self._client = None


def _sdk_arguments(message: TwilioMessage) -> dict[str, Any]:
    """The same fields as `TwilioMessage.form`, in the SDK's keyword names."""
    arguments: dict[str, Any] = {"to": message.to, "from_": message.from_}
    if message.content_sid:
        arguments["content_sid"] = message.content_sid
        variables = message.content_variables_json()
        if variables:
            arguments["content_variables"] = variables
    else:
        if message.body is not None:
            arguments["body"] = message.body
        if message.media_urls:
            arguments["media_url"] = list(message.media_urls)
    if message.status_callback:
        arguments["status_callback"] = message.status_callback
    return arguments
