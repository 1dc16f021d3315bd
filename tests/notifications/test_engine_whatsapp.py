"""WhatsApp through the engine: digests, the 24-hour window and its template, channels off."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from channels.whatsapp.conftest import TEMPLATE_SID
from fakes.telegram_api import FakeTelegramAPI
from fakes.twilio_fake import FakeReply, FakeTwilio
from ita_rent_bot.channels.telegram import TelegramChannel
from ita_rent_bot.channels.whatsapp.service import WhatsAppService
from ita_rent_bot.config import Settings
from ita_rent_bot.db import utcnow
from ita_rent_bot.notifications import service
from ita_rent_bot.notifications.models import CANCELLED, FAILED, HELD, SENT
from ita_rent_bot.users.models import User
from notifications.builders import add_world, all_deliveries, reload_user, statuses
from notifications.conftest import EngineFactory, run_until_settled

Factory = async_sessionmaker[AsyncSession]


def whatsapp_user(
    n: int, *, replied_hours_ago: float | None = 1.0, **more: object
) -> dict[str, object]:
    fields: dict[str, object] = {
        "whatsapp_enabled": True,
        "whatsapp_number": f"+39333000{n:04d}",
        "whatsapp_last_inbound_at": (
            utcnow() - timedelta(hours=replied_hours_ago) if replied_hours_ago is not None else None
        ),
        "telegram_enabled": False,
    }
    fields.update(more)
    return fields


async def test_a_users_matches_go_out_as_one_digest(
    session_factory: Factory,
    twilio: FakeTwilio,
    whatsapp_channel: WhatsAppService,
    dual_settings: Settings,
    make_engine: EngineFactory,
) -> None:
    await add_world(
        session_factory,
        users=1,
        listings_per_user=3,
        channels=("whatsapp",),
        user_fields=whatsapp_user(1),
    )
    engine = make_engine({"whatsapp": whatsapp_channel}, settings=dual_settings)
    assert await run_until_settled(engine, session_factory) == {SENT: 3}
    (request,) = twilio.accepted()
    body = request.form["Body"]
    assert request.form["To"] == "whatsapp:+393330000001"
    assert body.count("🔗 https://www.immobiliare.it/annunci/") == 3
    rows = await all_deliveries(session_factory)
    assert {r.provider_message_id for r in rows} == {request.sid}


async def test_outside_the_window_a_template_goes_and_the_digest_follows_the_reply(
    session_factory: Factory,
    twilio: FakeTwilio,
    whatsapp_channel: WhatsAppService,
    dual_settings: Settings,
    make_engine: EngineFactory,
) -> None:
    users, _ = await add_world(
        session_factory,
        users=1,
        listings_per_user=2,
        channels=("whatsapp",),
        user_fields=whatsapp_user(2, replied_hours_ago=30),
    )
    engine = make_engine({"whatsapp": whatsapp_channel}, settings=dual_settings)
    await engine.run_until_idle()
    assert await statuses(session_factory) == {HELD: 2}
    (template,) = twilio.accepted()
    assert template.form["ContentSid"] == TEMPLATE_SID
    assert "Body" not in template.form

    # a new match while the template waits for an answer: held too, no second template
    async with session_factory() as session, session.begin():
        from notifications.test_engine import _more_for

        await _more_for(session, users[0].id, 1, channel="whatsapp")
    await engine.run_until_idle()
    assert await statuses(session_factory) == {HELD: 3}
    assert len(twilio.accepted()) == 1

    # the user answers (the inbound webhook records it); the sweeper lets the digest go
    async with session_factory() as session, session.begin():
        await session.execute(
            update(User).where(User.id == users[0].id).values(whatsapp_last_inbound_at=utcnow())
        )
        assert await service.release_held_on_reply(session, now=utcnow()) == 3
    assert await run_until_settled(engine, session_factory) == {SENT: 3}
    digest = twilio.accepted()[1]
    assert digest.form["Body"].count("🔗 ") == 3


async def test_the_provider_saying_template_needed_switches_to_the_template(
    session_factory: Factory,
    twilio: FakeTwilio,
    whatsapp_channel: WhatsAppService,
    dual_settings: Settings,
    make_engine: EngineFactory,
) -> None:
    await add_world(
        session_factory,
        users=1,
        listings_per_user=1,
        channels=("whatsapp",),
        user_fields=whatsapp_user(3),
    )
    twilio.script = [FakeReply(400, 63016, "Failed to send freeform message outside the window")]
    engine = make_engine({"whatsapp": whatsapp_channel}, settings=dual_settings)
    await engine.run_until_idle()
    assert await statuses(session_factory) == {HELD: 1}
    assert [r.form.get("ContentSid") for r in twilio.received] == [None, TEMPLATE_SID]


async def test_opted_out_turns_whatsapp_off_and_the_user_is_told_on_telegram(
    session_factory: Factory,
    twilio: FakeTwilio,
    fake_telegram: FakeTelegramAPI,
    whatsapp_channel: WhatsAppService,
    telegram_channel: TelegramChannel,
    dual_settings: Settings,
    make_engine: EngineFactory,
) -> None:
    users, _ = await add_world(
        session_factory,
        users=1,
        listings_per_user=2,
        channels=("whatsapp",),
        user_fields=whatsapp_user(4, whatsapp_mode="instant", telegram_enabled=True),
    )
    twilio.script = [FakeReply(400, 21610, "Attempt to send to unsubscribed recipient")]
    engine = make_engine(
        {"whatsapp": whatsapp_channel, "telegram": telegram_channel}, settings=dual_settings
    )
    assert await run_until_settled(engine, session_factory) == {FAILED: 1, CANCELLED: 1}
    user = await reload_user(session_factory, users[0].id)
    assert user.whatsapp_enabled is False
    assert user.whatsapp_problem == "opted_out"
    assert user.whatsapp_opted_out_at is not None
    (notice,) = fake_telegram.sent(user.telegram_chat_id)
    assert notice.params["text"].startswith("WhatsApp alerts are off: you opted out of messages.")


async def test_blocked_on_telegram_is_told_on_whatsapp_and_whatsapp_keeps_going(
    session_factory: Factory,
    twilio: FakeTwilio,
    fake_telegram: FakeTelegramAPI,
    whatsapp_channel: WhatsAppService,
    telegram_channel: TelegramChannel,
    dual_settings: Settings,
    make_engine: EngineFactory,
) -> None:
    users, deliveries = await add_world(
        session_factory,
        users=1,
        listings_per_user=2,
        channels=("telegram", "whatsapp"),
        user_fields=whatsapp_user(5, telegram_enabled=True),
    )
    chat = users[0].telegram_chat_id
    assert chat is not None
    fake_telegram.block_chat(chat)
    engine = make_engine(
        {"whatsapp": whatsapp_channel, "telegram": telegram_channel}, settings=dual_settings
    )
    counts = await run_until_settled(engine, session_factory)
    assert counts == {SENT: 2, FAILED: 1, CANCELLED: 1}
    bodies = [r.form["Body"] for r in twilio.accepted()]
    # our own words, with WhatsApp's formatting marks made inert like any other text
    assert "ITAˍRENTˍBOT: the Telegram bot is blocked, so Telegram alerts are off." in bodies[-1]
    assert any("🔗 " in b for b in bodies)
    # each listing reached the user: WhatsApp took it although Telegram did not
    async with session_factory() as session:
        for d in deliveries:
            assert await service.is_delivered(session, user_id=d.user_id, listing_id=d.listing_id)
