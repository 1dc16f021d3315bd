"""What both Twilio paths share: where to send, the message form, and what came back.

A path returns Twilio's answer (`Accepted` or `Refused`: final), or raises
`PathUnavailableError` (no answer from Twilio: the other path may try) or `PathTimeoutError`
(the request may have arrived: the engine retries later; never re-sent at once elsewhere).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ita_rent_bot.config import Settings

TWILIO_BASE_URL = "https://api.twilio.com"
API_VERSION_PREFIX = "/2010-04-01/"
WHATSAPP_PREFIX = "whatsapp:"


@dataclass(frozen=True, slots=True)
class TwilioEndpoint:
    """`base_url` is the SDK api domain's base; `messages_url` is where the HTTP path posts."""

    account_sid: str
    auth_token: str
    base_url: str
    messages_url: str
    timeout_seconds: float

    @classmethod
    def from_settings(cls, settings: Settings) -> TwilioEndpoint:
        sid = settings.twilio_account_sid
        token = settings.whatsapp_api_token
        if not sid or token is None:
            raise ValueError("Twilio needs an Account SID and an auth token")
        base_url = TWILIO_BASE_URL
        configured = settings.whatsapp_api_url
        if configured:
            parts = urlsplit(configured)
            prefix = parts.path.split(API_VERSION_PREFIX, 1)[0].rstrip("/")
            base_url = f"{parts.scheme}://{parts.netloc}{prefix}"
        messages_url = f"{base_url}/2010-04-01/Accounts/{sid}/Messages.json"
        return cls(
            account_sid=sid,
            auth_token=token.get_secret_value(),
            base_url=base_url,
            messages_url=messages_url,
            timeout_seconds=settings.whatsapp_timeout_seconds,
        )


def whatsapp_address(number: str) -> str:
    """`whatsapp:+39...` from an E.164 number or an address that already has the prefix."""
    return number if number.startswith(WHATSAPP_PREFIX) else WHATSAPP_PREFIX + number


@dataclass(frozen=True, slots=True)
class TwilioMessage:
    """One Messages.json request: free text (Body, MediaUrl) or a template (ContentSid)."""

    to: str
    from_: str
    body: str | None = None
    media_urls: tuple[str, ...] = ()
    content_sid: str | None = None
    content_variables: dict[str, str] = field(default_factory=dict)
    status_callback: str | None = None

    def content_variables_json(self) -> str | None:
        if not self.content_variables:
            return None
        return json.dumps(self.content_variables, ensure_ascii=False, separators=(",", ":"))

    def form(self) -> list[tuple[str, str]]:
        """The form fields in Twilio's names; MediaUrl repeats once per media item."""
        fields = [("To", self.to), ("From", self.from_)]
        if self.content_sid:
            fields.append(("ContentSid", self.content_sid))
            variables = self.content_variables_json()
            if variables:
                fields.append(("ContentVariables", variables))
        else:
            if self.body is not None:
                fields.append(("Body", self.body))
            fields.extend(("MediaUrl", url) for url in self.media_urls)
        if self.status_callback:
            fields.append(("StatusCallback", self.status_callback))
        return fields


@dataclass(frozen=True, slots=True)
class Accepted:
    sid: str


@dataclass(frozen=True, slots=True)
class Refused:
    """Twilio answered with an error: its HTTP status, its error code, and Retry-After if any."""

    status: int
    code: int | None
    message: str
    retry_after: float | None = None


TwilioAnswer = Accepted | Refused


class PathUnavailableError(Exception):
    """No answer from Twilio on this path (import, client or connection error, a surprise)."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class PathTimeoutError(Exception):
    """Twilio did not answer in time; the message may or may not have been accepted."""


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After in seconds (the HTTP-date form is rare at Twilio and treated as absent)."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if seconds >= 0 else None


def parse_error_body(text: str) -> tuple[int | None, str]:
    """Twilio's error JSON (`code`, `message`), tolerating a body that is not JSON."""
    try:
        payload = json.loads(text)
    except ValueError:
        return None, text[:200]
    if not isinstance(payload, dict):
        return None, text[:200]
    code = payload.get("code")
    message = payload.get("message") or payload.get("detail") or payload.get("title") or ""
    return (int(code) if isinstance(code, int | str) and str(code).isdigit() else None), str(
        message
    )
