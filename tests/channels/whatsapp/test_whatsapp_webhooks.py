"""Provider webhooks through the real app (lifespan and all), signed the way the providers sign."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import urlencode

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.datastructures import ImmutableMultiDict
from twilio.request_validator import RequestValidator

from fakes.twilio_fake import AUTH_TOKEN, FakeTwilio
from ita_rent_bot.api.webhooks import meta_signature_valid, twilio_signature_valid
from ita_rent_bot.config import Settings
from ita_rent_bot.db import utcnow
from ita_rent_bot.listings.models import Listing
from ita_rent_bot.main import create_app
from ita_rent_bot.notifications.models import CANCELLED, PENDING, SENT, Delivery
from ita_rent_bot.users.models import User

from .conftest import PUBLIC_BASE_URL, USER_NUMBER, twilio_settings

APP_SECRET = "meta-app-secret-for-tests"
VERIFY_TOKEN = "meta-verify-token-for-tests"
SID = "SM" + "1" * 32


def test_twilios_published_test_vector() -> None:
    params = ImmutableMultiDict(
        {
            "CallSid": "CA1234567890ABCDE",
            "Caller": "+12349013030",
            "Digits": "1234",
            "From": "+12349013030",
            "To": "+18005551212",
        }
    )
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    signature = "0/KCTR6DLpKmkAf8muzZqo1nDgQ="

    assert twilio_signature_valid("12345", url, params, signature)
    tampered = ImmutableMultiDict({**params, "Digits": "1235"})
    assert not twilio_signature_valid("12345", url, tampered, signature)
    assert not twilio_signature_valid("12345", url.replace("bar=2", "bar=3"), params, signature)
    assert not twilio_signature_valid("12345", url, params, None)
    assert not twilio_signature_valid("54321", url, params, signature)


def test_metas_signature_is_hmac_sha256_of_the_raw_body() -> None:
    body = b'{"object":"whatsapp_business_account"}'
    good = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()

    assert meta_signature_valid("s3cret", body, good)
    assert not meta_signature_valid("s3cret", body + b" ", good)
    assert not meta_signature_valid("other", body, good)
    assert not meta_signature_valid("s3cret", body, good.removeprefix("sha256="))
    assert not meta_signature_valid("s3cret", body, None)


@dataclass
class Hooks:
    client: httpx.AsyncClient
    sessions: async_sessionmaker[AsyncSession]
    twilio: FakeTwilio
    settings: Settings

    async def twilio_post(
        self, path: str, params: dict[str, str], *, sign_url: str | None = None, **kw: str
    ) -> httpx.Response:
        url = sign_url or PUBLIC_BASE_URL + path
        signature = RequestValidator(AUTH_TOKEN).compute_signature(url, params)
        headers = {"X-Twilio-Signature": kw.get("signature", signature)}
        if kw.get("no_signature"):
            headers = {}
        body = kw.get("body", urlencode(params))
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        return await self.client.post(path, content=body, headers=headers)

    async def meta_post(self, payload: object, *, secret: str = APP_SECRET) -> httpx.Response:
        body = json.dumps(payload).encode()
        signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        return await self.client.post(
            "/webhooks/whatsapp/meta",
            content=body,
            headers={"X-Hub-Signature-256": signature, "Content-Type": "application/json"},
        )


@pytest.fixture
async def hooks(
    database_url: str, engine: AsyncEngine, twilio_fake: FakeTwilio
) -> AsyncIterator[Hooks]:
    settings: Settings = twilio_settings(
        database_url,
        twilio_fake.messages_url,
        whatsapp_app_secret=APP_SECRET,
        whatsapp_verify_token=VERIFY_TOKEN,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield Hooks(client, app.state.app_state.session_factory, twilio_fake, settings)


async def _seed(hooks: Hooks, *, statuses: tuple[str, ...] = (SENT,)) -> tuple[int, list[int]]:
    async with hooks.sessions() as session:
        user = User(
            telegram_chat_id=1,
            language="ru",
            whatsapp_number=USER_NUMBER,
            whatsapp_enabled=True,
            whatsapp_verified_at=utcnow(),
        )
        session.add(user)
        await session.flush()
        ids = []
        for i, status in enumerate(statuses):
            listing = Listing(source="s", source_id=str(i), url=f"https://x.it/{i}")
            session.add(listing)
            await session.flush()
            delivery = Delivery(
                user_id=user.id,
                listing_id=listing.id,
                channel="whatsapp",
                status=status,
                provider_message_id=SID if status == SENT else None,
            )
            session.add(delivery)
            await session.flush()
            ids.append(delivery.id)
        await session.commit()
        return user.id, ids


async def _delivery(hooks: Hooks, delivery_id: int) -> Delivery:
    async with hooks.sessions() as session:
        delivery = await session.get(Delivery, delivery_id)
        assert delivery is not None
        return delivery


async def _user(hooks: Hooks, user_id: int) -> User:
    async with hooks.sessions() as session:
        user = await session.get(User, user_id)
        assert user is not None
        return user


def _status(status: str, **extra: str) -> dict[str, str]:
    return {"MessageSid": SID, "MessageStatus": status, "AccountSid": "AC1", **extra}


async def test_status_callbacks_never_move_a_delivery_backwards(hooks: Hooks) -> None:
    _, [delivery_id] = await _seed(hooks)
    path = "/webhooks/twilio/status"
    seen = []
    for status in ("sent", "delivered", "delivered", "sent", "queued", "read", "failed"):
        response = await hooks.twilio_post(path, _status(status, SomethingNew="x"))
        assert response.status_code == 200
        seen.append((await _delivery(hooks, delivery_id)).status)

    assert seen == ["sent", "delivered", "delivered", "delivered", "delivered", "read", "read"]
    assert response.headers["content-type"].startswith("text/xml")


async def test_a_failed_status_records_its_error_code_and_the_users_problem(hooks: Hooks) -> None:
    user_id, [delivery_id] = await _seed(hooks)

    response = await hooks.twilio_post(
        "/webhooks/twilio/status", _status("undelivered", ErrorCode="63015")
    )

    assert response.status_code == 200
    delivery = await _delivery(hooks, delivery_id)
    assert (delivery.status, delivery.error_code) == ("undelivered", "63015")
    user = await _user(hooks, user_id)
    assert (user.whatsapp_problem, user.whatsapp_enabled) == ("needs_join", False)


@pytest.mark.parametrize("case", ["bad", "missing", "wrong_url", "tampered"])
async def test_an_unsigned_or_badly_signed_callback_is_refused_and_changes_nothing(
    hooks: Hooks, case: str
) -> None:
    _, [delivery_id] = await _seed(hooks)
    params = _status("delivered")
    path = "/webhooks/twilio/status"
    if case == "bad":
        response = await hooks.twilio_post(path, params, signature="AAAA")
    elif case == "missing":
        response = await hooks.twilio_post(path, params, no_signature="1")
    elif case == "wrong_url":
        response = await hooks.twilio_post(path, params, sign_url="https://evil.example.com" + path)
    else:
        response = await hooks.twilio_post(
            path, params, body=urlencode({**params, "MessageStatus": "read"})
        )

    assert response.status_code == 403
    assert (await _delivery(hooks, delivery_id)).status == SENT


async def test_inbound_opens_the_window_and_answers_empty_twiml(hooks: Hooks) -> None:
    user_id, _ = await _seed(hooks)
    params = {"From": f"whatsapp:{USER_NUMBER}", "To": "whatsapp:+14155238886", "Body": "ciao"}

    response = await hooks.twilio_post("/webhooks/twilio/inbound", params)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/xml")
    assert "<Response/>" in response.text
    assert (await _user(hooks, user_id)).whatsapp_last_inbound_at is not None
    assert hooks.twilio.received == []  # nothing to answer


@pytest.mark.parametrize("word", ["STOP", "стоп", "Отписаться", "basta", "annulla!"])
async def test_stop_opts_out_cancels_pending_and_confirms(hooks: Hooks, word: str) -> None:
    user_id, [pending_id] = await _seed(hooks, statuses=(PENDING,))
    params = {"From": f"whatsapp:{USER_NUMBER}", "To": "whatsapp:+14155238886", "Body": word}

    response = await hooks.twilio_post("/webhooks/twilio/inbound", params)

    assert response.status_code == 200
    user = await _user(hooks, user_id)
    assert user.whatsapp_opted_out_at is not None
    assert user.whatsapp_enabled is False
    assert (await _delivery(hooks, pending_id)).status == CANCELLED
    [reply] = hooks.twilio.accepted()
    assert reply.form["To"] == f"whatsapp:{USER_NUMBER}"
    assert "Вы отписались" in reply.form["Body"]  # in the user's language


@pytest.mark.parametrize("word", ["START", "старт", "avvia", "Ricomincia"])
async def test_start_opts_back_in(hooks: Hooks, word: str) -> None:
    user_id, _ = await _seed(hooks)
    async with hooks.sessions() as session:
        user = await session.get(User, user_id)
        assert user is not None
        user.whatsapp_opted_out_at, user.whatsapp_enabled = utcnow(), False
        await session.commit()
    params = {"From": f"whatsapp:{USER_NUMBER}", "To": "whatsapp:+14155238886", "Body": word}

    await hooks.twilio_post("/webhooks/twilio/inbound", params)

    user = await _user(hooks, user_id)
    assert (user.whatsapp_opted_out_at, user.whatsapp_enabled) == (None, True)
    assert "снова включены" in hooks.twilio.accepted()[-1].form["Body"]


@pytest.mark.parametrize(("word", "text"), [("HELP", "ITA_RENT_BOT"), ("aiuto", "AVVIA")])
async def test_help_answers_with_help_even_to_strangers(hooks: Hooks, word: str, text: str) -> None:
    params = {"From": "whatsapp:+393330000000", "To": "whatsapp:+14155238886", "Body": word}

    response = await hooks.twilio_post("/webhooks/twilio/inbound", params)

    assert response.status_code == 200
    [reply] = hooks.twilio.accepted()
    assert text in reply.form["Body"]
    assert reply.form["From"] == "whatsapp:+14155238886"


async def test_a_code_sent_on_whatsapp_completes_linking(hooks: Hooks) -> None:
    from ita_rent_bot.channels.whatsapp import linking
    from ita_rent_bot.channels.whatsapp.service import WhatsAppService

    async with hooks.sessions() as session:
        user = User(telegram_chat_id=3, language="it")
        session.add(user)
        await session.flush()
        service = WhatsAppService.from_settings(hooks.settings)
        assert service is not None
        try:
            await linking.start_link(session, user=user, raw_number=USER_NUMBER, service=service)
        finally:
            await service.aclose()
        await session.commit()
        user_id = user.id
    match = re.search(r"\b\d{6}\b", hooks.twilio.accepted()[-1].form["Body"])
    assert match is not None
    code = match.group(0)
    params = {"From": f"whatsapp:{USER_NUMBER}", "To": "whatsapp:+14155238886", "Body": code}

    response = await hooks.twilio_post("/webhooks/twilio/inbound", params)

    assert response.status_code == 200
    user = await _user(hooks, user_id)
    assert (user.whatsapp_number, user.whatsapp_enabled) == (USER_NUMBER, True)
    assert "WhatsApp collegato" in hooks.twilio.accepted()[-1].form["Body"]


async def test_an_unsigned_inbound_message_is_refused(hooks: Hooks) -> None:
    user_id, _ = await _seed(hooks)
    params = {"From": f"whatsapp:{USER_NUMBER}", "Body": "STOP"}

    response = await hooks.twilio_post("/webhooks/twilio/inbound", params, signature="x")

    assert response.status_code == 403
    assert (await _user(hooks, user_id)).whatsapp_opted_out_at is None


async def test_meta_handshake(hooks: Hooks) -> None:
    query = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "42"}
    ok = await hooks.client.get("/webhooks/whatsapp/meta", params=query)
    wrong = await hooks.client.get(
        "/webhooks/whatsapp/meta", params={**query, "hub.verify_token": "nope"}
    )
    missing = await hooks.client.get("/webhooks/whatsapp/meta")

    assert (ok.status_code, ok.text) == (200, "42")
    assert wrong.status_code == 403
    assert missing.status_code == 403


def _meta_event(value: dict[str, object]) -> dict[str, object]:
    value = {"messaging_product": "whatsapp", "metadata": {"phone_number_id": "1065"}, **value}
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "WABA", "changes": [{"field": "messages", "value": value}]}],
    }


async def test_meta_events_update_statuses_and_read_messages(hooks: Hooks) -> None:
    user_id, [delivery_id] = await _seed(hooks)
    statuses = [{"id": SID, "status": "delivered", "recipient_id": "393331234567"}]
    messages = [{"from": "393331234567", "id": "wamid.x", "type": "text", "text": {"body": "hi"}}]

    response = await hooks.meta_post(_meta_event({"statuses": statuses, "messages": messages}))

    assert response.status_code == 200
    assert (await _delivery(hooks, delivery_id)).status == "delivered"
    assert (await _user(hooks, user_id)).whatsapp_last_inbound_at is not None


async def test_meta_events_with_a_bad_signature_are_refused(hooks: Hooks) -> None:
    _, [delivery_id] = await _seed(hooks)
    event = _meta_event({"statuses": [{"id": SID, "status": "read"}]})

    response = await hooks.meta_post(event, secret="not-the-secret")
    unsigned = await hooks.client.post("/webhooks/whatsapp/meta", json=event)

    assert (response.status_code, unsigned.status_code) == (403, 403)
    assert (await _delivery(hooks, delivery_id)).status == SENT


async def test_a_signed_meta_body_that_is_not_json_is_a_400(hooks: Hooks) -> None:
    body = b"not json"
    signature = "sha256=" + hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
    response = await hooks.client.post(
        "/webhooks/whatsapp/meta", content=body, headers={"X-Hub-Signature-256": signature}
    )
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "body is not JSON"  # the API's error shape


async def test_meta_failed_status_records_the_code(hooks: Hooks) -> None:
    _, [delivery_id] = await _seed(hooks)
    failed = {"id": SID, "status": "failed", "errors": [{"code": 131047, "title": "Re-engage"}]}

    await hooks.meta_post(_meta_event({"statuses": [failed]}))

    delivery = await _delivery(hooks, delivery_id)
    assert (delivery.status, delivery.error_code) == ("failed", "131047")


async def test_unknown_message_ids_and_statuses_are_accepted(hooks: Hooks) -> None:
    response = await hooks.twilio_post(
        "/webhooks/twilio/status", {"MessageSid": "SMunknown", "MessageStatus": "receiving"}
    )
    assert response.status_code == 200
    async with hooks.sessions() as session:
        assert (await session.scalars(select(Delivery))).all() == []
