"""One table of cases, run against every channel (Apprise's idea): each channel is checked the same
way, and a new channel only adds a harness. Fault cases run where a fake provider can fail."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import pytest

from channels.whatsapp.conftest import SENDER, TEMPLATE_SID, twilio_settings
from fakes.telegram_api import TOKEN, FakeTelegramAPI, Fault
from fakes.twilio_fake import FakeReply, FakeTwilio
from ita_rent_bot.channels.base import (
    Button,
    Channel,
    Outcome,
    OutgoingMessage,
    Recipient,
    RecipientGone,
    RetryLater,
    Sent,
    Template,
)
from ita_rent_bot.channels.console import ConsoleChannel
from ita_rent_bot.channels.telegram import TelegramChannel, make_bot
from ita_rent_bot.channels.whatsapp.service import WhatsAppService


@dataclass
class Harness:
    """A channel wired to its fake provider, with a way to make that provider fail."""

    channel: Channel
    recipient: Recipient
    received: Callable[[], list[str]]
    inject: Callable[[str], None] | None = None
    closers: list[Callable[[], object]] = field(default_factory=list)


@dataclass(frozen=True)
class Case:
    name: str
    message: Callable[[Channel], OutgoingMessage]
    expect: type[Outcome]
    fault: str | None = None
    after_seconds: float | None = None
    arrives: bool = True


CASES = [
    Case("plain text", lambda c: OutgoingMessage("Bilocale, 900 €"), Sent),
    Case("text at the body limit", lambda c: OutgoingMessage("x" * c.body_limit), Sent),
    Case(
        "a photo with its caption",
        lambda c: OutgoingMessage("Foto", photos=("https://i/1.jpg",)),
        Sent,
    ),
    Case(
        "buttons (ignored where unsupported)",
        lambda c: OutgoingMessage("Card", buttons=(Button("Open", url="https://x.it/1"),)),
        Sent,
    ),
    Case(
        "a template",
        lambda c: OutgoingMessage("2 new", template=Template(TEMPLATE_SID, {"1": "2"})),
        Sent,
    ),
    Case("429 with retry-after", lambda c: OutgoingMessage("x"), RetryLater, "429", 5.0, False),
    Case("server error", lambda c: OutgoingMessage("x"), RetryLater, "5xx", None, False),
    Case("timeout", lambda c: OutgoingMessage("x"), RetryLater, "timeout", None, False),
    Case("recipient gone", lambda c: OutgoingMessage("x"), RecipientGone, "gone", None, False),
]


async def console_harness(database_url: str) -> Harness:
    out = io.StringIO()
    return Harness(
        ConsoleChannel("telegram", out=out), Recipient(1, "100"), lambda: [out.getvalue()]
    )


async def telegram_harness(database_url: str) -> Harness:
    fake = FakeTelegramAPI()
    await fake.start()
    channel = TelegramChannel(make_bot(TOKEN, fake.base_url, timeout=0.5))
    faults = {
        "429": Fault("429", retry_after=5),
        "5xx": Fault("5xx"),
        "timeout": Fault("timeout", hang_seconds=2),
        "gone": Fault("403"),
    }

    def received() -> list[str]:
        return [
            str(c.params.get("text") or c.params.get("caption") or c.params) for c in fake.sent()
        ]

    return Harness(
        channel,
        Recipient(1, "100"),
        received,
        inject=lambda kind: fake.fail_next(1, faults[kind]),
        closers=[channel.aclose, fake.close],
    )


async def whatsapp_harness(database_url: str) -> Harness:
    fake = FakeTwilio()
    await fake.start()
    settings = twilio_settings(database_url, fake.messages_url, whatsapp_timeout_seconds=0.5)
    channel = WhatsAppService.from_settings(settings)
    assert channel is not None
    faults = {
        "429": FakeReply(429, 20429, "Too Many Requests", retry_after=5),
        "5xx": FakeReply(500, None, "Internal Server Error"),
        "timeout": FakeReply(hang=True),
        "gone": FakeReply(400, 21211, "The 'To' number is not a valid phone number."),
    }

    def inject(kind: str) -> None:
        fake.script = [faults[kind]]

    def received() -> list[str]:
        return [r.form.get("Body") or r.form.get("ContentSid") or "" for r in fake.accepted()]

    return Harness(
        channel,
        Recipient(1, "+393331234567", sender=SENDER),
        received,
        inject=inject,
        closers=[channel.aclose, fake.close],
    )


HARNESSES = {"console": console_harness, "telegram": telegram_harness, "whatsapp": whatsapp_harness}
PARAMS = [
    pytest.param(name, case, id=f"{name}-{case.name}")
    for name in HARNESSES
    for case in CASES
    if case.fault is None or name != "console"  # the console has no provider that can fail
]


@pytest.fixture
async def harness(request: pytest.FixtureRequest, sqlite_url: str) -> AsyncIterator[Harness]:
    built = await HARNESSES[request.param](sqlite_url)
    yield built
    for close in built.closers:
        result = close()
        if hasattr(result, "__await__"):
            await result  # type: ignore[misc]


@pytest.mark.parametrize(("harness", "case"), PARAMS, indirect=["harness"])
async def test_channel_contract(harness: Harness, case: Case) -> None:
    channel = harness.channel
    assert channel.name
    assert channel.body_limit > 0
    message = case.message(channel)
    if case.fault is not None:
        assert harness.inject is not None
        harness.inject(case.fault)
    outcome = await channel.send(harness.recipient, message)
    assert isinstance(outcome, case.expect), outcome
    if isinstance(outcome, Sent):
        assert outcome.provider_message_id
    if isinstance(outcome, RetryLater):
        assert outcome.after_seconds == case.after_seconds
    if isinstance(outcome, RecipientGone):
        assert outcome.reason
    received = harness.received()
    if case.arrives:
        expected = (
            message.template.id if message.template and channel.name == "whatsapp" else message.text
        )
        assert any(expected in text for text in received)
    else:
        assert received == []
