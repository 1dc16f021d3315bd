"""`ita-rent-bot filters add|list|pause|resume|delete`: operators manage a user's searches.

The user is named by --user-id or --telegram-chat-id. Values go through FilterIn exactly as the
API's and the bot's do; a bad one is reported on one line with exit code 2.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import typer
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ita_rent_bot.cli_support import cli_settings, fail, run_async
from ita_rent_bot.db import create_engine, create_session_factory, unit_of_work
from ita_rent_bot.filters import service
from ita_rent_bot.filters.cities import display_name
from ita_rent_bot.filters.models import SearchFilter
from ita_rent_bot.filters.schemas import FilterIn, FilterOut
from ita_rent_bot.filters.validation import FilterValidationError, first_error
from ita_rent_bot.users.models import User

T = TypeVar("T")

filters_app = typer.Typer(
    help="Users' saved searches: add, list, pause, resume, delete.", no_args_is_help=True
)

USER_ID = typer.Option(None, "--user-id", help="The user's id.")
CHAT_ID = typer.Option(None, "--telegram-chat-id", help="The user's Telegram chat id.")
ZONES = typer.Option(None, "--zone", help="A zone (repeat for more).")
SOURCES = typer.Option(None, "--source", help="subito, immobiliare or idealista (repeat).")
INCLUDE = typer.Option(None, "--include-word", help="Must appear (repeat).")
EXCLUDE = typer.Option(None, "--exclude-word", help="Must not appear (repeat).")


def _int(value: str, what: str) -> int:
    try:
        return int(value)
    except ValueError:
        fail(f"{what}: “{value}” is not a whole number")


def _run(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run `work` in one transaction; a rule it breaks becomes one line and exit code 2."""

    async def main() -> T:
        engine = create_engine(cli_settings())
        try:
            async with unit_of_work(create_session_factory(engine)) as session:
                return await work(session)
        except FilterValidationError as exc:
            fail(exc.message("en"))
        except ValidationError as exc:
            fail(first_error(exc).message("en"))
        finally:
            await engine.dispose()

    return run_async(main())


async def _user(session: AsyncSession, user_id: str | None, chat_id: str | None) -> int:
    if (user_id is None) == (chat_id is None):
        fail("give exactly one of --user-id and --telegram-chat-id")
    if user_id is not None:
        user = await session.get(User, _int(user_id, "--user-id"))
    else:
        assert chat_id is not None
        chat = _int(chat_id, "--telegram-chat-id")
        user = await session.scalar(select(User).where(User.telegram_chat_id == chat))
    if user is None:
        fail("no such user")
    return user.id


def _describe(f: SearchFilter) -> str:
    parts = [f"#{f.id}", f"“{f.name}”", display_name(f.city)]
    if f.zones:
        parts.append("zones " + ", ".join(f.zones))
    for label, lo, hi in (
        ("€", f.price_min, f.price_max),
        ("rooms", f.rooms_min, f.rooms_max),
        ("m²", f.area_min, f.area_max),
    ):
        if lo is not None or hi is not None:
            parts.append(f"{label} {'' if lo is None else lo}-{'' if hi is None else hi}")
    if f.max_price_per_m2 is not None:
        parts.append(f"≤{f.max_price_per_m2} €/m²")
    if f.sources:
        parts.append("on " + ", ".join(f.sources))
    if f.include_words:
        parts.append("with " + ", ".join(f.include_words))
    if f.exclude_words:
        parts.append("without " + ", ".join(f.exclude_words))
    flags = ("private_only", "with_photos", "furnished", "include_unknown", "paused")
    parts.extend(flag for flag in flags if getattr(f, flag))
    return "  ".join(parts)


@filters_app.command("add")
def add(
    name: str = typer.Option(None, "--name", help="What the user calls this search."),
    city: str = typer.Option(None, "--city", help="A comune, in any language: Roma, Rome, Рим."),
    zone: list[str] | None = ZONES,
    source: list[str] | None = SOURCES,
    price_min: str = typer.Option(None, "--price-min"),
    price_max: str = typer.Option(None, "--price-max"),
    rooms_min: str = typer.Option(None, "--rooms-min"),
    rooms_max: str = typer.Option(None, "--rooms-max"),
    area_min: str = typer.Option(None, "--area-min"),
    area_max: str = typer.Option(None, "--area-max"),
    max_price_per_m2: str = typer.Option(None, "--max-price-per-m2"),
    include_word: list[str] | None = INCLUDE,
    exclude_word: list[str] | None = EXCLUDE,
    private_only: bool = typer.Option(False, "--private-only"),
    with_photos: bool = typer.Option(False, "--with-photos"),
    furnished: bool = typer.Option(False, "--furnished"),
    include_unknown: bool = typer.Option(False, "--include-unknown"),
    user_id: str = USER_ID,
    telegram_chat_id: str = CHAT_ID,
) -> None:
    """Add a search for a user."""
    fields: dict[str, Any] = {
        "name": name or "",
        "city": city or "",
        "zones": zone or [],
        "sources": source or [],
        "price_min": price_min,
        "price_max": price_max,
        "rooms_min": rooms_min,
        "rooms_max": rooms_max,
        "area_min": area_min,
        "area_max": area_max,
        "max_price_per_m2": max_price_per_m2,
        "include_words": include_word or [],
        "exclude_words": exclude_word or [],
        "private_only": private_only,
        "with_photos": with_photos,
        "furnished": furnished,
        "include_unknown": include_unknown,
    }

    async def work(session: AsyncSession) -> str:
        owner = await _user(session, user_id, telegram_chat_id)
        data = FilterIn.model_validate(fields)
        created = await service.create_filter(session, user_id=owner, data=data)
        return "added " + _describe(created)

    typer.echo(_run(work))


@filters_app.command("list")
def list_(
    user_id: str = USER_ID,
    telegram_chat_id: str = CHAT_ID,
    json: bool = typer.Option(False, "--json", help="One JSON object per line."),
) -> None:
    """List a user's searches."""

    async def work(session: AsyncSession) -> list[str]:
        owner = await _user(session, user_id, telegram_chat_id)
        found = await service.list_filters(session, user_id=owner)
        if json:
            return [FilterOut.model_validate(f).model_dump_json() for f in found]
        return [_describe(f) for f in found]

    for line in _run(work):
        typer.echo(line)


def _set_paused(filter_id: str, user_id: str | None, chat_id: str | None, paused: bool) -> None:
    async def work(session: AsyncSession) -> str:
        owner = await _user(session, user_id, chat_id)
        changed = await service.set_paused(
            session, user_id=owner, filter_id=_int(filter_id, "FILTER_ID"), paused=paused
        )
        if changed is None:
            fail(f"the user has no search #{filter_id}")
        return ("paused " if paused else "resumed ") + _describe(changed)

    typer.echo(_run(work))


@filters_app.command("pause")
def pause(
    filter_id: str = typer.Argument(..., help="The search's id (see `filters list`)."),
    user_id: str = USER_ID,
    telegram_chat_id: str = CHAT_ID,
) -> None:
    """Pause a search: nothing is sent for it until it is resumed."""
    _set_paused(filter_id, user_id, telegram_chat_id, True)


@filters_app.command("resume")
def resume(
    filter_id: str = typer.Argument(..., help="The search's id (see `filters list`)."),
    user_id: str = USER_ID,
    telegram_chat_id: str = CHAT_ID,
) -> None:
    """Resume a paused search."""
    _set_paused(filter_id, user_id, telegram_chat_id, False)


@filters_app.command("delete")
def delete(
    filter_id: str = typer.Argument(..., help="The search's id (see `filters list`)."),
    user_id: str = USER_ID,
    telegram_chat_id: str = CHAT_ID,
) -> None:
    """Delete a search for good."""

    async def work(session: AsyncSession) -> str:
        owner = await _user(session, user_id, telegram_chat_id)
        number = _int(filter_id, "FILTER_ID")
        if not await service.delete_filter(session, user_id=owner, filter_id=number):
            fail(f"the user has no search #{filter_id}")
        return f"deleted search #{number}"

    typer.echo(_run(work))
