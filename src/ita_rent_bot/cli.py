"""The `ita-rent-bot` command. Each domain adds its own commands in `register_commands`."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import typer
import uvicorn

from ita_rent_bot import __version__
from ita_rent_bot.cli_support import cli_settings, fail, run_async
from ita_rent_bot.config import Settings
from ita_rent_bot.db import create_engine

app = typer.Typer(
    name="ita-rent-bot",
    help="Rental alerts for Italy: crawl portals, match searches, notify on Telegram and WhatsApp.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"ita-rent-bot {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """ITA_RENT_BOT."""


async def _migrate(settings: Settings) -> str:
    from ita_rent_bot.migrate import upgrade_to_head

    engine = create_engine(settings)
    try:
        state = await upgrade_to_head(engine, settings)
    finally:
        await engine.dispose()
    return f"database at revision {state.current} (head {state.head})"


@app.command()
def migrate() -> None:
    """Apply pending database migrations (running it twice changes nothing)."""
    settings = cli_settings()
    typer.echo(run_async(_migrate(settings)))


@app.command()
def run(
    host: str = typer.Option(None, help="Address to serve on (default API_HOST, 127.0.0.1)."),
    port: int = typer.Option(None, help="Port to serve on (default API_PORT, 8000)."),
    workers: int = typer.Option(
        None, min=1, max=32, help="API processes sharing the port (default API_WORKERS, 1)."
    ),
    demo: bool = typer.Option(
        False, "--demo", help="Show the product on sample listings (console only), then exit."
    ),
) -> None:
    """Migrate, then serve the API and run the workers and scheduler in this one process."""
    settings = cli_settings()
    if demo:
        from ita_rent_bot.worker.demo import run_demo

        run_async(run_demo(settings))
        return
    processes = workers or settings.api_workers
    if processes > 1 and settings.embedded_workers:
        fail(
            f"{processes} API processes need EMBEDDED_WORKERS=false (each would send on its own "
            "rate limits): run `ita-rent-bot worker` and `ita-rent-bot scheduler` beside them"
        )
    typer.echo(run_async(_migrate(settings)), err=True)
    options: dict[str, Any] = {
        "host": host or settings.api_host,
        "port": port or settings.api_port,
        "log_level": settings.log_level.lower(),
        "access_log": False,
        "http": "ita_rent_bot.http_protocol:OneWriteHttpProtocol",  # an answer in one write
    }
    if processes > 1:  # each process builds the app from the same environment
        _serve_processes(processes, options)
        return
    from ita_rent_bot.main import create_app

    run_async(uvicorn.Server(uvicorn.Config(create_app(settings), **options)).serve())


def _serve_processes(processes: int, options: dict[str, Any]) -> None:
    """uvicorn's worker processes on one socket, keeping their connections even (serving)."""
    from ita_rent_bot.serving import BOARD_ENV, AcceptBoard

    with tempfile.TemporaryDirectory(prefix="ita-rent-bot-") as folder:
        board = AcceptBoard.create(Path(folder) / "accept-board")
        os.environ[BOARD_ENV] = str(board.path)
        try:
            uvicorn.run(
                "ita_rent_bot.main:create_app",
                factory=True,
                workers=processes,
                loop="ita_rent_bot.serving:balanced_loop",
                **options,
            )
        finally:
            board.close()


def register_commands() -> None:
    """Each domain's commands (added by their modules)."""
    from ita_rent_bot.bot import cli as bot_cli
    from ita_rent_bot.channels.whatsapp.cli import app as whatsapp_app
    from ita_rent_bot.filters.cli import filters_app
    from ita_rent_bot.sources import cli as sources_cli
    from ita_rent_bot.worker import cli as worker_cli

    app.add_typer(whatsapp_app, name="whatsapp")
    app.add_typer(filters_app, name="filters")
    sources_cli.register(app)
    bot_cli.register(app)
    worker_cli.register(app)


register_commands()
