"""The Channel contract: a channel states its limits and sends one rendered message.

`send` never raises for a provider's answer: it returns a typed Outcome the engine acts on
(record, retry after N seconds, fail for good, or turn the channel off for that user).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import ClassVar


@dataclass(frozen=True, slots=True)
class Button:
    text: str
    url: str | None = None
    callback_data: str | None = None


@dataclass(frozen=True, slots=True)
class Template:
    """A provider-approved template (Twilio ContentSid / Meta template name) and its variables."""

    id: str
    variables: dict[str, str] = field(default_factory=dict)
    language: str = "en"


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    text: str
    photos: tuple[str, ...] = ()
    buttons: tuple[Button, ...] = ()
    template: Template | None = None


@dataclass(frozen=True, slots=True)
class Recipient:
    user_id: int
    address: str  # Telegram chat id, or an E.164 number
    sender: str | None = None  # which of several sender numbers, where a channel has several


@dataclass(frozen=True, slots=True)
class Sent:
    provider_message_id: str | None
    path: str | None = None  # how it went out, e.g. "sdk" or "http" for Twilio


@dataclass(frozen=True, slots=True)
class RetryLater:
    after_seconds: float | None  # None: the engine's own backoff decides
    reason: str
    code: str | None = None


@dataclass(frozen=True, slots=True)
class PermanentFailure:
    """This message cannot be sent; the channel stays on for the user."""

    reason: str
    code: str | None = None


@dataclass(frozen=True, slots=True)
class RecipientGone:
    """The user blocked us, opted out, or the address is invalid: turn the channel off."""

    reason: str
    code: str | None = None


@dataclass(frozen=True, slots=True)
class NeedsTemplate:
    """Outside the 24-hour window: only an approved template may be sent now."""

    reason: str
    code: str | None = None


Outcome = Sent | RetryLater | PermanentFailure | RecipientGone | NeedsTemplate


class Channel(ABC):
    name: ClassVar[str]
    body_limit: ClassVar[int]
    caption_limit: ClassVar[int | None] = None
    max_media: ClassVar[int] = 1
    supports_buttons: ClassVar[bool] = False

    @abstractmethod
    async def send(self, recipient: Recipient, message: OutgoingMessage) -> Outcome:
        """Send one message; a provider's answer becomes an Outcome, never an exception."""

    async def aclose(self) -> None:  # noqa: B027 - optional hook, most channels hold nothing
        """Release connections."""
