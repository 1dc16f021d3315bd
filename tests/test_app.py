"""The app from main.py: liveness, and readiness that tells the database and schema state."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from ita_rent_bot.config import Settings
from ita_rent_bot.db import create_engine
from ita_rent_bot.main import create_app
from ita_rent_bot.migrate import upgrade_to_head


@asynccontextmanager
async def client_for(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings.model_copy(update={"embedded_workers": False}))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


async def test_ready_is_503_until_migrated_then_200(settings: Settings) -> None:
    async with client_for(settings) as client:
        assert (await client.get("/health")).json() == {"status": "ok"}
        before = await client.get("/ready")
        assert before.status_code == 503
        assert before.json()["database"]["ok"] is True
        assert before.json()["migrations"]["ok"] is False

        engine = create_engine(settings)
        await upgrade_to_head(engine, settings)
        await engine.dispose()

        after = await client.get("/ready")
        assert after.status_code == 200
        assert after.json()["ready"] is True


async def test_ready_reports_an_unreachable_database(settings: Settings) -> None:
    broken = settings.model_copy(
        update={"database_url": "postgresql+asyncpg://nobody@127.0.0.1:1/none"}
    )
    async with client_for(broken) as client:
        response = await client.get("/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["database"]["ok"] is False
    assert "nobody" not in response.text


async def test_openapi_is_served(settings: Settings) -> None:
    async with client_for(settings) as client:
        schema = (await client.get("/openapi.json")).json()
    assert "/health" in schema["paths"]
    assert "/ready" in schema["paths"]
