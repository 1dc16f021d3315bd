"""Linking a number end to end: the code really goes out (fake Twilio) and comes back."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fakes.twilio_fake import FakeReply, FakeTwilio
from ita_rent_bot.channels.whatsapp import linking
from ita_rent_bot.channels.whatsapp.linking import LinkError
from ita_rent_bot.channels.whatsapp.service import WhatsAppService
from ita_rent_bot.config import Settings
from ita_rent_bot.db import utcnow
from ita_rent_bot.listings.models import Listing
from ita_rent_bot.notifications.models import CANCELLED, PENDING, SENDING, SENT, Delivery
from ita_rent_bot.users.models import User, WhatsAppLinkCode

from .conftest import SENDER, USER_NUMBER


async def _user(session: AsyncSession, chat_id: int = 1, language: str = "en") -> User:
    user = User(telegram_chat_id=chat_id, language=language)
    session.add(user)
    await session.flush()
    return user


def _last_code(fake: FakeTwilio) -> str:
    match = re.search(r"\b(\d{6})\b", fake.accepted()[-1].form["Body"])
    assert match is not None
    return match.group(1)


async def _linked(session: AsyncSession, service: WhatsAppService, fake: FakeTwilio) -> User:
    user = await _user(session)
    await linking.start_link(session, user=user, raw_number=USER_NUMBER, service=service)
    await linking.verify_code(session, user=user, code=_last_code(fake))
    await session.commit()
    return user


async def test_link_sends_a_code_and_enables_only_when_it_comes_back(
    session: AsyncSession, service: WhatsAppService, twilio_fake: FakeTwilio
) -> None:
    user = await _user(session, language="ru")

    started = await linking.start_link(
        session, user=user, raw_number="+39 333 123-4567", service=service
    )
    await session.commit()

    assert started.number == USER_NUMBER
    assert timedelta(minutes=9) < started.expires_at - utcnow() <= timedelta(minutes=10)
    [sent] = twilio_fake.accepted()
    assert sent.form["To"] == f"whatsapp:{USER_NUMBER}"
    assert sent.form["From"] == SENDER
    assert "Код подтверждения ITA_RENT_BOT" in sent.form["Body"]
    code = _last_code(twilio_fake)
    row = await session.get(WhatsAppLinkCode, user.id)
    assert row is not None
    assert code not in row.code_hash
    assert (user.whatsapp_enabled, user.whatsapp_number) == (False, None)

    linked = await linking.verify_code(session, user=user, code=code)
    await session.commit()

    assert linked.whatsapp_number == USER_NUMBER
    assert linked.whatsapp_enabled is True
    assert linked.whatsapp_verified_at is not None
    assert linked.whatsapp_sender == SENDER
    assert await session.get(WhatsAppLinkCode, user.id) is None


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("hello", "invalid_number"),
        ("3331234567", "invalid_number"),  # no country code
        ("+39 123", "invalid_number"),
        ("+1 000 000 0000", "invalid_number"),
        ("+39 06 6982 1234", "not_mobile"),  # a Rome landline
    ],
)
async def test_a_bad_number_is_refused_with_a_reason(
    session: AsyncSession, service: WhatsAppService, twilio_fake: FakeTwilio, raw: str, code: str
) -> None:
    user = await _user(session)
    with pytest.raises(LinkError) as caught:
        await linking.start_link(session, user=user, raw_number=raw, service=service)
    assert caught.value.code == code
    assert caught.value.message
    assert twilio_fake.received == []


async def test_a_number_linked_to_someone_else_is_refused_without_saying_whose(
    session: AsyncSession, service: WhatsAppService, twilio_fake: FakeTwilio
) -> None:
    owner = User(telegram_chat_id=99, telegram_username="owner_name", whatsapp_number=USER_NUMBER)
    session.add(owner)
    user = await _user(session)

    with pytest.raises(LinkError) as caught:
        await linking.start_link(session, user=user, raw_number=USER_NUMBER, service=service)

    assert caught.value.code == "number_taken"
    assert "owner_name" not in caught.value.message
    assert "99" not in caught.value.message
    assert twilio_fake.received == []


async def test_a_number_taken_while_the_code_was_pending_is_refused(
    session: AsyncSession, service: WhatsAppService, twilio_fake: FakeTwilio
) -> None:
    user = await _user(session)
    await linking.start_link(session, user=user, raw_number=USER_NUMBER, service=service)
    session.add(User(telegram_chat_id=2, whatsapp_number=USER_NUMBER))
    await session.flush()

    with pytest.raises(LinkError, match="another account") as caught:
        await linking.verify_code(session, user=user, code=_last_code(twilio_fake))
    assert caught.value.code == "number_taken"
    assert user.whatsapp_enabled is False


async def test_five_wrong_attempts_then_even_the_right_code_is_refused(
    session: AsyncSession, service: WhatsAppService, twilio_fake: FakeTwilio
) -> None:
    user = await _user(session)
    await linking.start_link(session, user=user, raw_number=USER_NUMBER, service=service)
    await session.commit()
    right = _last_code(twilio_fake)
    wrong = f"{(int(right) + 1) % 10**6:06d}"

    codes = []
    for _ in range(5):
        with pytest.raises(LinkError) as caught:
            await linking.verify_code(session, user=user, code=wrong)
        await session.commit()  # callers commit after a LinkError: the attempt counts
        codes.append((caught.value.code, caught.value.message))

    assert [c for c, _ in codes] == ["wrong_code"] * 4 + ["too_many_attempts"]
    assert codes[0][1] == "Wrong code. Attempts left: 4."
    with pytest.raises(LinkError) as caught:
        await linking.verify_code(session, user=user, code=right)
    assert caught.value.code == "too_many_attempts"
    assert user.whatsapp_enabled is False


async def test_an_expired_code_and_no_code(
    session: AsyncSession, service: WhatsAppService, twilio_fake: FakeTwilio
) -> None:
    user = await _user(session)
    with pytest.raises(LinkError) as caught:
        await linking.verify_code(session, user=user, code="123456")
    assert caught.value.code == "no_pending_code"

    await linking.start_link(session, user=user, raw_number=USER_NUMBER, service=service)
    row = await session.get(WhatsAppLinkCode, user.id)
    assert row is not None
    row.expires_at = utcnow() - timedelta(seconds=1)
    await session.commit()

    with pytest.raises(LinkError) as caught:
        await linking.verify_code(session, user=user, code=_last_code(twilio_fake))
    assert caught.value.code == "code_expired"


async def test_a_new_code_waits_a_minute_and_replaces_the_old_one(
    session: AsyncSession, service: WhatsAppService, twilio_fake: FakeTwilio
) -> None:
    user = await _user(session)
    await linking.start_link(session, user=user, raw_number=USER_NUMBER, service=service)
    first = _last_code(twilio_fake)
    with pytest.raises(LinkError) as caught:
        await linking.start_link(session, user=user, raw_number=USER_NUMBER, service=service)
    assert caught.value.code == "too_soon"

    row = await session.get(WhatsAppLinkCode, user.id)
    assert row is not None
    row.created_at = utcnow() - timedelta(minutes=2)
    await linking.start_link(session, user=user, raw_number=USER_NUMBER, service=service)
    second = _last_code(twilio_fake)

    if first != second:
        with pytest.raises(LinkError):
            await linking.verify_code(session, user=user, code=first)
    assert (await linking.verify_code(session, user=user, code=second)).whatsapp_enabled


@pytest.mark.parametrize(
    ("reply", "code"),
    [
        (FakeReply(400, 63015, "not joined"), "needs_join"),
        (FakeReply(400, 63016, "outside window"), "needs_inbound"),
        (FakeReply(400, 21211, "invalid To"), "invalid_number"),
        (FakeReply(400, 21610, "unsubscribed"), "opted_out"),
        (FakeReply(503, 20503, "unavailable"), "send_failed"),
    ],
)
async def test_a_code_that_cannot_be_sent_leaves_nothing_behind(
    session: AsyncSession,
    service: WhatsAppService,
    twilio_fake: FakeTwilio,
    reply: FakeReply,
    code: str,
) -> None:
    user = await _user(session)
    twilio_fake.script = [reply]

    with pytest.raises(LinkError) as caught:
        await linking.start_link(session, user=user, raw_number=USER_NUMBER, service=service)

    assert caught.value.code == code
    assert await session.get(WhatsAppLinkCode, user.id) is None
    if code == "needs_join":
        assert "+14155238886" in caught.value.message


async def test_linking_without_whatsapp_configured(session: AsyncSession) -> None:
    user = await _user(session)
    with pytest.raises(LinkError) as caught:
        await linking.start_link(session, user=user, raw_number=USER_NUMBER, service=None)
    assert caught.value.code == "unavailable"


async def test_the_user_can_send_the_code_back_on_whatsapp(
    session: AsyncSession, service: WhatsAppService, twilio_fake: FakeTwilio
) -> None:
    user = await _user(session)
    await linking.start_link(session, user=user, raw_number=USER_NUMBER, service=service)
    code = _last_code(twilio_fake)

    assert await linking.verify_inbound_code(session, number="+393339999999", code=code) is None
    assert await linking.verify_inbound_code(session, number=USER_NUMBER, code="000000") is None
    linked = await linking.verify_inbound_code(session, number=USER_NUMBER, code=code)

    assert linked is not None
    assert linked.id == user.id
    assert linked.whatsapp_enabled is True
    assert linked.whatsapp_last_inbound_at is not None


async def test_unlink_cancels_every_whatsapp_delivery_not_yet_sent(
    session: AsyncSession, service: WhatsAppService, twilio_fake: FakeTwilio
) -> None:
    user = await _linked(session, service, twilio_fake)
    other = await _user(session, chat_id=2)
    listings = [Listing(source="s", source_id=str(i), url=f"https://x.it/{i}") for i in range(4)]
    session.add_all(listings)
    await session.flush()
    rows = [
        Delivery(user_id=user.id, listing_id=listings[0].id, channel="whatsapp", status=PENDING),
        Delivery(user_id=user.id, listing_id=listings[1].id, channel="whatsapp", status=SENDING),
        Delivery(user_id=user.id, listing_id=listings[2].id, channel="whatsapp", status=SENT),
        Delivery(user_id=user.id, listing_id=listings[0].id, channel="telegram", status=PENDING),
        Delivery(user_id=other.id, listing_id=listings[3].id, channel="whatsapp", status=PENDING),
    ]
    session.add_all(rows)
    await session.commit()

    await linking.unlink(session, user=user)
    await session.commit()

    statuses = (
        await session.execute(select(Delivery.id, Delivery.status).order_by(Delivery.id))
    ).all()
    assert [s for _, s in statuses] == [CANCELLED, CANCELLED, SENT, PENDING, PENDING]
    assert (user.whatsapp_number, user.whatsapp_enabled, user.whatsapp_verified_at) == (
        None,
        False,
        None,
    )


async def test_enable_needs_a_confirmed_number_that_has_not_opted_out(
    session: AsyncSession, service: WhatsAppService, twilio_fake: FakeTwilio
) -> None:
    fresh = await _user(session, chat_id=5)
    with pytest.raises(LinkError) as caught:
        await linking.set_enabled(session, user=fresh, enabled=True)
    assert caught.value.code == "not_verified"

    user = await _linked(session, service, twilio_fake)
    assert (await linking.set_enabled(session, user=user, enabled=False)).whatsapp_enabled is False
    assert (await linking.set_enabled(session, user=user, enabled=True)).whatsapp_enabled is True

    user.whatsapp_opted_out_at = utcnow()
    with pytest.raises(LinkError) as caught:
        await linking.set_enabled(session, user=user, enabled=True)
    assert caught.value.code == "opted_out"


async def test_status_and_settings_views_never_show_a_secret(
    session: AsyncSession,
    service: WhatsAppService,
    twilio_fake: FakeTwilio,
    wa_settings: Settings,
) -> None:
    user = await _linked(session, service, twilio_fake)

    status = linking.whatsapp_status(user, wa_settings)
    view = linking.whatsapp_settings_view(wa_settings)

    assert (status.linked, status.enabled, status.available) == (True, True, True)
    assert status.number == USER_NUMBER
    assert status.sender == "whatsapp:+1415***8886"
    assert status.interval_seconds == 1800
    assert status.session_open is False
    assert view.provider == "twilio"
    assert view.senders == ["whatsapp:+1415***8886"]
    assert view.template_configured is True
    dumped = view.model_dump_json() + status.model_dump_json()
    assert twilio_fake.auth_token not in dumped
    assert twilio_fake.account_sid not in dumped
