"""Meta's Cloud API through httpx against our fake: payloads, ids, and error codes."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from fakes.meta_fake import TOKEN, FakeMeta
from ita_rent_bot.channels.base import (
    Button,
    NeedsTemplate,
    OutgoingMessage,
    PermanentFailure,
    Recipient,
    RecipientGone,
    RetryLater,
    Sent,
    Template,
)
from ita_rent_bot.channels.whatsapp import errors
from ita_rent_bot.channels.whatsapp.service import WhatsAppService

from .conftest import USER_NUMBER, meta_settings

TO = Recipient(user_id=3, address=USER_NUMBER)


@pytest.fixture
async def meta_service(sqlite_url: str, meta_fake: FakeMeta) -> AsyncIterator[WhatsAppService]:
    service = WhatsAppService.from_settings(meta_settings(sqlite_url, meta_fake.base_url))
    assert service is not None
    yield service
    await service.aclose()


async def test_text_goes_to_the_phone_number_id_with_the_bearer_token(
    meta_service: WhatsAppService, meta_fake: FakeMeta
) -> None:
    outcome = await meta_service.send(TO, OutgoingMessage(text="Ciao"))

    assert isinstance(outcome, Sent)
    assert outcome.path == "meta"
    assert outcome.provider_message_id is not None
    assert outcome.provider_message_id.startswith("wamid.")
    [request] = meta_fake.received
    assert request.phone_number_id == "106540352242922"
    assert request.token == TOKEN
    assert request.body == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "393331234567",
        "type": "text",
        "text": {"body": "Ciao", "preview_url": True},
    }


async def test_photo_template_and_buttons_payloads(
    meta_service: WhatsAppService, meta_fake: FakeMeta
) -> None:
    await meta_service.send(TO, OutgoingMessage(text="Casa", photos=("https://i.ex/1.jpg",)))
    await meta_service.send(
        TO,
        OutgoingMessage(
            text="3 nuovi annunci",
            template=Template("new_listings", {"2": "Roma", "1": "3"}, language="it"),
        ),
    )
    buttons = tuple(Button(f"Option number {i} is long", callback_data=f"b{i}") for i in range(5))
    await meta_service.send(TO, OutgoingMessage(text="Scegli", buttons=buttons))

    image, template, interactive = (r.body for r in meta_fake.received)
    assert image["type"] == "image"
    assert image["image"] == {"link": "https://i.ex/1.jpg", "caption": "Casa"}
    assert template["template"] == {
        "name": "new_listings",
        "language": {"code": "it"},
        "components": [
            {
                "type": "body",
                "parameters": [{"type": "text", "text": "3"}, {"type": "text", "text": "Roma"}],
            }
        ],
    }
    action = interactive["interactive"]["action"]["buttons"]
    assert len(action) == 3
    assert action[0] == {"type": "reply", "reply": {"id": "b0", "title": "Option number 0 is l"}}
    assert interactive["interactive"]["body"] == {"text": "Scegli"}


@pytest.mark.parametrize(
    ("status", "code", "kind"),
    [
        (400, 131047, NeedsTemplate),
        (429, 130429, RetryLater),
        (400, 131056, RetryLater),
        (500, 1, RetryLater),
        (400, 131026, RecipientGone),
        (400, 100, PermanentFailure),
    ],
)
async def test_meta_error_codes_become_outcomes(
    meta_service: WhatsAppService, meta_fake: FakeMeta, status: int, code: int, kind: type
) -> None:
    meta_fake.script = [(status, code)]
    outcome = await meta_service.send(TO, OutgoingMessage(text="x"))
    assert isinstance(outcome, kind)
    assert outcome.code == str(code)


async def test_an_expired_token_is_an_operator_alarm(
    sqlite_url: str, meta_fake: FakeMeta, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(errors, "_alarmed", set())
    settings = meta_settings(sqlite_url, meta_fake.base_url, whatsapp_api_token="expired-token")
    service = WhatsAppService.from_settings(settings)
    assert service is not None
    try:
        outcome = await service.send(TO, OutgoingMessage(text="x"))
    finally:
        await service.aclose()

    assert isinstance(outcome, PermanentFailure)
    assert outcome.code == "190"
    assert errors._alarmed == {("meta", 190)}


async def test_an_unreachable_api_is_retried_later(sqlite_url: str) -> None:
    settings = meta_settings(sqlite_url, "http://127.0.0.1:9/v21.0")
    service = WhatsAppService.from_settings(settings)
    assert service is not None
    try:
        outcome = await service.send(TO, OutgoingMessage(text="x"))
    finally:
        await service.aclose()
    assert isinstance(outcome, RetryLater)
