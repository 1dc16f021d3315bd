"""What provider webhooks mean for our rows: delivery statuses, and messages users send us.

Both Twilio and Meta webhooks end here once their signature is checked. Nothing commits: the
webhook commits at the end of its request, then sends the reply this module returns (if any).
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ita_rent_bot.channels.whatsapp import linking
from ita_rent_bot.channels.whatsapp.errors import PROBLEM_NEEDS_JOIN, problem_for_code
from ita_rent_bot.db import utcnow
from ita_rent_bot.locales.whatsapp import CATALOG
from ita_rent_bot.notifications.models import (
    CANCELLED,
    DELIVERED,
    FAILED,
    PENDING,
    READ,
    SENDING,
    SENT,
    UNDELIVERED,
    Delivery,
)
from ita_rent_bot.users.models import User

# A status only ever moves up this ladder; a failure after "delivered" is not believed.
_RANK = {PENDING: 0, SENDING: 1, SENT: 2, FAILED: 3, UNDELIVERED: 3, DELIVERED: 4, READ: 5}
# Twilio's MessageStatus and Meta's status names, as our statuses
PROVIDER_STATUSES = {
    "accepted": SENT,
    "scheduled": SENT,
    "queued": SENT,
    "sending": SENT,
    "sent": SENT,
    "delivered": DELIVERED,
    "read": READ,
    "failed": FAILED,
    "undelivered": UNDELIVERED,
}

# The whole message, lower-cased and without punctuation, is the keyword; value: reply language
STOP_WORDS = {
    "stop": "en",
    "stopall": "en",
    "unsubscribe": "en",
    "cancel": "en",
    "end": "en",
    "quit": "en",
    "стоп": "ru",
    "отписаться": "ru",
    "отписка": "ru",
    "отменить": "ru",
    "basta": "it",
    "annulla": "it",
    "disiscrivimi": "it",
}
START_WORDS = {
    "start": "en",
    "unstop": "en",
    "subscribe": "en",
    "resume": "en",
    "старт": "ru",
    "начать": "ru",
    "подписаться": "ru",
    "avvia": "it",
    "ricomincia": "it",
    "riprendi": "it",
    "iscrivimi": "it",
}
HELP_WORDS = {"help": "en", "info": "en", "помощь": "ru", "справка": "ru", "aiuto": "it"}
_CODE = re.compile(r"\d{6}")
_STRIP = string.punctuation + string.whitespace + "«»“”„…¡¿"


@dataclass(frozen=True, slots=True)
class InboundReply:
    """A message to send back to the number that wrote, from the sender it wrote to."""

    to: str
    text: str
    user_id: int
    sender: str | None


def e164_from_address(address: str) -> str:
    """`whatsapp:+39...` (Twilio) or `39...` (Meta) as `+39...`."""
    number = address.strip().removeprefix("whatsapp:")
    return number if number.startswith("+") else "+" + number


def keyword(text: str) -> str:
    return text.strip(_STRIP).removeprefix("/").casefold()


async def record_status(
    session: AsyncSession, *, message_id: str, status: str, error_code: str | None
) -> int:
    """Apply a provider's status to the deliveries sent as `message_id`; how many changed.

    Repeated and out-of-order callbacks are harmless: a status never moves down the ladder, and
    a cancelled delivery stays cancelled. A failure whose code says the recipient is gone marks
    the user's WhatsApp problem.
    """
    new = PROVIDER_STATUSES.get(status.strip().lower())
    if new is None or not message_id:
        return 0
    deliveries = (
        await session.scalars(select(Delivery).where(Delivery.provider_message_id == message_id))
    ).all()
    changed = 0
    failed_users: set[int] = set()
    for delivery in deliveries:
        if delivery.status == CANCELLED or _RANK[new] <= _RANK.get(delivery.status, 0):
            continue
        delivery.status = new
        if new in (FAILED, UNDELIVERED):
            delivery.error_code = error_code
            failed_users.add(delivery.user_id)
        changed += 1
    problem = problem_for_code(error_code)
    if problem is not None:
        for user_id in failed_users:
            user = await session.get(User, user_id)
            if user is not None:
                linking.mark_problem(user, problem)
    await session.flush()
    return changed


async def _user_by_number(session: AsyncSession, number: str) -> User | None:
    user: User | None = await session.scalar(select(User).where(User.whatsapp_number == number))
    return user


async def handle_inbound(
    session: AsyncSession, *, address: str, text: str, received_by: str | None
) -> InboundReply | None:
    """A user wrote to us: open the 24-hour window, then act on STOP, START, HELP or a code."""
    number = e164_from_address(address)
    now = utcnow()
    user = await _user_by_number(session, number)
    if user is not None:
        user.whatsapp_last_inbound_at = now
        if user.whatsapp_problem == PROBLEM_NEEDS_JOIN:
            user.whatsapp_problem = None
            user.whatsapp_enabled = (
                user.whatsapp_verified_at is not None and user.whatsapp_opted_out_at is None
            )
    word = keyword(text)
    compact = "".join(text.split())

    def reply(key: str, language: str) -> InboundReply:
        lang = user.language if user is not None else language
        user_id = user.id if user is not None else 0
        return InboundReply(number, CATALOG.text(lang, key), user_id, received_by)

    result: InboundReply | None = None
    if word in STOP_WORDS:
        if user is not None:
            user.whatsapp_opted_out_at = now
            user.whatsapp_enabled = False
            await linking.cancel_pending_deliveries(session, user_id=user.id)
            result = reply("stopped", STOP_WORDS[word])
    elif word in START_WORDS:
        if user is not None:
            user.whatsapp_opted_out_at = None
            user.whatsapp_enabled = user.whatsapp_verified_at is not None
        result = reply("started" if user is not None else "not_linked", START_WORDS[word])
    elif word in HELP_WORDS:
        result = reply("help", HELP_WORDS[word])
    elif _CODE.fullmatch(compact):
        result = await _inbound_code(session, number=number, code=compact, received_by=received_by)
    await session.flush()
    return result


async def _inbound_code(
    session: AsyncSession, *, number: str, code: str, received_by: str | None
) -> InboundReply | None:
    try:
        linked = await linking.verify_inbound_code(session, number=number, code=code)
    except linking.LinkError as exc:
        owner_id = await session.scalar(
            select(User.id).where(User.whatsapp_number == number).limit(1)
        )
        return InboundReply(number, exc.message, owner_id or 0, received_by)
    if linked is None:
        user = await _user_by_number(session, number)
        if user is None:
            return None
        return InboundReply(
            number, CATALOG.text(user.language, "inbound_code_unknown"), user.id, received_by
        )
    return InboundReply(number, CATALOG.text(linked.language, "linked"), linked.id, received_by)
