"""The crawl cycle: every active target, page by page until known listings, then one ingest.

A target's first crawl only records what is there (no hook, so nobody is flooded); later crawls
call `after_ingest(session, result)` inside the ingest's transaction, so matching and the outbox
commit together with the listings or not at all. A blocked or failing source is recorded in
SourceStatus, backed off, and skipped until its backoff passes; nothing raises out of a cycle.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ita_rent_bot.config import Settings
from ita_rent_bot.db import unit_of_work, utcnow
from ita_rent_bot.listings import service as listings
from ita_rent_bot.listings.schemas import ListingData
from ita_rent_bot.listings.service import IngestResult
from ita_rent_bot.log import get_logger, redact
from ita_rent_bot.sources import service as crawl_state
from ita_rent_bot.sources.base import (
    SearchQuery,
    Source,
    SourceFailingError,
    SourceUnavailableError,
)
from ita_rent_bot.sources.http import PoliteFetcher
from ita_rent_bot.sources.registry import get_source, source_for

log = get_logger(__name__)

AfterIngest = Callable[[AsyncSession, IngestResult], Awaitable[None]]
SessionFactory = async_sessionmaker[AsyncSession]
# A listing missing from its portal's results this long is gone (never re-announced).
STALE_AFTER = timedelta(days=7)


@dataclass(slots=True)
class CrawlReport:
    source: str
    portal: str
    city: str
    status: Literal["ok", "blocked", "failing", "skipped"] = "ok"
    pages: int = 0
    found: int = 0
    new: int = 0
    stored: int = 0
    price_changed: int = 0
    twins_linked: int = 0
    deactivated: int = 0
    seeded: bool = False
    error: str | None = None
    seconds: float = 0.0


@dataclass(slots=True)
class _Pages:
    listings: list[ListingData]
    pages: int
    error: SourceUnavailableError | None


async def _read_pages(
    session_factory: SessionFactory,
    settings: Settings,
    *,
    source: Source,
    city: str,
    fetcher: PoliteFetcher,
) -> _Pages:
    """Fetch pages newest first until one shows a stored listing, brings nothing new, or the cap."""
    collected: dict[str, ListingData] = {}
    pages = 0
    for page in range(1, settings.crawl_max_pages + 1):
        try:
            result = await source.fetch_page(fetcher, SearchQuery(city=city, page=page), settings)
        except SourceUnavailableError as exc:
            return _Pages(list(collected.values()), pages, exc)
        pages += 1
        if result.skipped:
            log.warning("damaged cards skipped", source=source.name, page=page, n=result.skipped)
            if not result.listings:
                error = SourceFailingError(
                    f"none of the {result.skipped} cards on page {page} could be read "
                    "(has the page changed?)"
                )
                return _Pages(list(collected.values()), pages, error)
        fresh = [x for x in result.listings if x.source_id not in collected]
        for listing in fresh:
            collected[listing.source_id] = listing
        if not fresh or not result.has_next:  # an empty page, the last, or a repeat of earlier
            break
        organic = [x.source_id for x in result.listings if x.source_id not in result.promoted]
        async with session_factory() as session:
            known = await listings.known_ids(session, source=source.portal, source_ids=organic)
        if known:
            break
    return _Pages(list(collected.values()), pages, None)


async def crawl_target(
    session_factory: SessionFactory,
    settings: Settings,
    *,
    source: Source | str,
    city: str,
    fetcher: PoliteFetcher,
    after_ingest: AfterIngest | None = None,
    write_lock: asyncio.Lock | None = None,
) -> CrawlReport:
    """Crawl one portal search (a source and a city) and ingest it in one transaction.

    Source trouble is recorded and reported; a database or hook error propagates (rolled back).
    """
    source = get_source(source) if isinstance(source, str) else source
    started = time.monotonic()
    report = CrawlReport(source=source.name, portal=source.portal, city=city)
    read = await _read_pages(session_factory, settings, source=source, city=city, fetcher=fetcher)
    report.pages, report.found = read.pages, len(read.listings)
    async with write_lock or asyncio.Lock(), unit_of_work(session_factory) as session:
        now = utcnow()
        if read.error is not None:
            report.status, report.error = read.error.kind, redact(str(read.error))
            await crawl_state.record_failure(
                session, source=source.name, kind=read.error.kind, error=report.error, now=now
            )
            if not read.listings:
                report.seconds = time.monotonic() - started
                return report
        result = await listings.ingest(session, read.listings, now=now)
        target = await crawl_state.get_target(session, portal=source.portal, city=city)
        if target.seeded_at is None:
            target.seeded_at = now
            report.seeded = True
        elif after_ingest is not None:
            await after_ingest(session, result)
        target.last_crawl_at = now
        target.last_found, target.last_new = len(read.listings), len(result.new)
        if read.error is None:
            await crawl_state.record_success(session, source=source.name, now=now)
            report.deactivated = await listings.deactivate_stale(
                session, source=source.portal, now=now, older_than=STALE_AFTER
            )
    report.new, report.stored = len(result.new), result.seen
    report.price_changed, report.twins_linked = len(result.price_changed), result.twins_linked
    report.seconds = time.monotonic() - started
    return report


async def _crawl_source_targets(
    session_factory: SessionFactory,
    settings: Settings,
    *,
    source: Source,
    cities: list[str],
    fetcher: PoliteFetcher,
    after_ingest: AfterIngest | None,
    write_lock: asyncio.Lock,
) -> list[CrawlReport]:
    """One source's targets in turn; once it is blocked or failing, the rest wait for backoff."""
    reports: list[CrawlReport] = []
    stopped: str | None = None
    for city in cities:
        if stopped is not None:
            reports.append(
                CrawlReport(source.name, source.portal, city, status="skipped", error=stopped)
            )
            continue
        try:
            report = await crawl_target(
                session_factory,
                settings,
                source=source,
                city=city,
                fetcher=fetcher,
                after_ingest=after_ingest,
                write_lock=write_lock,
            )
        except Exception as exc:  # the database or the hook: this target's ingest was rolled back
            log.exception("crawl target failed", source=source.name, city=city)
            report = CrawlReport(
                source.name, source.portal, city, status="failing", error=redact(repr(exc))
            )
        reports.append(report)
        if report.status in ("blocked", "failing") and report.found == 0:
            stopped = f"{source.name} is {report.status}: {report.error}"
    return reports


async def crawl_cycle(
    session_factory: SessionFactory,
    settings: Settings,
    *,
    fetcher: PoliteFetcher,
    after_ingest: AfterIngest | None = None,
) -> list[CrawlReport]:
    """Crawl every active target once; sources run side by side, each one's targets in turn."""
    try:
        async with session_factory() as session:
            targets = await crawl_state.active_targets(session)
            statuses = {s.source: s for s in await crawl_state.list_statuses(session)}
    except Exception as exc:  # the database is down or not migrated: try again next cycle
        log.error("crawl cycle could not read its targets", error=redact(repr(exc)))
        return []
    now = utcnow()
    plan: dict[str, list[str]] = defaultdict(list)
    skipped: list[CrawlReport] = []
    sources: dict[str, Source] = {}
    for target in targets:
        source = source_for(target.portal, target.city, settings)
        status = statuses.get(source.name)
        if crawl_state.backing_off(status, now):
            assert status is not None
            skipped.append(
                CrawlReport(
                    source.name,
                    source.portal,
                    target.city,
                    status="skipped",
                    error=f"backing off until {status.backoff_until}: {status.last_error}",
                )
            )
            continue
        sources[source.name] = source
        plan[source.name].append(target.city)
    write_lock = asyncio.Lock()
    groups = await asyncio.gather(
        *(
            _crawl_source_targets(
                session_factory,
                settings,
                source=sources[name],
                cities=cities,
                fetcher=fetcher,
                after_ingest=after_ingest,
                write_lock=write_lock,
            )
            for name, cities in plan.items()
        )
    )
    reports = skipped + [report for group in groups for report in group]
    for report in reports:
        log.info(
            "crawled",
            source=report.source,
            city=report.city,
            status=report.status,
            pages=report.pages,
            found=report.found,
            new=report.new,
            seeded=report.seeded,
            error=report.error,
        )
    return reports
