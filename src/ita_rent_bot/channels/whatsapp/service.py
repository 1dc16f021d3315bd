"""The WhatsApp channel: one contract over Twilio (SDK first, HTTP fallback) and Meta Cloud API.

`send` returns an Outcome (never raises for a provider's answer). A template message
(`message.template`) goes out as ContentSid/ContentVariables (Twilio) or a template (Meta); the
first photo goes out as MediaUrl / an image. Each user keeps one sender number.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import ClassVar, Protocol

from prometheus_client import Counter

from ita_rent_bot.channels.base import (
    Channel,
    Outcome,
    OutgoingMessage,
    Recipient,
    RetryLater,
    Sent,
)
from ita_rent_bot.channels.whatsapp.errors import twilio_outcome
from ita_rent_bot.channels.whatsapp.meta_cloud import MetaCloudProvider
from ita_rent_bot.channels.whatsapp.senders import SenderPool
from ita_rent_bot.channels.whatsapp.twilio_common import (
    Accepted,
    PathTimeoutError,
    PathUnavailableError,
    TwilioAnswer,
    TwilioEndpoint,
    TwilioMessage,
    whatsapp_address,
)
from ita_rent_bot.channels.whatsapp.twilio_http import TwilioHttpPath
from ita_rent_bot.channels.whatsapp.twilio_sdk import TwilioSdkPath
from ita_rent_bot.config import Settings
from ita_rent_bot.db import utcnow
from ita_rent_bot.locales.whatsapp import CATALOG
from ita_rent_bot.log import get_logger

log = get_logger(__name__)

SESSION_WINDOW = timedelta(hours=24)
STATUS_CALLBACK_PATH = "/webhooks/twilio/status"

SDK_FALLBACKS = Counter(
    "whatsapp_sdk_fallbacks_total",
    "Twilio sends that went over plain HTTP because the SDK path gave no answer",
    ["reason"],
)
SENDS = Counter(
    "whatsapp_sends_total",
    "WhatsApp sends by provider, path and outcome",
    ["provider", "path", "outcome"],
)


def within_session_window(last_inbound_at: datetime | None, now: datetime | None = None) -> bool:
    """Free text is allowed only within 24 hours of the user's last message to us."""
    if last_inbound_at is None:
        return False
    return (now or utcnow()) - last_inbound_at < SESSION_WINDOW


class WhatsAppProvider(Protocol):
    name: str

    async def send(self, sender: str, to: str, message: OutgoingMessage) -> Outcome: ...

    async def aclose(self) -> None: ...


class TwilioProvider:
    """The SDK path first; the HTTP path only when the SDK gave no answer from Twilio."""

    name = "twilio"

    def __init__(self, endpoint: TwilioEndpoint, *, status_callback: str | None = None) -> None:
        self.sdk = TwilioSdkPath(endpoint)
        self.http = TwilioHttpPath(endpoint)
        self.status_callback = status_callback

    def build(self, sender: str, to: str, message: OutgoingMessage) -> TwilioMessage:
        if message.template is not None:
            return TwilioMessage(
                to=whatsapp_address(to),
                from_=whatsapp_address(sender),
                content_sid=message.template.id,
                content_variables=dict(message.template.variables),
                status_callback=self.status_callback,
            )
        return TwilioMessage(
            to=whatsapp_address(to),
            from_=whatsapp_address(sender),
            body=message.text,
            media_urls=message.photos[:1],
            status_callback=self.status_callback,
        )

    async def send(self, sender: str, to: str, message: OutgoingMessage) -> Outcome:
        request = self.build(sender, to, message)
        path = self.sdk.name
        try:
            try:
                answer: TwilioAnswer = await self.sdk.send(request)
            except PathUnavailableError as exc:
                SDK_FALLBACKS.labels(reason=exc.reason).inc()
                log.warning("twilio sdk path failed; sending over http", reason=str(exc))
                path = self.http.name
                answer = await self.http.send(request)
        except PathTimeoutError as exc:
            return RetryLater(after_seconds=None, reason=f"twilio {path}: {exc}", code="timeout")
        except PathUnavailableError as exc:
            return RetryLater(after_seconds=None, reason=f"twilio unreachable: {exc}")
        if isinstance(answer, Accepted):
            return Sent(provider_message_id=answer.sid, path=path)
        return twilio_outcome(answer.status, answer.code, answer.message, answer.retry_after)

    async def aclose(self) -> None:
        await self.sdk.aclose()
        await self.http.aclose()


class WhatsAppService(Channel):
    name: ClassVar[str] = "whatsapp"
    body_limit: ClassVar[int] = 1600
    caption_limit: ClassVar[int | None] = 1024
    max_media: ClassVar[int] = 1

    def __init__(
        self,
        provider: WhatsAppProvider,
        senders: SenderPool,
        *,
        sandbox_join_code: str | None = None,
    ) -> None:
        self.provider = provider
        self.senders = senders
        self.sandbox_join_code = sandbox_join_code

    @classmethod
    def from_settings(cls, settings: Settings) -> WhatsAppService | None:
        """The configured service, or None when WHATSAPP_ENABLED is off."""
        if not settings.whatsapp_enabled:
            return None
        provider: WhatsAppProvider
        if settings.resolved_whatsapp_provider == "meta":
            provider = MetaCloudProvider.from_settings(settings)
        else:
            callback = (
                settings.public_base_url.rstrip("/") + STATUS_CALLBACK_PATH
                if settings.public_base_url
                else None
            )
            provider = TwilioProvider(
                TwilioEndpoint.from_settings(settings), status_callback=callback
            )
        senders = SenderPool(settings.whatsapp_phone_number_id, settings.whatsapp_sender_mps)
        return cls(provider, senders, sandbox_join_code=settings.whatsapp_sandbox_join_code)

    @property
    def provider_name(self) -> str:
        return self.provider.name

    def sender_for(self, user_id: int) -> str:
        """The sender number this user keeps (stable across processes)."""
        return self.senders.sender_for(user_id)

    def join_instructions(self, language: str, sender: str) -> str:
        """What to tell a sandbox recipient who has not joined (error 63015)."""
        number = sender.removeprefix("whatsapp:")
        if self.sandbox_join_code:
            return CATALOG.text(
                language, "join_with_code", join=self.sandbox_join_code, number=number
            )
        return CATALOG.text(language, "join_without_code", number=number)

    async def send(self, recipient: Recipient, message: OutgoingMessage) -> Outcome:
        sender = self.senders.resolve(recipient)
        await self.senders.acquire(sender)
        outcome = await self.provider.send(sender, recipient.address, message)
        path = outcome.path if isinstance(outcome, Sent) and outcome.path else "-"
        SENDS.labels(provider=self.provider.name, path=path, outcome=type(outcome).__name__).inc()
        if not isinstance(outcome, Sent):
            log.debug(
                "whatsapp send not accepted",
                user_id=recipient.user_id,
                outcome=type(outcome).__name__,
                code=outcome.code,
                reason=outcome.reason[:200],
            )
        return outcome

    async def aclose(self) -> None:
        await self.provider.aclose()
