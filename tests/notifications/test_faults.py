"""Faults: providers that fail a share of calls with 5xx, time out, and answer 429 with a
retry-after. Everything is still delivered, exactly once, and every retry-after is obeyed."""

from __future__ import annotations

from collections import Counter, defaultdict

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fakes.telegram_api import TOKEN, FakeTelegramAPI, Fault
from fakes.twilio_fake import FakeReply, FakeTwilio
from ita_rent_bot.channels.telegram import TelegramChannel, make_bot
from ita_rent_bot.channels.whatsapp.service import WhatsAppService
from ita_rent_bot.config import Settings
from ita_rent_bot.db import utcnow
from ita_rent_bot.notifications.models import SENT
from notifications.builders import add_world, all_deliveries
from notifications.conftest import EngineFactory, run_until_settled

Factory = async_sessionmaker[AsyncSession]
RETRY_AFTER = 1


async def test_telegram_faults_everything_delivered_once_retry_after_obeyed(
    session_factory: Factory, fake_telegram: FakeTelegramAPI, make_engine: EngineFactory
) -> None:
    _, deliveries = await add_world(session_factory, users=40, listings_per_user=3)
    fake_telegram.fail_randomly(
        0.2,
        [
            Fault("5xx", status=503),
            Fault("timeout", hang_seconds=3),
            Fault("429", retry_after=RETRY_AFTER),
        ],
        seed=7,
    )
    channel = TelegramChannel(make_bot(TOKEN, fake_telegram.base_url, timeout=0.5))
    try:
        counts = await run_until_settled(
            make_engine({"telegram": channel}), session_factory, limit_seconds=60
        )
    finally:
        await channel.aclose()

    assert counts == {SENT: len(deliveries)}
    kinds = Counter(c.status for c in fake_telegram.calls)
    assert kinds[503] > 0
    assert kinds[504] > 0  # timed out (the fake never processed those)
    assert kinds[429] > 0
    delivered = Counter(c.params.get("caption") or c.params["text"] for c in fake_telegram.sent())
    assert len(delivered) == len(deliveries)
    assert set(delivered.values()) == {1}
    by_chat: dict[int | None, list[float]] = defaultdict(list)
    for call in fake_telegram.calls:
        by_chat[call.chat_id].append(call.at)
    for call in fake_telegram.calls:
        if call.status == 429:
            later = [t for t in by_chat[call.chat_id] if t > call.at]
            assert later, "the chat was tried again"
            assert min(later) - call.at >= RETRY_AFTER


async def test_whatsapp_faults_everything_delivered_once(
    session_factory: Factory,
    twilio: FakeTwilio,
    dual_settings: Settings,
    make_engine: EngineFactory,
) -> None:
    fields = {
        "whatsapp_enabled": True,
        "whatsapp_last_inbound_at": utcnow(),
        "whatsapp_mode": "instant",
        "telegram_enabled": False,
        "whatsapp_number": "+393339990001",
    }
    await add_world(
        session_factory, users=1, listings_per_user=6, channels=("whatsapp",), user_fields=fields
    )
    twilio.script = [
        FakeReply(503, None, "Service Unavailable"),
        FakeReply(429, 20429, "Too Many Requests", retry_after=RETRY_AFTER),
        FakeReply(hang=True),
        FakeReply(500, None, "Internal Server Error"),
    ]
    settings = dual_settings.model_copy(update={"whatsapp_timeout_seconds": 0.5})
    channel = WhatsAppService.from_settings(settings)
    assert channel is not None
    try:
        counts = await run_until_settled(
            make_engine({"whatsapp": channel}, settings=settings), session_factory, limit_seconds=60
        )
    finally:
        await channel.aclose()
    assert counts == {SENT: 6}
    assert twilio.script == []  # every fault was served
    bodies = Counter(r.form["Body"] for r in twilio.accepted())
    assert len(bodies) == 6
    assert set(bodies.values()) == {1}
    rows = await all_deliveries(session_factory)
    assert {r.provider_message_id for r in rows} == {r.sid for r in twilio.accepted()}
