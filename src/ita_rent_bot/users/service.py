"""Users: Telegram sign-up, preferences, personal API tokens (stored hashed), leaving."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from ita_rent_bot.db import utcnow
from ita_rent_bot.filters.models import SearchFilter
from ita_rent_bot.listings.models import ListingMark
from ita_rent_bot.locales import normalise_language
from ita_rent_bot.notifications.models import Delivery
from ita_rent_bot.users.models import User, WhatsAppLinkCode
from ita_rent_bot.users.schemas import UserPatch

TOKEN_PREFIX = "irb_"  # noqa: S105 - a public prefix that marks our tokens, not a secret


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


async def get_user(session: AsyncSession, *, user_id: int) -> User | None:
    return await session.get(User, user_id)


async def get_by_telegram_chat(session: AsyncSession, *, chat_id: int) -> User | None:
    result = await session.execute(select(User).where(User.telegram_chat_id == chat_id))
    return result.scalar_one_or_none()


async def get_or_create_telegram_user(
    session: AsyncSession, *, chat_id: int, username: str | None, language_code: str | None
) -> tuple[User, bool]:
    """The user behind a Telegram chat, created on first contact (language from Telegram)."""
    user = await get_by_telegram_chat(session, chat_id=chat_id)
    if user is not None:
        if username and user.telegram_username != username:
            user.telegram_username = username
        if not user.is_active:
            user.is_active = True
        return user, False
    user = User(
        telegram_chat_id=chat_id,
        telegram_username=username,
        language=normalise_language(language_code),
    )
    session.add(user)
    await session.flush()
    return user, True


async def issue_api_token(session: AsyncSession, *, user: User) -> str:
    """A new personal token, shown once; asking again rotates it (the old one stops working)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    user.api_token_hash = hash_token(token)
    await session.flush()
    return token


_BY_TOKEN_HASH = select(User).where(User.api_token_hash == bindparam("digest"))  # built once


async def get_by_api_token(session: AsyncSession, *, token: str) -> User | None:
    """The active user owning this token; the stored hash is compared in constant time."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 128:
        return None
    digest = hash_token(token)
    user = (await session.execute(_BY_TOKEN_HASH, {"digest": digest})).scalar_one_or_none()
    if user is None or user.api_token_hash is None:
        return None
    if not hmac.compare_digest(user.api_token_hash, digest) or not user.is_active:
        return None
    return user


async def update_preferences(session: AsyncSession, *, user: User, patch: UserPatch) -> User:
    for field in patch.model_fields_set:
        setattr(user, field, getattr(patch, field))
    user.updated_at = utcnow()
    await session.flush()
    return user


async def delete_user(session: AsyncSession, *, user: User) -> None:
    """Leave: the user and everything of theirs (filters, marks, deliveries) is deleted."""
    for model in (Delivery, ListingMark, SearchFilter, WhatsAppLinkCode):
        await session.execute(delete(model).where(model.user_id == user.id))
    await session.delete(user)
    await session.flush()
