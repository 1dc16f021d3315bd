"""`/metrics` (Prometheus) and the broker line of `/ready`."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import httpx

from ita_rent_bot.config import Settings
from ita_rent_bot.db import create_engine, create_session_factory, utcnow
from ita_rent_bot.main import create_app
from ita_rent_bot.metrics import DELIVERIES
from ita_rent_bot.migrate import upgrade_to_head
from ita_rent_bot.sources.models import SourceStatus
from notifications.builders import add_world


@asynccontextmanager
async def client_for(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings.model_copy(update={"embedded_workers": False}))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


async def test_metrics_show_the_outbox_the_portals_and_every_modules_counters(
    settings: Settings,
) -> None:
    engine = create_engine(settings)
    await upgrade_to_head(engine, settings)
    factory = create_session_factory(engine)
    await add_world(
        factory, users=2, listings_per_user=3, created_at=utcnow() - timedelta(minutes=5)
    )
    async with factory() as session, session.begin():
        session.add(SourceStatus(source="subito", status="blocked"))
    await engine.dispose()
    DELIVERIES.labels("telegram", "sent").inc(0)

    async with client_for(settings) as client:
        response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert 'deliveries_pending{channel="telegram"} 6.0' in text
    oldest = next(
        line for line in text.splitlines()
        if line.startswith('deliveries_oldest_pending_seconds{channel="telegram"}')
    )  # fmt: skip
    assert 299 <= float(oldest.split()[-1]) < 400
    assert 'source_status{source="subito",status="blocked"} 1.0' in text
    assert 'source_status{source="subito",status="ok"} 0.0' in text
    assert "# TYPE deliveries_total counter" in text
    assert "# TYPE provider_request_seconds histogram" in text
    assert "# TYPE crawl_results_total counter" in text
    assert "# TYPE whatsapp_sdk_fallbacks_total counter" in text  # channels/whatsapp's own


async def test_ready_checks_the_broker(settings: Settings) -> None:
    engine = create_engine(settings)
    await upgrade_to_head(engine, settings)
    await engine.dispose()
    async with client_for(settings) as client:
        fine = await client.get("/ready")
    assert fine.status_code == 200
    assert fine.json()["broker"] == {"ok": True, "detail": "in-process"}

    broken = settings.model_copy(update={"broker_url": f"redis://127.0.0.1:{closed_port()}/0"})
    async with client_for(broken) as client:
        down = await client.get("/ready")
    assert down.status_code == 503
    body = down.json()
    assert body["ready"] is False
    assert body["broker"]["ok"] is False
    assert body["broker"]["detail"].startswith("redis unreachable")
    assert body["database"]["ok"] is True
