"""`ita-rent-bot worker [--channel whatsapp|telegram]` and `ita-rent-bot scheduler`.

Any number of workers share the work (jobs over BROKER_URL, deliveries claimed from the
database); exactly one scheduler leads, a second one waits. Both stop cleanly on SIGINT/SIGTERM.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import signal
from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from ita_rent_bot.cli_support import cli_settings, fail, run_async
from ita_rent_bot.config import Settings
from ita_rent_bot.log import get_logger

if TYPE_CHECKING:  # the worker pulls in aiogram and twilio: imported only when it runs
    from ita_rent_bot.app_state import AppState
    from ita_rent_bot.worker.process import WorkerProcess

log = get_logger(__name__)


class ChannelName(StrEnum):
    telegram = "telegram"
    whatsapp = "whatsapp"


async def _serve(settings: Settings, build: Callable[[AppState], WorkerProcess]) -> None:
    from ita_rent_bot.app_state import AppState
    from ita_rent_bot.migrate import migration_state

    state = AppState.create(settings)
    try:
        migrations = await migration_state(state.engine, settings)
        if not migrations.up_to_date:
            fail("the database is not migrated: run `ita-rent-bot migrate` first", code=1)
        process = build(state)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await process.start()
        gc.freeze()  # what start-up built stays: full collections stop scanning it (no pauses)
        waiter = asyncio.create_task(stop.wait())
        try:
            await asyncio.wait(
                [waiter, asyncio.create_task(process.wait())], return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)
            waiter.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await waiter
            await process.stop()
    finally:
        await state.aclose()


ChannelOption = Annotated[
    ChannelName | None,
    typer.Option(
        "--channel", help="Deliver only this channel (e.g. the client's WhatsApp worker)."
    ),
]


def worker(channel: ChannelOption = None) -> None:
    """Deliver notifications and run crawl jobs; run as many as you like."""
    settings = cli_settings()
    name = channel.value if channel is not None else None
    if name == "whatsapp" and not settings.whatsapp_enabled and not settings.debug_notifications:
        fail("WHATSAPP_ENABLED is not true: a WhatsApp worker would have nothing to send")
    if (
        name == "telegram"
        and settings.telegram_bot_token is None
        and not settings.debug_notifications
    ):
        fail("TELEGRAM_BOT_TOKEN is not set: a Telegram worker would have nothing to send")
    if settings.broker_url is None:
        log.warning("BROKER_URL is not set: this worker delivers from the database, runs no jobs")
    from ita_rent_bot.worker.process import WorkerProcess

    run_async(_serve(settings, lambda state: WorkerProcess.worker(state, name)))


def scheduler() -> None:
    """Kick crawls and sweep the outbox; exactly one leads, a second one waits to take over."""
    settings = cli_settings()
    if settings.broker_url is None:
        fail("BROKER_URL is not set: a separate scheduler needs a shared broker (redis://...)")
    from ita_rent_bot.worker.process import WorkerProcess

    run_async(_serve(settings, WorkerProcess.scheduler_only))


def register(app: typer.Typer) -> None:
    app.command()(worker)
    app.command()(scheduler)
