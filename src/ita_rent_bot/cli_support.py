"""What every `ita-rent-bot` command shares: settings loading and one-line errors."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, NoReturn, TypeVar

import typer

from ita_rent_bot.config import Settings, SettingsError, load_settings
from ita_rent_bot.log import configure_logging, redact

T = TypeVar("T")


def fail(message: str, code: int = 2) -> NoReturn:
    """Print one line to stderr and exit non-zero."""
    typer.echo(f"error: {redact(message)}", err=True)
    raise typer.Exit(code)


def cli_settings() -> Settings:
    try:
        settings = load_settings()
    except SettingsError as exc:
        fail(str(exc))
    configure_logging(settings.log_level, json=settings.log_json, secrets=settings.secret_values())
    return settings


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """Run a command's coroutine; an unexpected error becomes one line, never a traceback."""
    try:
        return asyncio.run(coro)
    except (typer.Exit, typer.Abort, KeyboardInterrupt):
        raise
    except OSError as exc:
        fail(f"{type(exc).__name__}: {exc}", code=1)
    except Exception as exc:
        fail(f"{type(exc).__name__}: {exc}", code=1)
