"""Sending one user's planned units on one channel, in order, and acting on each outcome.

Retry-after is obeyed exactly (the row waits that long and the recipient's rate key is blocked);
other transient failures back off exponentially with jitter up to the attempt limit; a gone
recipient turns the channel off, stops its pending deliveries and tells the user on their other
channel. WhatsApp outside the 24-hour window sends the approved template and holds the digest
until the user replies.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from ita_rent_bot import metrics
from ita_rent_bot.channels.base import (
    Channel,
    NeedsTemplate,
    Outcome,
    OutgoingMessage,
    PermanentFailure,
    Recipient,
    RecipientGone,
    RetryLater,
    Sent,
)
from ita_rent_bot.channels.whatsapp.errors import problem_for
from ita_rent_bot.channels.whatsapp.service import within_session_window
from ita_rent_bot.db import unit_of_work, utcnow
from ita_rent_bot.locales import normalise_language
from ita_rent_bot.locales.cards import CARDS, WHATSAPP_REASONS
from ita_rent_bot.log import get_logger
from ita_rent_bot.notifications import service
from ita_rent_bot.notifications.digest import Unit, channel_is_on
from ita_rent_bot.notifications.limits import RateKey, keys_for
from ita_rent_bot.notifications.models import CANCELLED, FAILED, HELD, PENDING, SENT
from ita_rent_bot.notifications.recorder import Record
from ita_rent_bot.notifications.rendering import RenderContext
from ita_rent_bot.users.models import User

if TYPE_CHECKING:
    from ita_rent_bot.notifications.engine import DeliveryEngine

log = get_logger(__name__)

FOLLOW_UP_TRIES = 3


@runtime_checkable
class HasSenders(Protocol):
    def sender_for(self, user_id: int) -> str: ...


def recipient_for(user: User, channel_name: str, channel: Channel) -> Recipient:
    if channel_name == "telegram":
        return Recipient(user.id, str(user.telegram_chat_id))
    sender = user.whatsapp_sender
    if sender is None and isinstance(channel, HasSenders):
        sender = channel.sender_for(user.id)
    return Recipient(user.id, user.whatsapp_number or "", sender=sender)


@dataclass
class UserSender:
    engine: DeliveryEngine
    user: User
    channel_name: str
    held_user: bool
    ctx: RenderContext

    def __post_init__(self) -> None:
        self.channel = self.engine.channels[self.channel_name]
        self.renderer = self.engine.renderers[self.channel_name]
        self.recipient = recipient_for(self.user, self.channel_name, self.channel)
        self.keys: list[RateKey] = keys_for(self.channel_name, self.recipient, self.engine.settings)

    # -- helpers -------------------------------------------------------------------------------

    def _record(self, units: Sequence[Unit], status: str, outcome: str, **fields: object) -> None:
        ids = tuple(i for u in units for i in u.ids)
        if not ids:
            return
        self.engine.recorder.put(Record(ids, status, **fields))  # type: ignore[arg-type]
        metrics.DELIVERIES.labels(self.channel_name, outcome).inc(len(ids))

    async def _send_one(self, message: OutgoingMessage, channel: Channel | None = None) -> Outcome:
        waited = await self.engine.limits.acquire(self.keys)
        metrics.RATE_LIMIT_WAIT.labels(self.channel_name).observe(waited)
        started = time.monotonic()
        try:
            outcome = await (channel or self.channel).send(self.recipient, message)
        finally:  # from here on nothing may raise: the provider may have the message already
            await self.engine.limits.answered(self.keys)
        metrics.PROVIDER_LATENCY.labels(self.channel_name).observe(time.monotonic() - started)
        if isinstance(outcome, RetryLater) and outcome.after_seconds and self.keys:
            await self.engine.limits.block(self.keys[0], outcome.after_seconds)
        return outcome

    async def _send_messages(self, messages: Sequence[OutgoingMessage]) -> Outcome:
        """The first message decides the outcome; follow-ups (album buttons, a long digest's
        later parts) are retried briefly but never make the unit go out twice."""
        first = await self._send_one(messages[0])
        if isinstance(first, Sent) and len(messages) > 1:
            try:
                await self._send_follow_ups(messages[1:], first)
            except Exception:
                log.exception(
                    "follow-up messages failed", provider_message_id=first.provider_message_id
                )
        return first

    async def _send_follow_ups(self, messages: Sequence[OutgoingMessage], first: Sent) -> None:
        for message in messages:
            for _ in range(FOLLOW_UP_TRIES):
                outcome = await self._send_one(message)
                if not isinstance(outcome, RetryLater):
                    break
                await asyncio.sleep(min(outcome.after_seconds or 1.0, 30.0))
            if not isinstance(outcome, Sent):
                log.warning(
                    "follow-up message not sent",
                    channel=self.channel_name,
                    user_id=self.user.id,
                    provider_message_id=first.provider_message_id,
                    reason=getattr(outcome, "reason", ""),
                )
                return

    # -- the flow ------------------------------------------------------------------------------

    async def send(self, units: Sequence[Unit]) -> None:
        pending = list(units)
        if self.channel_name == "whatsapp" and not self._in_window():
            await self._outside_window(pending)
            return
        while pending:
            unit = pending.pop(0)
            try:
                messages = self.renderer.unit(self.user, unit, self.ctx)
                outcome = await self._send_messages(messages)
            except Exception as exc:  # a bug here must not hold the rows or stop other users
                log.exception("sending failed unexpectedly", delivery_id=unit.ids[0])
                outcome = RetryLater(after_seconds=None, reason=repr(exc), code="error")
            if not await self._act(unit, outcome, pending):
                return

    def _in_window(self) -> bool:
        return within_session_window(self.user.whatsapp_last_inbound_at)

    async def _act(self, unit: Unit, outcome: Outcome, rest: list[Unit]) -> bool:
        """Record one unit's outcome; False when the user's remaining units were settled too."""
        ids = unit.ids
        if isinstance(outcome, Sent):
            self._record([unit], SENT, "sent", provider_message_id=outcome.provider_message_id)
            log.info(
                "delivery sent",
                channel=self.channel_name,
                delivery_id=ids[0],
                deliveries=len(ids),
                provider_message_id=outcome.provider_message_id,
                path=outcome.path,
            )
            return True
        if isinstance(outcome, RetryLater):
            return self._retry([unit], outcome, rest)
        if isinstance(outcome, RecipientGone):
            await self._gone([unit, *rest], outcome)
            return False
        if isinstance(outcome, NeedsTemplate):
            await self._outside_window([unit, *rest])
            return False
        self._record([unit], FAILED, "failed", code=outcome.code, message=outcome.reason)
        log.warning(
            "delivery failed", channel=self.channel_name, delivery_id=ids[0], reason=outcome.reason
        )
        return True

    def _retry(self, units: list[Unit], outcome: RetryLater, rest: list[Unit]) -> bool:
        options = self.engine.options
        now = utcnow()
        attempts = max(r.delivery.attempts for u in units for r in u.rows) + 1
        log_fields = {
            "channel": self.channel_name,
            "delivery_id": units[0].ids[0],
            "reason": outcome.reason,
            "code": outcome.code,
        }
        if attempts >= options.max_attempts:
            self._record(units, FAILED, "failed", code=outcome.code, message=outcome.reason)
            log.warning("delivery failed after retries", attempts=attempts, **log_fields)
        else:
            wait = outcome.after_seconds
            if wait is None:
                wait = options.backoff_seconds(attempts)
            self._record(
                units,
                PENDING,
                "retry",
                next_attempt_at=now + timedelta(seconds=wait),
                code=outcome.code,
                message=outcome.reason,
            )
            log.info(
                "delivery will be retried", attempts=attempts, after=round(wait, 3), **log_fields
            )
        after = outcome.after_seconds or 0
        if after > options.long_wait_seconds and rest:
            # the provider asked for a long pause: the rest waits in the queue, not in memory
            self._record(
                rest,
                PENDING,
                "released",
                next_attempt_at=now + timedelta(seconds=after),
                count_attempt=False,
            )
            return False
        return True

    async def _gone(self, units: list[Unit], outcome: RecipientGone) -> None:
        first, rest = units[0], units[1:]
        self._record([first], FAILED, "gone", code=outcome.code, message=outcome.reason)
        self._record(rest, CANCELLED, "cancelled", code="channel_off", count_attempt=False)
        log.warning(
            "recipient gone, channel turned off",
            channel=self.channel_name,
            delivery_id=first.ids[0],
            user_id=self.user.id,
            code=outcome.code,
        )
        async with unit_of_work(self.engine.session_factory) as session:
            changed = await service.turn_channel_off(
                session,
                user_id=self.user.id,
                channel=self.channel_name,
                problem=problem_for(outcome),
                now=utcnow(),
            )
            await service.cancel_pending(
                session, user_id=self.user.id, channel=self.channel_name, code="channel_off"
            )
        if changed:
            await self._tell_other_channel(outcome)

    async def _tell_other_channel(self, outcome: RecipientGone) -> None:
        other = "whatsapp" if self.channel_name == "telegram" else "telegram"
        channel = self.engine.channels.get(other)
        renderer = self.engine.renderers.get(other)
        if channel is None or renderer is None or not channel_is_on(self.user, other):
            return
        language = normalise_language(self.user.language)
        if self.channel_name == "telegram":
            text = CARDS.text(language, "telegram_off")
        else:
            reasons = WHATSAPP_REASONS[language]
            problem = problem_for(outcome) or "other"
            text = CARDS.text(
                language, "whatsapp_off", reason=reasons.get(problem, reasons["other"])
            )
        notice = UserSender(self.engine, self.user, other, self.held_user, self.ctx)
        result = await notice._send_one(renderer.notice(self.user, text))
        log.info(
            "user told their channel is off",
            channel=other,
            user_id=self.user.id,
            outcome=type(result).__name__,
        )

    async def _outside_window(self, units: list[Unit]) -> None:
        """WhatsApp outside 24 h: one template now, the digest when the user replies."""
        if not units:
            return
        if self.held_user:
            self._record(units, HELD, "held", code=service.AWAITING_REPLY, count_attempt=False)
            return
        template = self.renderer.template(self.user, units, self.ctx)
        if template is None:
            self._record(units, FAILED, "failed", code="no_template", message="outside 24 h")
            return
        outcome = await self._send_one(template)
        if isinstance(outcome, Sent):
            self.held_user = True
            self._record(
                units,
                HELD,
                "held",
                code=service.AWAITING_REPLY,
                provider_message_id=outcome.provider_message_id,
                count_attempt=False,
            )
            log.info(
                "template sent, digest held until the user replies",
                channel=self.channel_name,
                delivery_id=units[0].ids[0],
                provider_message_id=outcome.provider_message_id,
            )
        elif isinstance(outcome, RetryLater):
            self._retry(units, outcome, [])
        elif isinstance(outcome, RecipientGone):
            await self._gone(units, outcome)
        else:
            reason = outcome.reason if isinstance(outcome, PermanentFailure | NeedsTemplate) else ""
            self._record(units, FAILED, "failed", code="no_template", message=reason)
