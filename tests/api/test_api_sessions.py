"""A request's database session (SessionRoute): stored before the answer when the route
returns, rolled back when it raises, never opened by a read the token cache answers."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy import event, func, select

from ita_rent_bot.api.deps import SessionDep, SessionRoute, session_for
from ita_rent_bot.api.errors import ApiError
from ita_rent_bot.users.models import User

from .conftest import Api, bearer


async def _users(api: Api) -> int:
    async with api.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(User)) or 0)


def _install(api: Api) -> None:
    """Routes that write a user row, each ending another way, under /test."""
    router = APIRouter(prefix="/test", route_class=SessionRoute)

    @router.post("/stored", status_code=201)
    async def stored(session: SessionDep) -> dict[str, int]:
        user = User(telegram_chat_id=901)
        session.add(user)
        await session.flush()
        return {"id": user.id}

    @router.post("/refused")
    async def refused(session: SessionDep) -> None:
        session.add(User(telegram_chat_id=902))
        await session.flush()
        raise ApiError(409, "refused after writing")

    @router.post("/failed-commit")
    async def failed_commit(request: Request) -> dict[str, str]:
        session_for(request).add(User(telegram_chat_id=903))  # the same chat id twice: the
        session_for(request).add(User(telegram_chat_id=903))  # commit fails, not the route
        return {"status": "stored?"}

    plain = APIRouter(prefix="/test")  # forgot route_class=SessionRoute

    @plain.post("/unmanaged")
    async def unmanaged(request: Request) -> None:
        session_for(request)

    api.app.include_router(router)
    api.app.include_router(plain)


async def test_a_change_is_stored_when_the_answer_arrives(api: Api) -> None:
    _install(api)
    answer = await api.client.post("/test/stored")
    assert answer.status_code == 201
    async with api.sessions() as session:
        stored = await session.get(User, answer.json()["id"])
    assert stored is not None
    assert stored.telegram_chat_id == 901


async def test_a_route_that_raises_after_writing_stores_nothing(api: Api) -> None:
    _install(api)
    answer = await api.client.post("/test/refused")
    assert answer.status_code == 409
    assert answer.json()["error"]["message"] == "refused after writing"
    assert await _users(api) == 0


async def test_a_failed_commit_is_a_server_error_not_a_success(api: Api) -> None:
    _install(api)
    answer = await api.client.post("/test/failed-commit")
    assert answer.status_code == 500
    assert "stored?" not in answer.text
    assert "Traceback" not in answer.text
    assert await _users(api) == 0


async def test_a_session_outside_session_route_is_refused_not_lost(api: Api) -> None:
    _install(api)
    answer = await api.client.post("/test/unmanaged")
    assert answer.status_code == 500
    assert "SessionRoute" not in answer.text  # the reason is logged, not told to the client


async def test_a_read_the_read_cache_answers_opens_no_connection(api: Api) -> None:
    _, token = await api.user(telegram_chat_id=1)
    assert (await api.client.get("/api/v1/me", headers=bearer(token))).status_code == 200
    checkouts: list[object] = []

    def checkout(*args: object) -> None:
        checkouts.append(args)

    pool = api.app.state.app_state.engine.sync_engine.pool
    event.listen(pool, "checkout", checkout)
    try:
        for path in ("/api/v1/me", "/api/v1/whatsapp/status"):
            assert (await api.client.get(path, headers=bearer(token))).status_code == 200
        assert checkouts == []
        for _ in range(2):
            listed = await api.client.get("/api/v1/filters", headers=bearer(token))
            assert listed.status_code == 200
        assert len(checkouts) == 1  # one connection, for the first list; the second is kept
    finally:
        event.remove(pool, "checkout", checkout)
