"""Linking a WhatsApp number: one service for the API, the bot, the CLI and inbound messages.

A number is checked (E.164, mobile), a 6-digit code goes out by WhatsApp, and WhatsApp is
enabled only when the code comes back (typed in, or sent to us on WhatsApp): 5 attempts,
10 minutes. Nothing here commits. On a `LinkError` the session may hold a counted wrong
attempt, so callers commit after a LinkError too (nothing else is ever left half-done).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import phonenumbers
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ita_rent_bot.channels.base import (
    NeedsTemplate,
    OutgoingMessage,
    Recipient,
    RecipientGone,
    Sent,
)
from ita_rent_bot.channels.whatsapp.errors import (
    PROBLEM_NEEDS_JOIN,
    PROBLEM_OPTED_OUT,
    problem_for,
)
from ita_rent_bot.channels.whatsapp.schemas import WhatsAppSettingsOut, WhatsAppStatusOut
from ita_rent_bot.channels.whatsapp.senders import mask_sender
from ita_rent_bot.channels.whatsapp.service import WhatsAppService, within_session_window
from ita_rent_bot.config import Settings
from ita_rent_bot.db import utcnow
from ita_rent_bot.locales.whatsapp import CATALOG
from ita_rent_bot.notifications.models import CANCELLED, PENDING, SENDING, Delivery
from ita_rent_bot.users.models import User, WhatsAppLinkCode

CODE_TTL = timedelta(minutes=10)
MAX_ATTEMPTS = 5
RESEND_AFTER = timedelta(seconds=60)
_MOBILE_TYPES = frozenset(
    {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
)


class LinkError(Exception):
    """A refusal with a stable `code` and a `message` in the user's language, safe to show."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class LinkStarted:
    number: str
    expires_at: datetime


def _error(language: str, code: str, **params: object) -> LinkError:
    return LinkError(code, CATALOG.text(language, f"error_{code}", **params))


def parse_number(raw: str, language: str = "en") -> str:
    """A mobile number in E.164, or LinkError invalid_number / not_mobile."""
    text = raw.strip().removeprefix("whatsapp:").strip()
    text = "".join(ch for ch in text if ch not in " -().\u00a0")
    if text.startswith("00"):
        text = "+" + text[2:]
    if not text.startswith("+") or len(text) > 20:
        raise _error(language, "invalid_number")
    try:
        parsed = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        raise _error(language, "invalid_number") from None
    if not phonenumbers.is_valid_number(parsed):
        raise _error(language, "invalid_number")
    if phonenumbers.number_type(parsed) not in _MOBILE_TYPES:
        raise _error(language, "not_mobile")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _code_hash(user_id: int, number: str, code: str) -> str:
    return hashlib.sha256(f"{user_id}:{number}:{code}".encode()).hexdigest()


def _code_matches(row: WhatsAppLinkCode, code: str) -> bool:
    digits = "".join(ch for ch in code if not ch.isspace())
    return hmac.compare_digest(row.code_hash, _code_hash(row.user_id, row.number, digits))


async def _number_owner(session: AsyncSession, number: str) -> User | None:
    owner: User | None = await session.scalar(select(User).where(User.whatsapp_number == number))
    return owner


async def start_link(
    session: AsyncSession,
    *,
    user: User,
    raw_number: str,
    service: WhatsAppService | None,
) -> LinkStarted:
    """Check the number, send a fresh code from the user's sender, and keep its hash."""
    language = user.language
    if service is None:
        raise _error(language, "unavailable")
    number = parse_number(raw_number, language)
    owner = await _number_owner(session, number)
    if owner is not None and owner.id != user.id:
        raise _error(language, "number_taken")
    now = utcnow()
    pending = await session.get(WhatsAppLinkCode, user.id)
    if pending is not None and now - pending.created_at < RESEND_AFTER:
        wait = RESEND_AFTER - (now - pending.created_at)
        raise _error(language, "too_soon", seconds=max(1, int(wait.total_seconds())))
    recipient = Recipient(user_id=user.id, address=number, sender=user.whatsapp_sender)
    sender = service.senders.resolve(recipient)
    code = f"{secrets.randbelow(10**6):06d}"
    outcome = await service.send(
        recipient, OutgoingMessage(CATALOG.text(language, "link_code", code=code))
    )
    if not isinstance(outcome, Sent):
        shown = sender.removeprefix("whatsapp:")
        if isinstance(outcome, NeedsTemplate):
            raise _error(language, "needs_inbound", number=shown)
        problem = problem_for(outcome) if isinstance(outcome, RecipientGone) else None
        if problem == PROBLEM_NEEDS_JOIN:
            raise LinkError(PROBLEM_NEEDS_JOIN, service.join_instructions(language, sender))
        if problem == PROBLEM_OPTED_OUT:
            raise _error(language, "opted_out", number=shown)
        if problem is not None:
            raise _error(language, "invalid_number")
        raise _error(language, "send_failed")
    expires_at = now + CODE_TTL
    if pending is None:
        pending = WhatsAppLinkCode(user_id=user.id)
        session.add(pending)
    pending.number = number
    pending.code_hash = _code_hash(user.id, number, code)
    pending.attempts = 0
    pending.expires_at = expires_at
    pending.created_at = now
    user.whatsapp_sender = sender
    await session.flush()
    return LinkStarted(number=number, expires_at=expires_at)


async def _complete(
    session: AsyncSession, user: User, row: WhatsAppLinkCode, now: datetime
) -> User:
    owner = await _number_owner(session, row.number)
    if owner is not None and owner.id != user.id:
        await session.delete(row)
        await session.flush()
        raise _error(user.language, "number_taken")
    user.whatsapp_number = row.number
    user.whatsapp_verified_at = now
    user.whatsapp_enabled = True
    user.whatsapp_opted_out_at = None
    user.whatsapp_problem = None
    await session.delete(row)
    await session.flush()
    return user


async def verify_code(session: AsyncSession, *, user: User, code: str) -> User:
    """The code the user typed (API or bot); WhatsApp is enabled only now."""
    language = user.language
    row = await session.get(WhatsAppLinkCode, user.id)
    if row is None:
        raise _error(language, "no_pending_code")
    now = utcnow()
    if now >= row.expires_at:
        raise _error(language, "code_expired")
    if row.attempts >= MAX_ATTEMPTS:
        raise _error(language, "too_many_attempts")
    if not _code_matches(row, code):
        row.attempts += 1
        await session.flush()
        left = MAX_ATTEMPTS - row.attempts
        if left <= 0:
            raise _error(language, "too_many_attempts")
        raise _error(language, "wrong_code", left=left)
    return await _complete(session, user, row, now)


async def verify_inbound_code(session: AsyncSession, *, number: str, code: str) -> User | None:
    """The user sent the code to us on WhatsApp from `number`: link whoever it was sent to."""
    now = utcnow()
    rows = await session.scalars(
        select(WhatsAppLinkCode).where(
            WhatsAppLinkCode.number == number,
            WhatsAppLinkCode.expires_at > now,
            WhatsAppLinkCode.attempts < MAX_ATTEMPTS,
        )
    )
    for row in rows.all():
        if _code_matches(row, code):
            user = await session.get(User, row.user_id)
            if user is None:
                continue
            await _complete(session, user, row, now)
            user.whatsapp_last_inbound_at = now
            return user
    return None


async def unlink(session: AsyncSession, *, user: User) -> None:
    """Forget the number, turn WhatsApp off, and cancel every WhatsApp delivery not yet sent."""
    user.whatsapp_number = None
    user.whatsapp_enabled = False
    user.whatsapp_verified_at = None
    user.whatsapp_opted_out_at = None
    user.whatsapp_last_inbound_at = None
    user.whatsapp_sender = None
    user.whatsapp_problem = None
    pending = await session.get(WhatsAppLinkCode, user.id)
    if pending is not None:
        await session.delete(pending)
    await cancel_pending_deliveries(session, user_id=user.id)
    await session.flush()


async def cancel_pending_deliveries(session: AsyncSession, *, user_id: int) -> None:
    """Every WhatsApp delivery of this user not yet sent becomes cancelled."""
    await session.execute(
        update(Delivery)
        .where(
            Delivery.user_id == user_id,
            Delivery.channel == WhatsAppService.name,
            Delivery.status.in_((PENDING, SENDING)),
        )
        .values(status=CANCELLED, lease_until=None, updated_at=utcnow())
    )


def mark_problem(user: User, problem: str) -> None:
    """Record why WhatsApp cannot reach this user and stop sending until it is resolved.

    `needs_join` clears itself when the user next writes to us (joining the sandbox is a message).
    """
    user.whatsapp_problem = problem
    user.whatsapp_enabled = False
    if problem == PROBLEM_OPTED_OUT and user.whatsapp_opted_out_at is None:
        user.whatsapp_opted_out_at = utcnow()


async def set_enabled(session: AsyncSession, *, user: User, enabled: bool) -> User:
    """Turn notifications on or off; on needs a confirmed number that has not opted out."""
    if enabled:
        if user.whatsapp_number is None or user.whatsapp_verified_at is None:
            raise _error(user.language, "not_verified")
        if user.whatsapp_opted_out_at is not None:
            number = (user.whatsapp_sender or "").removeprefix("whatsapp:")
            raise _error(user.language, "opted_out", number=number or "ITA_RENT_BOT")
        user.whatsapp_problem = None
    user.whatsapp_enabled = enabled
    await session.flush()
    return user


def whatsapp_status(user: User, settings: Settings) -> WhatsAppStatusOut:
    linked = user.whatsapp_number is not None and user.whatsapp_verified_at is not None
    return WhatsAppStatusOut(
        available=settings.whatsapp_enabled,
        linked=linked,
        number=user.whatsapp_number,
        enabled=user.whatsapp_enabled and linked,
        verified_at=user.whatsapp_verified_at,
        opted_out=user.whatsapp_opted_out_at is not None,
        problem=user.whatsapp_problem,
        mode=user.whatsapp_mode,
        interval_seconds=(
            user.whatsapp_notification_interval
            if user.whatsapp_notification_interval is not None
            else settings.whatsapp_notification_interval_seconds
        ),
        session_open=within_session_window(user.whatsapp_last_inbound_at),
        sender=mask_sender(user.whatsapp_sender) if user.whatsapp_sender else None,
    )


def whatsapp_settings_view(settings: Settings) -> WhatsAppSettingsOut:
    provider = settings.resolved_whatsapp_provider
    template = (
        settings.whatsapp_template_name if provider == "meta" else settings.whatsapp_template_sid
    )
    return WhatsAppSettingsOut(
        enabled=settings.whatsapp_enabled,
        provider=provider,
        senders=[mask_sender(s) for s in settings.whatsapp_phone_number_id],
        sender_mps=settings.whatsapp_sender_mps,
        default_interval_seconds=settings.whatsapp_notification_interval_seconds,
        template_configured=bool(template),
        send_photos=settings.whatsapp_send_photos,
        status_callbacks=settings.public_base_url is not None,
    )
