"""Prometheus `/metrics`: this process's counters, plus the outbox and portal gauges read fresh."""

from __future__ import annotations

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST

from ita_rent_bot import metrics
from ita_rent_bot.api.health import AppStateDep
from ita_rent_bot.log import get_logger

log = get_logger(__name__)

router = APIRouter(tags=["monitoring"])


@router.get("/metrics", response_class=Response)
async def prometheus_metrics(state: AppStateDep) -> Response:
    try:
        async with state.session_factory() as session:
            await metrics.refresh_from_database(session)
    except Exception as exc:  # the counters are still worth serving without the database
        log.warning("metrics: database gauges not refreshed", error=type(exc).__name__)
    return Response(metrics.render_latest(), media_type=CONTENT_TYPE_LATEST)
