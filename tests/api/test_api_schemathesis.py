"""Schemathesis over the app's own OpenAPI: no server error, no answer that breaks the schema.

The real app (lifespan included) runs on a seeded SQLite database; user routes are called with
a real user's token and admin routes with the admin token. Bounded to a few examples per route.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
import structlog
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from pyrate_limiter import Duration, Rate
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ita_rent_bot.api.limits import RateLimits
from ita_rent_bot.config import Settings
from ita_rent_bot.db import create_engine, create_session_factory, unit_of_work
from ita_rent_bot.filters.models import SearchFilter
from ita_rent_bot.listings.models import Listing
from ita_rent_bot.main import create_app
from ita_rent_bot.migrate import upgrade_to_head
from ita_rent_bot.notifications.models import Delivery
from ita_rent_bot.sources.models import SourceStatus
from ita_rent_bot.users import service as users
from ita_rent_bot.users.models import User

from .conftest import ADMIN_TOKEN, api_settings

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
ADMIN_PREFIXES = ("/api/v1/admin", "/dashboard", "/api/v1/whatsapp/settings")
USER_TOKEN: dict[str, str] = {}


async def _seed(settings: Settings) -> str:
    """A schema, one user with a search, a match and a delivery; returns the user's token."""
    engine = create_engine(settings)
    try:
        await upgrade_to_head(engine, settings)  # migrated, so /ready answers 200
        async with unit_of_work(create_session_factory(engine)) as session:
            user = User(telegram_chat_id=42, language="en")
            listing = Listing(source="subito", source_id="1", url="https://www.subito.it/1.htm")
            session.add_all([user, listing, SourceStatus(source="subito", status="ok")])
            await session.flush()
            search = SearchFilter(user_id=user.id, name="Roma", city="roma")
            session.add(search)
            await session.flush()
            session.add(
                Delivery(
                    user_id=user.id, listing_id=listing.id, filter_id=search.id, channel="telegram"
                )
            )
            return await users.issue_api_token(session, user=user)
    finally:
        await engine.dispose()


@pytest.fixture(scope="module")
def served_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    """The app on a seeded database, without rate limits (they have their own tests)."""
    path: Path = tmp_path_factory.mktemp("schemathesis") / "api.db"
    settings = api_settings(f"sqlite+aiosqlite:///{path}")
    USER_TOKEN["value"] = asyncio.run(_seed(settings))
    app = create_app(settings)
    unlimited = Rate(1_000_000, Duration.MINUTE)
    app.state.rate_limits = RateLimits(per_token=unlimited, per_address=unlimited)
    yield app
    asgi.shutdown_lifespans()  # schemathesis started the lifespan on its first call
    structlog.reset_defaults()  # the lifespan configured logging; later tests start clean


# The OpenAPI document does not depend on the settings; the served app is a fixture.
_document = create_app(api_settings("sqlite+aiosqlite:///:memory:")).openapi()
schema = schemathesis.openapi.from_dict(_document).exclude(
    method="DELETE",
    path="/api/v1/me",  # leaving would delete the seeded user half-way
)
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], max_examples=12
)


@schema.parametrize()
@settings(
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_api_answers_as_its_schema_says(case: schemathesis.Case, served_app: FastAPI) -> None:
    admin = case.path.startswith(ADMIN_PREFIXES)
    token = ADMIN_TOKEN if admin else USER_TOKEN["value"]
    # provider webhooks are signed, not token-checked, and documented by their own branch:
    # here they only must never fail with a server error
    checks = [not_a_server_error] if case.path.startswith("/webhooks/") else CHECKS
    case.call_and_validate(
        app=served_app, headers={"Authorization": f"Bearer {token}"}, checks=checks
    )
