"""WhatsApp test set-up: settings pointed at our fakes on 127.0.0.1, the service, Prism."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from fakes.meta_fake import TOKEN as META_TOKEN
from fakes.meta_fake import FakeMeta
from fakes.prism import running_prism
from fakes.twilio_fake import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio
from ita_rent_bot.channels.whatsapp.service import WhatsAppService
from ita_rent_bot.config import Settings

SENDER = "whatsapp:+14155238886"
PUBLIC_BASE_URL = "https://bot.example.com"
TEMPLATE_SID = "HX" + "0123456789abcdef" * 2
USER_NUMBER = "+393331234567"


def twilio_settings(database_url: str, api_url: str, **overrides: Any) -> Settings:
    """WhatsApp on, Twilio at `api_url` (a fake or Prism), fast enough for tests."""
    values: dict[str, Any] = {
        "database_url": database_url,
        "whatsapp_enabled": True,
        "whatsapp_provider": "twilio",
        "whatsapp_api_url": api_url,
        "whatsapp_api_token": AUTH_TOKEN,
        "whatsapp_business_account_id": ACCOUNT_SID,
        "whatsapp_phone_number_id": [SENDER],
        "whatsapp_sender_mps": 1000.0,
        "whatsapp_timeout_seconds": 2.0,
        "whatsapp_template_sid": TEMPLATE_SID,
        "public_base_url": PUBLIC_BASE_URL,
        "embedded_workers": False,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


def meta_settings(database_url: str, api_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "whatsapp_enabled": True,
        "whatsapp_provider": "meta",
        "whatsapp_api_url": api_url,
        "whatsapp_api_token": META_TOKEN,
        "whatsapp_phone_number_id": ["106540352242922"],
        "whatsapp_sender_mps": 1000.0,
        "whatsapp_template_name": "new_listings",
        "embedded_workers": False,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


@pytest.fixture
async def twilio_fake() -> AsyncIterator[FakeTwilio]:
    fake = FakeTwilio()
    await fake.start()
    yield fake
    await fake.close()


@pytest.fixture
async def meta_fake() -> AsyncIterator[FakeMeta]:
    fake = FakeMeta()
    await fake.start()
    yield fake
    await fake.close()


@pytest.fixture
def wa_settings(sqlite_url: str, twilio_fake: FakeTwilio) -> Settings:
    return twilio_settings(sqlite_url, twilio_fake.messages_url)


@pytest.fixture
async def service(wa_settings: Settings) -> AsyncIterator[WhatsAppService]:
    built = WhatsAppService.from_settings(wa_settings)
    assert built is not None
    yield built
    await built.aclose()


@pytest.fixture(scope="session")
def prism_url() -> Iterator[str]:
    """One Prism for the whole session (it takes about ten seconds to start)."""
    with running_prism() as url:
        yield url
