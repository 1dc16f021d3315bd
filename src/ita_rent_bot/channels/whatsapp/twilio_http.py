"""Twilio over plain HTTP: a form POST to Messages.json with basic auth (the SDK's fallback)."""

from __future__ import annotations

import httpx

from ita_rent_bot.channels.whatsapp.twilio_common import (
    Accepted,
    PathTimeoutError,
    PathUnavailableError,
    Refused,
    TwilioAnswer,
    TwilioEndpoint,
    TwilioMessage,
    parse_error_body,
    parse_retry_after,
)


class TwilioHttpPath:
    name = "http"

    def __init__(self, endpoint: TwilioEndpoint) -> None:
        self.endpoint = endpoint
        self._client = httpx.AsyncClient(
            auth=(endpoint.account_sid, endpoint.auth_token),
            timeout=endpoint.timeout_seconds,
            headers={"Accept": "application/json", "User-Agent": "ita-rent-bot-http"},
        )

    async def send(self, message: TwilioMessage) -> TwilioAnswer:
        try:
            response = await self._client.post(self.endpoint.messages_url, data=_form(message))
        except httpx.TimeoutException as exc:
            raise PathTimeoutError(f"no answer in {self.endpoint.timeout_seconds}s") from exc
        except httpx.HTTPError as exc:
            raise PathUnavailableError("connection", type(exc).__name__) from exc
        if 200 <= response.status_code < 300:
            try:
                sid = response.json()["sid"]
            except (ValueError, KeyError, TypeError) as exc:
                raise PathUnavailableError("unexpected", "answer without a message sid") from exc
            return Accepted(sid=str(sid))
        code, text = parse_error_body(response.text)
        return Refused(
            status=response.status_code,
            code=code,
            message=text,
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
        )

    async def aclose(self) -> None:
        await self._client.aclose()


def _form(message: TwilioMessage) -> dict[str, str | list[str]]:
    """httpx repeats a key whose value is a list: MediaUrl=a&MediaUrl=b."""
    data: dict[str, str | list[str]] = {}
    for key, value in message.form():
        current = data.get(key)
        if current is None:
            data[key] = value
        elif isinstance(current, list):
            current.append(value)
        else:
            data[key] = [current, value]
    return data
