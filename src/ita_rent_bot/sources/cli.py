"""`ita-rent-bot parse PORTAL FILE` and `ita-rent-bot crawl PORTAL --city CITY --once`."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Annotated

import orjson
import typer
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from ita_rent_bot.cli_support import cli_settings, fail, run_async
from ita_rent_bot.config import Settings
from ita_rent_bot.db import create_engine, create_session_factory
from ita_rent_bot.listings.normalise import city_slug
from ita_rent_bot.sources.base import NotAResultPageError, Source
from ita_rent_bot.sources.crawler import CrawlReport, crawl_target
from ita_rent_bot.sources.http import PoliteFetcher
from ita_rent_bot.sources.registry import UnknownSourceError, all_sources, get_source

SOURCE_NAMES = ", ".join(source.name for source in all_sources())
REQUIRED_TABLES = ("listings", "price_changes", "crawl_targets", "source_status")


def _source(name: str) -> Source:
    try:
        return get_source(name.strip().lower())
    except UnknownSourceError:
        fail(f"unknown portal {name!r}; use one of: {SOURCE_NAMES}")


def parse(
    portal: Annotated[str, typer.Argument(help=f"One of: {SOURCE_NAMES}.")],
    file: Annotated[Path, typer.Argument(help="A saved result page or API answer.")],
) -> None:
    """Print each listing of a saved result page as one JSON object per line."""
    source = _source(portal)
    try:
        body = file.read_bytes()
    except OSError as exc:
        fail(f"cannot read {file}: {exc.strerror or exc}")
    try:
        result = source.parse(body)
    except NotAResultPageError as exc:
        fail(f"{file} is not a result page of {source.label}: {exc}", code=2)
    out = sys.stdout.buffer
    for listing in result.listings:
        out.write(orjson.dumps(listing.to_json_dict()) + b"\n")
    out.flush()
    if result.skipped:
        typer.echo(f"skipped {result.skipped} damaged card(s)", err=True)


async def _schema_ready(settings: Settings) -> bool:
    engine = create_engine(settings)

    def has_tables(conn: Connection) -> bool:
        names = set(inspect(conn).get_table_names())
        return all(table in names for table in REQUIRED_TABLES)

    try:
        async with engine.connect() as conn:
            return await conn.run_sync(has_tables)
    finally:
        await engine.dispose()


async def _crawl_once(settings: Settings, source: Source, city: str) -> CrawlReport:
    engine = create_engine(settings)
    try:
        async with PoliteFetcher(settings) as fetcher:
            return await crawl_target(
                create_session_factory(engine), settings, source=source, city=city, fetcher=fetcher
            )
    finally:
        await engine.dispose()


def _describe(report: CrawlReport) -> str:
    line = (
        f"{report.source} {report.city}: {report.status}, {report.pages} page(s), "
        f"found {report.found}, new {report.new}, stored {report.stored}"
    )
    if report.price_changed or report.twins_linked:
        line += f", price changes {report.price_changed}, twins linked {report.twins_linked}"
    if report.seeded:
        line += " (first crawl of this target: recorded without notifying)"
    if report.error:
        line += f"; {report.error}"
    return line


def crawl(
    portal: Annotated[str, typer.Argument(help=f"One of: {SOURCE_NAMES}.")],
    city: Annotated[str, typer.Option("--city", help="The city to crawl, e.g. roma.")],
    once: Annotated[bool, typer.Option("--once", help="Crawl once and exit.")] = False,
) -> None:
    """Crawl one portal's rent search for a city, store what it finds, and say what it stored."""
    source = _source(portal)
    slug = city_slug(city)
    if slug is None:
        fail("--city must name a city, e.g. roma")
    settings = cli_settings()
    if not source.is_configured(settings):
        fail(f"{source.name} is not configured (set IDEALISTA_API_KEY and IDEALISTA_API_SECRET)")
    if not run_async(_schema_ready(settings)):
        fail("the database has no schema yet; run `ita-rent-bot migrate` first")
    while True:
        report = run_async(_crawl_once(settings, source, slug))
        typer.echo(_describe(report))
        if once:
            if report.status in ("blocked", "failing") and report.found == 0:
                raise typer.Exit(1)
            return
        try:
            asyncio.run(asyncio.sleep(settings.crawl_interval_seconds))
        except KeyboardInterrupt:
            return


def register(app: typer.Typer) -> None:
    app.command("parse")(parse)
    app.command("crawl")(crawl)
