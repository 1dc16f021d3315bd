"""`ita-rent-bot run --demo`: the whole pipeline on sample listings, shown on the console.

The listings below were written for this demo (no portal's data). They go through ingest, the
filter match and the delivery engine for a demo user with one saved search, on a throwaway
SQLite database; the Telegram cards and the WhatsApp digest print here. No credentials, no
network, a few seconds.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from ita_rent_bot.channels.console import ConsoleChannel
from ita_rent_bot.config import Settings
from ita_rent_bot.db import create_engine, create_session_factory, unit_of_work, utcnow
from ita_rent_bot.filters import service as filters
from ita_rent_bot.filters.schemas import FilterIn
from ita_rent_bot.listings import service as listings
from ita_rent_bot.listings.schemas import ListingData
from ita_rent_bot.models import Base
from ita_rent_bot.notifications.engine import DeliveryEngine, EngineOptions
from ita_rent_bot.notifications.limits import RateLimits
from ita_rent_bot.notifications.models import Delivery
from ita_rent_bot.users.models import MODE_DIGEST, User
from ita_rent_bot.worker.tasks import Pipeline


def sample_listings() -> list[ListingData]:
    """Five flats in Rome, invented for the demo; four fit the demo search."""
    return [
        ListingData(
            source="idealista",
            source_id="demo-101",
            url="https://www.idealista.it/immobile/demo-101/",
            title="Bilocale luminoso con balcone",
            price_eur=1150,
            rooms=2,
            area_m2=58,
            city="Roma",
            zone="Pigneto",
            address="Via del Pigneto",
            photos=["https://example.com/demo/101-1.jpg", "https://example.com/demo/101-2.jpg"],
        ),
        ListingData(
            source="immobiliare",
            source_id="demo-202",
            url="https://www.immobiliare.it/annunci/demo-202/",
            title="Trilocale arredato vicino alla metro",
            price_eur=1380,
            rooms=3,
            area_m2=80,
            city="Roma",
            zone="San Giovanni",
        ),
        ListingData(
            source="subito",
            source_id="demo-303",
            url="https://www.subito.it/appartamenti/demo-303.htm",
            title="Appartamento <ristrutturato> & silenzioso",
            price_eur=990,
            rooms=2,
            city="Roma",
            zone="Monteverde",
            advertiser="private",
        ),
        ListingData(
            source="idealista",
            source_id="demo-404",
            url="https://www.idealista.it/immobile/demo-404/",
            title="Quadrilocale con terrazzo",
            price_eur=1400,
            rooms=4,
            area_m2=105,
            city="Roma",
            zone="Garbatella",
            photos=["https://example.com/demo/404-1.jpg"],
        ),
        ListingData(
            source="immobiliare",
            source_id="demo-505",
            url="https://www.immobiliare.it/annunci/demo-505/",
            title="Attico panoramico in centro",
            price_eur=3200,
            rooms=4,
            area_m2=140,
            city="Roma",
            zone="Centro Storico",
        ),
    ]


async def run_demo(settings: Settings, *, out: TextIO | None = None, language: str = "en") -> int:
    """Run the demo; returns how many messages the console channel printed."""
    stream = out or sys.stdout
    with tempfile.TemporaryDirectory(prefix="ita-rent-bot-demo-") as folder:
        demo_settings = settings.model_copy(
            update={
                "database_url": f"sqlite+aiosqlite:///{Path(folder) / 'demo.db'}",
                "debug_notifications": True,
                "redis_url": None,
                "broker_url": None,
            }
        )
        engine = create_engine(demo_settings)
        try:
            return await _demo(demo_settings, engine, stream, language)
        finally:
            await engine.dispose()


async def _demo(settings: Settings, db_engine: AsyncEngine, out: TextIO, language: str) -> int:
    async with db_engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    factory = create_session_factory(db_engine)
    now = utcnow()
    async with unit_of_work(factory) as session:
        user = User(
            telegram_chat_id=100001,
            language=language,
            whatsapp_number="+393330000001",
            whatsapp_enabled=True,
            whatsapp_verified_at=now,
            whatsapp_last_inbound_at=now - timedelta(minutes=5),
            whatsapp_mode=MODE_DIGEST,
        )
        session.add(user)
        await session.flush()
        search = FilterIn(
            name="Roma, 2+ rooms, up to €1,400", city="Roma", price_max=1400, rooms_min=2
        )
        await filters.create_filter(session, user_id=user.id, data=search)

    channels = {name: ConsoleChannel(name, out=out) for name in ("telegram", "whatsapp")}
    delivery = DeliveryEngine(
        factory,
        channels,
        RateLimits(),
        settings,
        options=EngineOptions.from_settings(settings, poll_seconds=0.1),
    )
    pipeline = Pipeline(settings, factory, db_engine, announce=delivery.wake)
    found = sample_listings()
    print(
        f"ITA_RENT_BOT demo: a user saved the search “{search.name}”.\n"
        f"{len(found)} new listings arrive; each match goes out at once on Telegram (one card\n"
        "per listing, with buttons) and as one WhatsApp digest. Messages print below instead\n"
        "of being sent.\n",
        file=out,
    )
    async with unit_of_work(factory) as session:
        result = await listings.ingest(session, found, now=utcnow())
        await pipeline.after_ingest(session, result)
    await delivery.run_until_idle(limit_seconds=60)
    await pipeline.aclose()
    async with factory() as session:
        matched = set((await session.execute(select(Delivery.listing_id))).scalars())
    missed = [x.title for x in result.new if x.id not in matched]
    print(
        f"Done: {channels['telegram'].sent} Telegram cards and {channels['whatsapp'].sent} "
        f"WhatsApp digest for the {len(matched)} listings that match"
        + (f" (not: {', '.join(t or '?' for t in missed)})" if missed else "")
        + ".\nNext: set TELEGRAM_BOT_TOKEN (and WHATSAPP_* for WhatsApp), then `ita-rent-bot run`.",
        file=out,
    )
    return sum(channel.sent for channel in channels.values())
