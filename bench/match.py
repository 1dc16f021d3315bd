"""Matching benchmark: 50,000 users with 100,000 filters over 30 cities, 1,000 new listings.

Prints: the time to match every listing with the FilterIndex, the time for the naive one-by-one
evaluation in the same run (each active filter compiled once, then tested against each listing),
the ratio, the matches found (and that both ways found the same), then the time to ingest and
commit the listings together with their outbox rows on SQLite and on PostgreSQL.

    .venv/bin/python bench/match.py [--users N] [--filters N] [--listings N] [--seed N]
        [--skip-naive] [--skip-db] [--postgres-url postgresql+asyncpg://postgres@127.0.0.1/test]

The PostgreSQL database (bench_match_<random>) is created and dropped by the script.
Targets (issue 4): matching <= 0.5 s and >= 50x naive; ingest + outbox <= 5 s on each database.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from ita_rent_bot.config import Settings
from ita_rent_bot.db import create_engine, create_session_factory, unit_of_work
from ita_rent_bot.filters.matcher import FilterIndex
from ita_rent_bot.filters.models import SearchFilter
from ita_rent_bot.filters.outbox import enqueue_matches
from ita_rent_bot.filters.predicate import CompiledFilter, ListingView
from ita_rent_bot.listings.schemas import ListingData
from ita_rent_bot.listings.service import ingest
from ita_rent_bot.models import Base
from ita_rent_bot.users.models import User

# city, share of users, median monthly rent (euros): Rome and Milan large, a long tail after
CITIES = [
    ("roma", 0.22, 1300), ("milano", 0.20, 1500), ("napoli", 0.06, 950),
    ("torino", 0.06, 850), ("firenze", 0.05, 1300), ("bologna", 0.05, 1200),
    ("genova", 0.03, 800), ("palermo", 0.03, 700), ("padova", 0.025, 850),
    ("verona", 0.025, 900), ("venezia", 0.02, 1100), ("bari", 0.02, 750),
    ("pisa", 0.02, 850), ("trieste", 0.015, 700), ("catania", 0.015, 650),
    ("parma", 0.015, 850), ("modena", 0.015, 850), ("brescia", 0.015, 800),
    ("bergamo", 0.015, 850), ("trento", 0.012, 900), ("cagliari", 0.012, 750),
    ("perugia", 0.01, 650), ("salerno", 0.01, 700), ("lecce", 0.01, 650),
    ("monza", 0.01, 1000), ("rimini", 0.008, 800), ("siena", 0.008, 850),
    ("como", 0.008, 950), ("livorno", 0.007, 700), ("reggio-nell-emilia", 0.007, 750),
]  # fmt: skip
ROME_ZONES = [
    "Centro Storico", "Trastevere", "Monti", "Prati", "Testaccio", "San Lorenzo", "Pigneto",
    "Parioli", "Flaminio", "Esquilino", "San Giovanni", "Ostiense", "Garbatella", "Eur",
    "Monteverde", "Balduina", "Trieste", "Nomentano", "Tuscolano", "Appio Latino",
    "Prenestino", "Centocelle", "Marconi", "Aurelio", "Talenti", "Montesacro", "Bufalotta",
    "Cinecittà", "Don Bosco", "Torpignattara", "Quadraro", "Portuense", "Magliana", "Ostia",
    "Axa", "Infernetto", "Primavalle", "Boccea", "Monte Mario", "Vigna Clara", "Ponte Milvio",
    "Salario", "Africano", "Tor Vergata", "Torre Angela", "Casal Palocco",
]  # fmt: skip
MILAN_ZONES = [
    "Centro", "Brera", "Navigli", "Porta Romana", "Porta Venezia", "Isola", "Città Studi",
    "Lambrate", "NoLo", "Loreto", "Bicocca", "Niguarda", "San Siro", "De Angeli",
    "Sempione", "Tortona", "Bovisa", "Dergano", "Corvetto", "Lodi", "Bocconi", "Ticinese",
    "Garibaldi", "Wagner", "Turro", "Affori", "Baggio", "Barona", "Bande Nere", "Gallaratese",
    "QT8", "Lorenteggio", "Giambellino", "Precotto", "Gorla", "Greco", "Villapizzone",
    "Forlanini", "Ortica", "Rogoredo", "Quarto Oggiaro", "Maciachini", "Centrale", "Cadorna",
]  # fmt: skip
OTHER_ZONES = [
    "Centro", "Centro Storico", "Stazione", "Università", "Ospedale", "Borgo", "Collina",
    "Mare", "Periferia Nord", "Periferia Sud", "San Giuseppe", "Santa Maria", "Porto",
    "Zona Industriale", "Lungomare",
]  # fmt: skip
SOURCES = ["subito", "immobiliare", "idealista"]
FEATURES = [
    "balcone", "terrazzo", "ascensore", "posto auto", "cantina", "giardino", "arredato",
    "riscaldamento autonomo", "aria condizionata", "doppi servizi", "seminterrato",
    "piano terra", "vicino metro", "luminoso",
]  # fmt: skip
WANTED = [["balcone"], ["terrazzo"], ["ascensore"], ["posto auto"], ["metro"], ["giardino"]]
UNWANTED = [["seminterrato"], ["piano terra"], ["asta"], ["studenti"], ["transitorio"]]
KINDS = {1: "Monolocale", 2: "Bilocale", 3: "Trilocale", 4: "Quadrilocale", 5: "Pentalocale"}


def _zones(city: str) -> list[str]:
    return {"roma": ROME_ZONES, "milano": MILAN_ZONES}.get(city, OTHER_ZONES)


def _round(value: float, step: int = 50) -> int:
    return max(step, round(value / step) * step)


@dataclass
class BenchFilter:
    """A filter row as the index and the database take it."""

    id: int
    user_id: int
    city: str
    name: str = "search"
    zones: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    price_min: int | None = None
    price_max: int | None = None
    rooms_min: int | None = None
    rooms_max: int | None = None
    area_min: int | None = None
    area_max: int | None = None
    max_price_per_m2: int | None = None
    include_words: list[str] = field(default_factory=list)
    exclude_words: list[str] = field(default_factory=list)
    private_only: bool = False
    with_photos: bool = False
    furnished: bool = False
    include_unknown: bool = False
    paused: bool = False
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC) - timedelta(days=1))
    updated_at: datetime = field(default_factory=lambda: datetime.now(UTC) - timedelta(days=1))


def make_filters(rng: random.Random, users: int, count: int) -> list[BenchFilter]:
    """Each user searches one city (most of their searches there), 1 to 4 searches each."""
    weights = [share for _, share, _ in CITIES]
    home = rng.choices(range(len(CITIES)), weights=weights, k=users)
    owners = list(range(1, users + 1)) + [rng.randint(1, users) for _ in range(count - users)]
    result = []
    for filter_id, user_id in enumerate(owners, start=1):
        index = home[user_id - 1] if rng.random() < 0.9 else rng.choices(range(30), weights)[0]
        city, _, median = CITIES[index]
        f = BenchFilter(id=filter_id, user_id=user_id, city=city)
        f.price_max = _round(median * rng.uniform(0.7, 1.3))
        if rng.random() < 0.8:
            f.price_min = max(0, f.price_max - _round(rng.uniform(300, 700), 100))
        if rng.random() < 0.85:
            f.rooms_min = rng.choice([1, 2, 2, 2, 3, 3, 4])
            if rng.random() < 0.6:
                f.rooms_max = f.rooms_min + rng.choice([0, 1, 1, 2])
        if rng.random() < 0.6:
            f.area_min = rng.choice([30, 40, 45, 50, 60, 65, 70, 80, 90, 100])
            if rng.random() < 0.15:
                f.area_max = f.area_min + rng.choice([30, 50, 80])
        if rng.random() < 0.75:
            f.zones = rng.sample(_zones(city), rng.choice([1, 2, 2, 3]))
        if rng.random() < 0.2:
            f.sources = rng.sample(SOURCES, rng.choice([1, 2]))
        if rng.random() < 0.08:
            f.max_price_per_m2 = rng.choice([12, 15, 18, 20, 25])
        if rng.random() < 0.1:
            f.include_words = rng.choice(WANTED)
        if rng.random() < 0.15:
            f.exclude_words = rng.choice(UNWANTED)
        f.private_only = rng.random() < 0.1
        f.with_photos = rng.random() < 0.35
        f.furnished = rng.random() < 0.2
        f.include_unknown = rng.random() < 0.25
        f.paused = rng.random() < 0.03
        result.append(f)
    return result


def make_listings(rng: random.Random, count: int, tag: str) -> list[ListingData]:
    weights = [share for _, share, _ in CITIES]
    result = []
    for i in range(count):
        city, _, median = rng.choices(CITIES, weights=weights)[0]
        rooms = rng.choices([1, 2, 3, 4, 5], weights=[15, 35, 30, 15, 5])[0]
        area = max(18, int(rng.gauss(22 + rooms * 22, 12)))
        price = _round(median * (0.55 + 0.2 * rooms) * rng.lognormvariate(0, 0.25), 10)
        features = rng.sample(FEATURES, 3)
        result.append(
            ListingData(
                source=rng.choice(SOURCES),
                source_id=f"{tag}-{i}",
                url=f"https://listing.example/{tag}/{i}",
                title=f"{KINDS[rooms]} {features[0]}",
                price_eur=price if rng.random() > 0.03 else None,
                rooms=rooms if rng.random() > 0.08 else None,
                area_m2=area if rng.random() > 0.1 else None,
                city=city,
                zone=rng.choice(_zones(city)) if rng.random() > 0.1 else None,
                address=f"Via {rng.choice(['Roma', 'Garibaldi', 'Mazzini', 'Dante'])} {i}",
                latitude=41.0 + rng.random(),
                longitude=12.0 + rng.random(),
                photos=[f"https://img.example/{tag}/{i}.jpg"] if rng.random() < 0.9 else [],
                advertiser=rng.choices(["agency", "private", None], weights=[60, 30, 10])[0],
                description=f"Appartamento con {features[1]} e {features[2]}.",
                furnished=rng.choices([True, False, None], weights=[50, 40, 10])[0],
            )
        )
    return result


def bench_matching(filters: list[BenchFilter], listings: list[ListingData], naive: bool) -> int:
    index = FilterIndex()
    started = time.perf_counter()
    index.load(filters)
    print(f"index build ({len(index):,} active filters): {time.perf_counter() - started:.2f} s")
    views = [ListingView.of(listing) for listing in listings]
    started, cpu = time.perf_counter(), time.process_time()
    found = [index.match_view(v) for v in views]
    indexed, indexed_cpu = time.perf_counter() - started, time.process_time() - cpu
    total = sum(len(f) for f in found)
    in_city = sum(index.active_in(v.city) for v in views if v.city is not None)
    print(
        f"index:  {len(listings):,} listings matched in {indexed:.3f} s (cpu {indexed_cpu:.3f} s),"
        f" {total:,} matches ({total / len(listings):.0f} per listing,"
        f" {100 * total / in_city:.1f}% of the active filters of its city)"
    )
    if not naive:
        return total
    compiled = [(f.id, CompiledFilter.of(f)) for f in filters if not f.paused]
    started, cpu = time.perf_counter(), time.process_time()
    one_by_one = [[fid for fid, c in compiled if c.accepts(v)] for v in views]
    slow, slow_cpu = time.perf_counter() - started, time.process_time() - cpu
    same = all(sorted(m.filter_id for m in a) == b for a, b in zip(found, one_by_one, strict=True))
    print(
        f"naive:  {len(listings):,} listings x {len(compiled):,} filters in {slow:.2f} s"
        f" (cpu {slow_cpu:.2f} s)"
    )
    print(
        f"ratio:  index is {slow / indexed:.0f}x faster (cpu {slow_cpu / indexed_cpu:.0f}x);"
        f" same matches: {same}"
    )
    return total


def _chunks(rows: list[dict[str, Any]], size: int = 2000) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


async def _seed(
    engine: AsyncEngine, users: int, filters: list[BenchFilter], rng: random.Random
) -> None:
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.drop_all)
        await conn.run_sync(Base.metadata.create_all)
        now = datetime.now(UTC) - timedelta(days=1)
        user_rows = [
            {
                "id": uid,
                "telegram_chat_id": 1_000_000 + uid,
                "whatsapp_number": f"+39333{uid:07d}" if (wa := rng.random() < 0.3) else None,
                "whatsapp_enabled": wa,
                "whatsapp_verified_at": now if wa else None,
                "is_active": rng.random() > 0.02,
                "paused": rng.random() < 0.03,
                "created_at": now,
                "updated_at": now,
            }
            for uid in range(1, users + 1)
        ]
        for chunk in _chunks(user_rows):
            await conn.execute(insert(User), chunk)
        columns = [c.key for c in SearchFilter.__table__.c]
        filter_rows = [{k: getattr(f, k) for k in columns} for f in filters]
        for chunk in _chunks(filter_rows):
            await conn.execute(insert(SearchFilter), chunk)


async def bench_database(
    name: str, url: str, users: int, filters: list[BenchFilter], seed: int, listings: int
) -> None:
    settings = Settings(_env_file=None, database_url=url)  # type: ignore[call-arg]
    engine = create_engine(settings)
    rng = random.Random(seed)
    try:
        started = time.perf_counter()
        await _seed(engine, users, filters, rng)
        print(
            f"[{name}] seeded {users:,} users and {len(filters):,} filters in "
            f"{time.perf_counter() - started:.1f} s"
        )
        factory = create_session_factory(engine)
        index = FilterIndex()
        async with factory() as session:
            started = time.perf_counter()
            await index.refresh(session)
            loaded = time.perf_counter() - started
            print(f"[{name}] index loaded from the database in {loaded:.2f} s")
        # a first crawl: what is already there (told to nobody, it seeds twins and history)
        async with unit_of_work(factory) as session:
            await ingest(session, make_listings(rng, listings, "old"), now=datetime.now(UTC))
        batch = make_listings(rng, listings, "new")
        started, cpu = time.perf_counter(), time.process_time()
        async with unit_of_work(factory) as session:
            now = datetime.now(UTC)
            result = await ingest(session, batch, now=now)
            ingested = time.perf_counter() - started
            report = await enqueue_matches(session, index, result, now=now)
            matched = time.perf_counter() - started - ingested
        total, total_cpu = time.perf_counter() - started, time.process_time() - cpu
        print(
            f"[{name}] ingest {ingested:.2f} s + match/outbox {matched:.2f} s + commit "
            f"{total - ingested - matched:.2f} s = {total:.2f} s (cpu {total_cpu:.2f} s) for "
            f"{len(result.new):,} new "
            f"listings ({result.twins_linked} twins), {report.filter_matches:,} filter matches, "
            f"{report.inserted:,} delivery rows"
        )
        print(f"[{name}] skipped: {report.skipped}")
    finally:
        await engine.dispose()


async def with_postgres(admin_url: str) -> tuple[str, str]:
    name = f"bench_match_{uuid.uuid4().hex[:10]}"
    admin = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    return name, f"{admin_url.rsplit('/', 1)[0]}/{name}"


async def drop_postgres(admin_url: str, name: str) -> None:
    admin = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await admin.dispose()


async def run_databases(args: argparse.Namespace, filters: list[BenchFilter]) -> None:
    if args.database in ("both", "sqlite"):
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
            await bench_database("sqlite", url, args.users, filters, args.seed, args.listings)
    if args.database == "sqlite":
        return
    name, url = await with_postgres(args.postgres_url)
    try:
        await bench_database("postgres", url, args.users, filters, args.seed, args.listings)
    finally:
        await drop_postgres(args.postgres_url, name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=50_000)
    parser.add_argument("--filters", type=int, default=100_000)
    parser.add_argument("--listings", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-naive", action="store_true")
    parser.add_argument("--skip-db", action="store_true")
    parser.add_argument("--database", choices=["both", "sqlite", "postgres"], default="both")
    parser.add_argument(
        "--postgres-url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/test"
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)
    filters = make_filters(rng, args.users, args.filters)
    listings = make_listings(rng, args.listings, "m")
    print(
        f"{args.users:,} users, {len(filters):,} filters over {len(CITIES)} cities, "
        f"{len(listings):,} new listings"
    )
    bench_matching(filters, listings, naive=not args.skip_naive)
    if not args.skip_db:
        asyncio.run(run_databases(args, filters))


if __name__ == "__main__":
    main()
