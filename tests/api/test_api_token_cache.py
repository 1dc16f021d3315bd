"""The token cache: reads skip the token lookup for a moment; writes never trust it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from ita_rent_bot.api.auth_cache import TokenCache
from ita_rent_bot.users.models import User

from .conftest import Api, bearer


@contextmanager
def statements(api: Api) -> Iterator[list[str]]:
    """Every SQL statement the app's engine runs inside the block."""
    seen: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        seen.append(statement)

    engine = api.app.state.app_state.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def test_a_second_read_within_the_ttl_needs_no_query(api: Api) -> None:
    api.app.state.token_cache = TokenCache(clock=lambda: 0.0)  # time stands still
    _, token = await api.user(telegram_chat_id=1)
    first = await api.client.get("/api/v1/me", headers=bearer(token))
    with statements(api) as seen:
        second = await api.client.get("/api/v1/me", headers=bearer(token))
        status = await api.client.get("/api/v1/whatsapp/status", headers=bearer(token))
    assert second.json() == first.json()
    assert status.status_code == 200
    assert seen == []


async def test_a_write_is_seen_by_the_next_read_at_once(api: Api) -> None:
    _, token = await api.user(telegram_chat_id=1)
    assert (await api.client.get("/api/v1/me", headers=bearer(token))).json()["language"] == "ru"
    patched = await api.client.patch("/api/v1/me", headers=bearer(token), json={"language": "it"})
    assert patched.status_code == 200
    assert (await api.client.get("/api/v1/me", headers=bearer(token))).json()["language"] == "it"
    left = await api.client.delete("/api/v1/me", headers=bearer(token))
    assert left.status_code == 204
    assert (await api.client.get("/api/v1/me", headers=bearer(token))).status_code == 401


async def test_a_change_made_elsewhere_reaches_reads_within_the_ttl(api: Api) -> None:
    now = [0.0]
    api.app.state.token_cache = TokenCache(ttl=2.0, clock=lambda: now[0])
    user, token = await api.user(telegram_chat_id=1)
    await api.client.get("/api/v1/me", headers=bearer(token))
    async with api.sessions() as session, session.begin():  # e.g. the bot changes the language
        stored = await session.get(User, user.id)
        assert stored is not None
        stored.language = "en"
    assert (await api.client.get("/api/v1/me", headers=bearer(token))).json()["language"] == "ru"
    now[0] += 2.0
    assert (await api.client.get("/api/v1/me", headers=bearer(token))).json()["language"] == "en"


def _user(user_id: int) -> User:
    return User(id=user_id, telegram_chat_id=user_id, language="en", timezone="Europe/Rome")


def test_the_cache_keeps_copies_and_forgets_by_user_and_age() -> None:
    now = [0.0]
    cache = TokenCache(ttl=5.0, max_entries=3, clock=lambda: now[0])
    anna = _user(1)
    cache.put("a1", anna)
    cache.put("a2", anna)
    cache.put("b1", _user(2))
    cached = cache.get("a1")
    assert cached is not None
    assert cached is not anna
    assert (cached.id, cached.language) == (1, "en")
    anna.language = "ru"
    assert cache.get("a1").language == "en"  # type: ignore[union-attr]

    cache.forget_user(1)
    assert cache.get("a1") is None
    assert cache.get("a2") is None
    assert cache.get("b1") is not None

    for n in range(3, 8):  # full: the least recently used go first
        cache.put(f"c{n}", _user(n))
    assert len(cache) == 3
    assert cache.get("b1") is None
    now[0] += 5.0
    assert cache.get("c7") is None
    assert len(cache) == 2


def test_entries_cached_together_expire_apart_and_within_the_ttl() -> None:
    now = [0.0]
    cache = TokenCache(ttl=2.0, clock=lambda: now[0])
    for n in range(1, 101):
        cache.put(f"t{n}", _user(n))
    now[0] = 0.999  # nothing lives less than half the ttl
    assert len([n for n in range(1, 101) if cache.get(f"t{n}") is not None]) == 100
    now[0] = 1.5
    alive = len([n for n in range(1, 101) if cache.get(f"t{n}") is not None])
    assert 10 < alive < 90  # about half, spread out
    now[0] = 2.0  # and nothing outlives the ttl
    assert all(cache.get(f"t{n}") is None for n in range(1, 101))
