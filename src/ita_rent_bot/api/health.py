"""Liveness and readiness: /health says the process answers, /ready that it can do its work."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel
from sqlalchemy import text

from ita_rent_bot.app_state import AppState
from ita_rent_bot.migrate import migration_state
from ita_rent_bot.worker.broker import check_broker

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class Check(BaseModel):
    ok: bool
    detail: str | None = None


class Readiness(BaseModel):
    ready: bool
    database: Check
    migrations: Check
    broker: Check


async def get_app_state(request: Request) -> AppState:
    state: AppState = request.app.state.app_state
    return state


AppStateDep = Annotated[AppState, Depends(get_app_state)]


@router.get("/health")
async def health() -> Health:
    return Health()


@router.get("/ready", responses={503: {"model": Readiness}})
async def ready(state: AppStateDep, response: Response) -> Readiness:
    try:
        async with state.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        database = Check(ok=True, detail=state.engine.dialect.name)
    except Exception as exc:
        database = Check(ok=False, detail=f"unreachable ({type(exc).__name__})")
    if database.ok:
        migrations_state = await migration_state(state.engine, state.settings)
        migrations = Check(
            ok=migrations_state.up_to_date,
            detail=f"at {migrations_state.current or 'nothing'}, head {migrations_state.head}",
        )
    else:
        migrations = Check(ok=False, detail="database unreachable")
    broker_ok, broker_detail = await check_broker(state.settings)
    broker = Check(ok=broker_ok, detail=broker_detail)
    result = Readiness(
        ready=database.ok and migrations.ok and broker.ok,
        database=database,
        migrations=migrations,
        broker=broker,
    )
    if not result.ready:
        response.status_code = 503
    return result
