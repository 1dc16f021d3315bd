"""Contract: Prism serving Twilio's own OpenAPI spec accepts what both Twilio paths send."""

from __future__ import annotations

import pytest

from fakes.twilio_fake import ACCOUNT_SID
from ita_rent_bot.channels.base import OutgoingMessage, Recipient, Sent
from ita_rent_bot.channels.whatsapp.service import TwilioProvider, WhatsAppService
from ita_rent_bot.channels.whatsapp.twilio_common import (
    Accepted,
    Refused,
    TwilioEndpoint,
    TwilioMessage,
)
from ita_rent_bot.channels.whatsapp.twilio_http import TwilioHttpPath
from ita_rent_bot.channels.whatsapp.twilio_sdk import TwilioSdkPath
from ita_rent_bot.config import Settings
from ita_rent_bot.notifications.render.whatsapp import render_template_message

from .conftest import SENDER, USER_NUMBER, twilio_settings

pytestmark = pytest.mark.prism

PRISM_SID = "SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"  # the spec's example answer
TEXT = OutgoingMessage(text="🏠 *Nuovi annunci!*\n\n📊 Trovati: 3 annunci")
WITH_PHOTO = OutgoingMessage(text="Casa", photos=("https://img.example.com/1.jpg",))


def _settings(sqlite_url: str, prism_url: str) -> Settings:
    return twilio_settings(
        sqlite_url,
        f"{prism_url}/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json",
        whatsapp_timeout_seconds=15.0,
    )


def _message(kind: str, settings: Settings) -> OutgoingMessage:
    if kind == "template":
        template = render_template_message("ru", 3, "Рим, центр", settings)
        assert template.template is not None
        return template
    return {"text": TEXT, "media": WITH_PHOTO}[kind]


@pytest.mark.parametrize("path_class", [TwilioSdkPath, TwilioHttpPath], ids=["sdk", "http"])
@pytest.mark.parametrize("kind", ["text", "media", "template"])
async def test_prism_accepts_each_path_and_answers_its_sid(
    prism_url: str, sqlite_url: str, path_class: type[TwilioSdkPath | TwilioHttpPath], kind: str
) -> None:
    settings = _settings(sqlite_url, prism_url)
    endpoint = TwilioEndpoint.from_settings(settings)
    assert endpoint.base_url == prism_url
    provider = TwilioProvider(endpoint, status_callback="https://bot.example.com/webhooks/x")
    request = provider.build(SENDER, USER_NUMBER, _message(kind, settings))
    path = path_class(endpoint)
    try:
        answer = await path.send(request)
    finally:
        await path.aclose()
        await provider.aclose()

    assert answer == Accepted(sid=PRISM_SID)


async def test_the_service_sends_through_prism_on_the_sdk_path(
    prism_url: str, sqlite_url: str
) -> None:
    service = WhatsAppService.from_settings(_settings(sqlite_url, prism_url))
    assert service is not None
    try:
        outcome = await service.send(Recipient(user_id=1, address=USER_NUMBER), WITH_PHOTO)
    finally:
        await service.aclose()

    assert outcome == Sent(provider_message_id=PRISM_SID, path="sdk")


@pytest.mark.parametrize("path_class", [TwilioSdkPath, TwilioHttpPath], ids=["sdk", "http"])
async def test_prism_refuses_what_breaks_the_contract(
    prism_url: str, sqlite_url: str, path_class: type[TwilioSdkPath | TwilioHttpPath]
) -> None:
    """The check is real: a malformed ContentSid is refused, so the accepted sends were checked."""
    settings = _settings(sqlite_url, prism_url)
    endpoint = TwilioEndpoint.from_settings(settings)
    broken = TwilioMessage(to=f"whatsapp:{USER_NUMBER}", from_=SENDER, content_sid="HX-bad")
    path = path_class(endpoint)
    try:
        answer = await path.send(broken)
    finally:
        await path.aclose()

    assert isinstance(answer, Refused)
    assert answer.status == 422
