"""Twilio through the real SDK and httpx against our fake Twilio: answers, errors, fallback."""

from __future__ import annotations

import json
import sys

import pytest
from prometheus_client import REGISTRY

from fakes.twilio_fake import ACCOUNT_SID, AUTH_TOKEN, FakeReply, FakeTwilio
from ita_rent_bot.channels.base import (
    NeedsTemplate,
    OutgoingMessage,
    PermanentFailure,
    Recipient,
    RecipientGone,
    RetryLater,
    Sent,
)
from ita_rent_bot.channels.whatsapp import errors
from ita_rent_bot.channels.whatsapp.errors import problem_for
from ita_rent_bot.channels.whatsapp.service import WhatsAppService
from ita_rent_bot.config import Settings
from ita_rent_bot.notifications.render.whatsapp import render_template_message

from .conftest import PUBLIC_BASE_URL, SENDER, TEMPLATE_SID, USER_NUMBER, twilio_settings

TO = Recipient(user_id=7, address=USER_NUMBER)
HELLO = OutgoingMessage(text="Ciao *mondo*")


def _fallbacks(reason: str) -> float:
    return REGISTRY.get_sample_value("whatsapp_sdk_fallbacks_total", {"reason": reason}) or 0.0


async def test_text_goes_through_the_sdk_with_twilios_fields(
    service: WhatsAppService, twilio_fake: FakeTwilio
) -> None:
    outcome = await service.send(TO, HELLO)

    assert isinstance(outcome, Sent)
    assert outcome.path == "sdk"
    [request] = twilio_fake.received
    assert outcome.provider_message_id == request.sid
    assert request.client == "sdk"
    assert request.auth == (ACCOUNT_SID, AUTH_TOKEN)
    assert request.form["To"] == f"whatsapp:{USER_NUMBER}"
    assert request.form["From"] == SENDER
    assert request.form["Body"] == "Ciao *mondo*"
    assert request.form["StatusCallback"] == f"{PUBLIC_BASE_URL}/webhooks/twilio/status"
    assert "MediaUrl" not in request.form


async def test_the_first_photo_goes_as_media_url(
    service: WhatsAppService, twilio_fake: FakeTwilio
) -> None:
    photos = ("https://img.example.com/1.jpg", "https://img.example.com/2.jpg")
    outcome = await service.send(TO, OutgoingMessage(text="Casa", photos=photos))

    assert isinstance(outcome, Sent)
    [request] = twilio_fake.received
    assert request.form.getall("MediaUrl") == ["https://img.example.com/1.jpg"]
    assert request.form["Body"] == "Casa"


async def test_429_is_retried_later_with_retry_after_then_succeeds(
    service: WhatsAppService, twilio_fake: FakeTwilio
) -> None:
    twilio_fake.script = [FakeReply(429, 20429, "Too Many Requests", retry_after=7)]

    first = await service.send(TO, HELLO)
    second = await service.send(TO, HELLO)

    assert first == RetryLater(after_seconds=7.0, reason=first.reason, code="20429")
    assert isinstance(second, Sent)
    assert second.path == "sdk"
    assert [r.client for r in twilio_fake.received] == ["sdk", "sdk"]


async def test_63016_asks_for_the_template_which_then_goes_out_as_content_sid(
    service: WhatsAppService, twilio_fake: FakeTwilio, wa_settings: Settings
) -> None:
    twilio_fake.script = [FakeReply(400, 63016, "Outside the allowed window")]

    outcome = await service.send(TO, HELLO)
    assert isinstance(outcome, NeedsTemplate)
    assert outcome.code == "63016"

    template = render_template_message("it", 3, "Roma centro", wa_settings)
    sent = await service.send(TO, template)

    assert isinstance(sent, Sent)
    request = twilio_fake.received[-1]
    assert request.form["ContentSid"] == TEMPLATE_SID
    assert json.loads(request.form["ContentVariables"]) == {"1": "3", "2": "Roma centro"}
    assert "Body" not in request.form


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        (21211, "invalid_number"),
        (21614, "invalid_number"),
        (21610, "opted_out"),
        (63015, "needs_join"),
    ],
)
async def test_a_gone_recipient_is_final_and_never_retried_over_http(
    service: WhatsAppService, twilio_fake: FakeTwilio, code: int, problem: str
) -> None:
    twilio_fake.script = [FakeReply(400, code, "refused")]

    outcome = await service.send(TO, HELLO)

    assert isinstance(outcome, RecipientGone)
    assert outcome.code == str(code)
    assert problem_for(outcome) == problem
    assert [r.client for r in twilio_fake.received] == ["sdk"]


async def test_500_is_retried_later_not_sent_twice(
    service: WhatsAppService, twilio_fake: FakeTwilio
) -> None:
    twilio_fake.script = [FakeReply(500, 20500, "Internal Server Error")]

    outcome = await service.send(TO, HELLO)

    assert isinstance(outcome, RetryLater)
    assert outcome.code == "20500"
    assert outcome.after_seconds is None
    assert len(twilio_fake.received) == 1


async def test_a_timeout_is_retried_later_and_not_resent_over_http(
    sqlite_url: str, twilio_fake: FakeTwilio
) -> None:
    settings = twilio_settings(sqlite_url, twilio_fake.messages_url, whatsapp_timeout_seconds=0.3)
    service = WhatsAppService.from_settings(settings)
    assert service is not None
    twilio_fake.script = [FakeReply(hang=True)]
    try:
        outcome = await service.send(TO, HELLO)
    finally:
        await service.aclose()

    assert isinstance(outcome, RetryLater)
    assert outcome.code == "timeout"
    assert [r.client for r in twilio_fake.received] == ["sdk"]


async def test_sdk_connection_failure_falls_back_to_http_and_is_counted(
    service: WhatsAppService, twilio_fake: FakeTwilio
) -> None:
    before = _fallbacks("connection")
    twilio_fake.script = [FakeReply(drop=True, only="sdk")]

    outcome = await service.send(TO, OutgoingMessage(text="Casa", photos=("https://i.ex/1.jpg",)))

    assert isinstance(outcome, Sent)
    assert outcome.path == "http"
    sdk_try, http_send = twilio_fake.received
    assert (sdk_try.client, http_send.client) == ("sdk", "http")
    assert outcome.provider_message_id == http_send.sid
    assert sorted(http_send.form.items()) == sorted(sdk_try.form.items())
    assert http_send.auth == (ACCOUNT_SID, AUTH_TOKEN)
    assert _fallbacks("connection") == before + 1


async def test_sdk_import_failure_falls_back_to_http(
    service: WhatsAppService, twilio_fake: FakeTwilio, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "twilio.rest", None)
    before = _fallbacks("import")

    outcome = await service.send(TO, HELLO)

    assert isinstance(outcome, Sent)
    assert outcome.path == "http"
    assert [r.client for r in twilio_fake.received] == ["http"]
    assert _fallbacks("import") == before + 1


async def test_http_path_errors_map_the_same_way(
    service: WhatsAppService, twilio_fake: FakeTwilio
) -> None:
    twilio_fake.script = [
        FakeReply(drop=True, only="sdk"),
        FakeReply(429, 20429, "Too Many Requests", retry_after=3, only="http"),
    ]

    outcome = await service.send(TO, HELLO)

    assert outcome == RetryLater(after_seconds=3.0, reason=outcome.reason, code="20429")
    assert [r.client for r in twilio_fake.received] == ["sdk", "http"]


async def test_bad_credentials_are_an_operator_alarm_logged_once(
    sqlite_url: str,
    twilio_fake: FakeTwilio,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(errors, "_alarmed", set())
    settings = twilio_settings(
        sqlite_url, twilio_fake.messages_url, whatsapp_api_token="not-the-right-token"
    )
    service = WhatsAppService.from_settings(settings)
    assert service is not None
    labels = {"provider": "twilio", "code": "20003"}
    before = REGISTRY.get_sample_value("whatsapp_operator_alarms_total", labels) or 0.0
    try:
        first = await service.send(TO, HELLO)
        second = await service.send(Recipient(user_id=8, address="+393339999999"), HELLO)
    finally:
        await service.aclose()

    for outcome in (first, second):
        assert isinstance(outcome, PermanentFailure)
        assert outcome.code == "20003"
    assert REGISTRY.get_sample_value("whatsapp_operator_alarms_total", labels) == before + 2
    captured = capsys.readouterr()
    logged = captured.out + captured.err
    assert logged.count("whatsapp operator alarm") == 1
    assert "not-the-right-token" not in logged


async def test_the_sdk_and_http_paths_use_the_configured_host(
    sqlite_url: str, twilio_fake: FakeTwilio
) -> None:
    # the client's own form of WHATSAPP_API_URL: the full Messages.json URL
    settings = twilio_settings(sqlite_url, twilio_fake.messages_url, public_base_url=None)
    service = WhatsAppService.from_settings(settings)
    assert service is not None
    twilio_fake.script = [FakeReply(drop=True, only="sdk")]
    try:
        outcome = await service.send(TO, HELLO)
    finally:
        await service.aclose()

    assert isinstance(outcome, Sent)
    assert [r.client for r in twilio_fake.received] == ["sdk", "http"]
    assert all(r.account_sid == ACCOUNT_SID for r in twilio_fake.received)
    assert "StatusCallback" not in twilio_fake.received[-1].form


def test_whatsapp_off_means_no_service(settings: Settings) -> None:
    assert WhatsAppService.from_settings(settings) is None
