"""/whatsapp: the client's endpoints, against our fake Twilio (and Prism) on 127.0.0.1."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from fakes.prism import running_prism
from fakes.twilio_fake import ACCOUNT_SID, AUTH_TOKEN, FakeReply, FakeTwilio
from ita_rent_bot.api.limits import MemoryBuckets, RateLimiter, RateLimits
from ita_rent_bot.config import Settings

from .conftest import ADMIN, Api, api_settings, bearer, running

SENDER = "whatsapp:+14155238886"
NUMBER = "+393331234567"


def whatsapp_settings(database_url: str, api_url: str) -> Settings:
    return api_settings(
        database_url,
        whatsapp_enabled=True,
        whatsapp_provider="twilio",
        whatsapp_api_url=api_url,
        whatsapp_api_token=AUTH_TOKEN,
        whatsapp_business_account_id=ACCOUNT_SID,
        whatsapp_phone_number_id=[SENDER],
        whatsapp_sender_mps=1000.0,
        whatsapp_timeout_seconds=2.0,
    )


@pytest.fixture
async def twilio() -> AsyncIterator[FakeTwilio]:
    fake = FakeTwilio()
    await fake.start()
    yield fake
    await fake.close()


@pytest.fixture
async def wa(sqlite_engine: AsyncEngine, sqlite_url: str, twilio: FakeTwilio) -> AsyncIterator[Api]:
    async with running(whatsapp_settings(sqlite_url, twilio.messages_url)) as started:
        yield started


def last_code(fake: FakeTwilio) -> str:
    match = re.search(r"\b(\d{6})\b", fake.accepted()[-1].form["Body"])
    assert match is not None
    return match.group(1)


async def linked(wa: Api, twilio: FakeTwilio, **fields: Any) -> str:
    """A user who linked NUMBER through the API; returns their token."""
    _, token = await wa.user(telegram_chat_id=fields.pop("telegram_chat_id", 1), **fields)
    started = await wa.client.post(
        "/api/v1/whatsapp/link", headers=bearer(token), json={"number": NUMBER}
    )
    assert started.status_code == 200, started.text
    verified = await wa.client.post(
        "/api/v1/whatsapp/verify", headers=bearer(token), json={"code": last_code(twilio)}
    )
    assert verified.status_code == 200, verified.text
    return token


async def test_link_then_verify_turns_whatsapp_on(wa: Api, twilio: FakeTwilio) -> None:
    _, token = await wa.user(telegram_chat_id=1, language="en")
    before = (await wa.client.get("/api/v1/whatsapp/status", headers=bearer(token))).json()
    assert before["available"] is True
    assert before["linked"] is False

    started = await wa.client.post(
        "/api/v1/whatsapp/link", headers=bearer(token), json={"number": "+39 333 123-4567"}
    )
    assert started.status_code == 200
    assert started.json()["number"] == NUMBER
    [sent] = twilio.accepted()
    assert sent.form["To"] == f"whatsapp:{NUMBER}"
    pending = (await wa.client.get("/api/v1/whatsapp/status", headers=bearer(token))).json()
    assert pending["linked"] is False  # only the code coming back links it

    code = last_code(twilio)
    wrong = "000000" if code != "000000" else "111111"
    refused = await wa.client.post(
        "/api/v1/whatsapp/verify", headers=bearer(token), json={"code": wrong}
    )
    assert refused.status_code == 422
    assert refused.json()["error"] == {
        "code": "wrong_code",
        "message": "Wrong code. Attempts left: 4.",
        "field": "code",
    }
    again = await wa.client.post(
        "/api/v1/whatsapp/verify", headers=bearer(token), json={"code": wrong}
    )
    assert again.json()["error"]["message"] == "Wrong code. Attempts left: 3."  # it was counted

    verified = await wa.client.post(
        "/api/v1/whatsapp/verify", headers=bearer(token), json={"code": code}
    )
    assert verified.status_code == 200
    status = verified.json()
    assert status["linked"] is True
    assert status["enabled"] is True
    assert status["number"] == NUMBER
    assert AUTH_TOKEN not in verified.text


async def test_toggle_unlink_and_their_refusals(wa: Api, twilio: FakeTwilio) -> None:
    token = await linked(wa, twilio)
    auth = bearer(token)
    off = await wa.client.post("/api/v1/whatsapp/toggle", headers=auth, json={"enabled": False})
    assert off.status_code == 200
    assert off.json()["enabled"] is False
    flipped = await wa.client.post("/api/v1/whatsapp/toggle", headers=auth)
    assert flipped.json()["enabled"] is True
    flipped = await wa.client.post("/api/v1/whatsapp/toggle", headers=auth)
    assert flipped.json()["enabled"] is False
    unknown = await wa.client.post("/api/v1/whatsapp/toggle", headers=auth, json={"on": True})
    assert unknown.status_code == 422

    unlinked = await wa.client.delete("/api/v1/whatsapp/unlink", headers=auth)
    assert unlinked.status_code == 200
    assert unlinked.json()["linked"] is False
    assert unlinked.json()["number"] is None
    refused = await wa.client.post("/api/v1/whatsapp/toggle", headers=auth, json={"enabled": True})
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "not_verified"
    no_test = await wa.client.post("/api/v1/whatsapp/test", headers=auth)
    assert no_test.status_code == 409


async def test_test_message_answers_the_provider_id_and_path(wa: Api, twilio: FakeTwilio) -> None:
    token = await linked(wa, twilio)
    response = await wa.client.post("/api/v1/whatsapp/test", headers=bearer(token))
    assert response.status_code == 200, response.text
    body = response.json()
    sent = twilio.accepted()[-1]
    assert body == {"provider": "twilio", "path": "sdk", "provider_message_id": sent.sid}
    assert "Тестовое сообщение" in sent.form["Body"]  # in the user's language (ru)


async def test_test_message_falls_back_to_plain_http(wa: Api, twilio: FakeTwilio) -> None:
    token = await linked(wa, twilio)
    twilio.script.append(FakeReply(drop=True, only="sdk"))
    response = await wa.client.post("/api/v1/whatsapp/test", headers=bearer(token))
    assert response.status_code == 200, response.text
    assert response.json()["path"] == "http"


@pytest.mark.parametrize(
    ("reply", "status", "code"),
    [
        (FakeReply(400, 63016, "outside the allowed window"), 409, "needs_inbound"),
        (FakeReply(400, 21610, "unsubscribed recipient"), 409, "opted_out"),
        (FakeReply(429, 20429, "too many requests", retry_after=7), 503, "provider_busy"),
    ],
)
async def test_test_message_refusals(
    wa: Api, twilio: FakeTwilio, reply: FakeReply, status: int, code: str
) -> None:
    token = await linked(wa, twilio)
    twilio.script.extend([reply, reply])  # whichever path is tried
    response = await wa.client.post("/api/v1/whatsapp/test", headers=bearer(token))
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code
    if status == 503:
        assert int(response.headers["Retry-After"]) >= 1
    if code == "opted_out":
        after = (await wa.client.get("/api/v1/whatsapp/status", headers=bearer(token))).json()
        assert after["problem"] == "opted_out"
        assert after["enabled"] is False


async def test_link_refusals(wa: Api, twilio: FakeTwilio) -> None:
    # each refusal on its own here; the strict limit on /link has its own test
    wa.app.state.rate_limiter = RateLimiter(MemoryBuckets(), RateLimits(sensitive={}))
    await linked(wa, twilio, telegram_chat_id=9)  # NUMBER belongs to someone else now
    _, token = await wa.user(telegram_chat_id=2, language="en")
    cases = [
        ({"number": "12345"}, 422, "invalid_number", "number"),
        ({"number": "+39 06 1234 5678"}, 422, "not_mobile", "number"),
        ({"number": NUMBER}, 409, "number_taken", None),
        ({"phone": NUMBER}, 422, "invalid", "number"),  # number: required; phone: unknown
    ]
    for body, status, code, field in cases:
        response = await wa.client.post("/api/v1/whatsapp/link", headers=bearer(token), json=body)
        assert response.status_code == status, (body, response.text)
        error = response.json()["error"]
        assert (error["code"], error.get("field")) == (code, field), body
    first = await wa.client.post(
        "/api/v1/whatsapp/link", headers=bearer(token), json={"number": "+393339998877"}
    )
    assert first.status_code == 200
    too_soon = await wa.client.post(
        "/api/v1/whatsapp/link", headers=bearer(token), json={"number": "+393339998877"}
    )
    assert too_soon.status_code == 429
    assert too_soon.json()["error"]["code"] == "too_soon"
    assert int(too_soon.headers["Retry-After"]) >= 1


async def test_link_is_strictly_rate_limited(wa: Api, twilio: FakeTwilio) -> None:
    _, token = await wa.user(telegram_chat_id=1)
    statuses = []
    for n in range(4):
        response = await wa.client.post(
            "/api/v1/whatsapp/link", headers=bearer(token), json={"number": f"+39333000000{n}"}
        )
        statuses.append(response.status_code)
    assert statuses[-1] == 429
    assert "Retry-After" in response.headers
    assert len(twilio.received) <= 3  # the refused request sent nothing


async def test_settings_are_for_operators_and_never_show_a_secret(wa: Api) -> None:
    _, token = await wa.user(telegram_chat_id=1)
    assert (
        await wa.client.get("/api/v1/whatsapp/settings", headers=bearer(token))
    ).status_code in (
        401,
        403,
    )
    response = await wa.client.get("/api/v1/whatsapp/settings", headers=ADMIN)
    assert response.status_code == 200
    body = response.json()
    assert body["enabled"] is True
    assert body["provider"] == "twilio"
    assert AUTH_TOKEN not in response.text
    assert ACCOUNT_SID not in response.text
    assert "+14155238886" not in response.text


async def test_without_whatsapp_configured(api: Api) -> None:
    _, token = await api.user(telegram_chat_id=1, language="en")
    status = (await api.client.get("/api/v1/whatsapp/status", headers=bearer(token))).json()
    assert status["available"] is False
    for path, body in (
        ("/api/v1/whatsapp/link", {"number": NUMBER}),
        ("/api/v1/whatsapp/test", None),
    ):
        response = await api.client.post(path, headers=bearer(token), json=body)
        assert response.status_code == 503, path
        assert response.json()["error"]["code"] == "unavailable"
    settings = (await api.client.get("/api/v1/whatsapp/settings", headers=ADMIN)).json()
    assert settings["enabled"] is False


@pytest.mark.prism
async def test_the_test_message_passes_twilios_own_contract(
    sqlite_engine: AsyncEngine, sqlite_url: str, twilio: FakeTwilio
) -> None:
    """Link through our fake, then send the test message to Prism serving Twilio's spec."""
    async with running(whatsapp_settings(sqlite_url, twilio.messages_url)) as wa:
        token = await linked(wa, twilio)
    with running_prism() as prism_url:
        prism_messages = f"{prism_url}/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
        async with running(whatsapp_settings(sqlite_url, prism_messages)) as wa:
            response = await wa.client.post("/api/v1/whatsapp/test", headers=bearer(token))
    assert response.status_code == 200, response.text
    assert response.json()["provider_message_id"]
