"""The read cache: repeated reads cost no query; on SQLite a change made anywhere is seen by
the next read, and without a revision (PostgreSQL) tokens are kept for a moment only."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, update

from ita_rent_bot.api.read_cache import REVISION_TTL_SECONDS, ReadCache
from ita_rent_bot.config import Settings
from ita_rent_bot.db import Base, create_engine
from ita_rent_bot.filters.models import SearchFilter
from ita_rent_bot.users.models import User

from .conftest import Api, api_settings, bearer, running


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


async def test_reads_again_need_no_query_until_something_changes(api: Api) -> None:
    user, token = await api.user(telegram_chat_id=1)
    await api.search(user, name="Roma")
    paths = ("/api/v1/me", "/api/v1/whatsapp/status", "/api/v1/filters")
    first = [(await api.client.get(path, headers=bearer(token))).json() for path in paths]
    with statements(api) as seen:
        again = [(await api.client.get(path, headers=bearer(token))).json() for path in paths]
    assert again == first
    assert seen == []
    await api.search(user, name="Milano")  # as the bot would: another process, another session
    listed = await api.client.get("/api/v1/filters", headers=bearer(token))
    assert [search["name"] for search in listed.json()] == ["Roma", "Milano"]


async def test_a_write_is_seen_by_the_next_read_at_once(api: Api) -> None:
    _, token = await api.user(telegram_chat_id=1)
    assert (await api.client.get("/api/v1/me", headers=bearer(token))).json()["language"] == "ru"
    patched = await api.client.patch("/api/v1/me", headers=bearer(token), json={"language": "it"})
    assert patched.status_code == 200
    assert (await api.client.get("/api/v1/me", headers=bearer(token))).json()["language"] == "it"
    left = await api.client.delete("/api/v1/me", headers=bearer(token))
    assert left.status_code == 204
    assert (await api.client.get("/api/v1/me", headers=bearer(token))).status_code == 401


async def test_a_change_made_by_another_api_process_is_seen_at_once(api: Api) -> None:
    """Two apps on one SQLite file, as `ita-rent-bot run` starts two API processes."""
    user, token = await api.user(telegram_chat_id=1)
    search = await api.search(user, name="Roma", price_max=900)
    async with running(api_settings(api.app.state.app_state.settings.database_url)) as other:
        for app in (api, other):  # both have it cached
            assert (await app.client.get("/api/v1/filters", headers=bearer(token))).json()
        patched = await other.client.patch(
            f"/api/v1/filters/{search.id}", headers=bearer(token), json={"price_max": 1200}
        )
        assert patched.status_code == 200
        listed = await api.client.get("/api/v1/filters", headers=bearer(token))
    assert [s["price_max"] for s in listed.json()] == [1200]


async def test_without_a_revision_tokens_live_for_the_ttl_and_searches_are_not_kept(
    api: Api,
) -> None:
    """What PostgreSQL gets: no read revision, so a time limit."""
    now = [0.0]
    api.app.state.read_cache = ReadCache(ttl=2.0, clock=lambda: now[0])
    user, token = await api.user(telegram_chat_id=1)
    await api.client.get("/api/v1/me", headers=bearer(token))
    async with api.sessions() as session, session.begin():  # e.g. the bot changes the language
        await session.execute(update(User).values(language="en"))
    assert (await api.client.get("/api/v1/me", headers=bearer(token))).json()["language"] == "ru"
    await api.client.get("/api/v1/filters", headers=bearer(token))
    await api.search(user, name="Roma")
    listed = await api.client.get("/api/v1/filters", headers=bearer(token))
    assert [search["name"] for search in listed.json()] == ["Roma"]
    now[0] += 2.0
    assert (await api.client.get("/api/v1/me", headers=bearer(token))).json()["language"] == "en"


def _user(user_id: int) -> User:
    return User(id=user_id, telegram_chat_id=user_id, language="en", timezone="Europe/Rome")


def test_a_value_read_before_a_change_is_not_kept_after_it() -> None:
    """Two requests interleave: one reads at revision 1, the other syncs to 2 meanwhile; what
    the first read may be older than the change, so it is not kept."""
    revision = [1]
    cache = ReadCache(revision=lambda: revision[0])
    seen = cache.sync()
    cache.put("a1", _user(1), seen)
    cache.put_filters(1, b"[]", seen)
    assert cache.get("a1") is not None
    assert cache.filters(1) == b"[]"
    revision[0] = 2
    assert cache.sync() == 2  # the other request: everything goes
    assert cache.get("a1") is None
    assert cache.filters(1) is None
    cache.put("a1", _user(1), seen)
    cache.put_filters(1, b"[]", seen)
    assert cache.get("a1") is None
    assert cache.filters(1) is None
    unreadable = ReadCache(revision=lambda: None)  # no schema yet: nothing is kept
    cache.put("a1", _user(1), unreadable.sync())
    assert cache.get("a1") is None


def test_with_a_revision_entries_still_expire_and_searches_have_a_byte_budget() -> None:
    now = [0.0]
    cache = ReadCache(revision=lambda: 1, clock=lambda: now[0], max_filter_bytes=100)
    seen = cache.sync()
    cache.put("a1", _user(1), seen)
    for user_id in (1, 2, 3):
        cache.put_filters(user_id, b"x" * 40, seen)
    assert cache.filters(1) is None  # 120 bytes: the least recently used went
    assert cache.filters(2) is not None
    cache.put_filters(2, b"y" * 10, seen)  # replaced, and counted once
    cache.put_filters(4, b"z" * 40, seen)
    assert [cache.filters(n) for n in (2, 3, 4)] == [b"y" * 10, b"x" * 40, b"z" * 40]
    now[0] = REVISION_TTL_SECONDS  # a minute at most, whatever the revision says
    assert cache.get("a1") is None
    assert cache.filters(3) is None


def test_the_cache_keeps_copies_and_forgets_by_user_and_age() -> None:
    now = [0.0]
    cache = ReadCache(ttl=5.0, max_entries=3, clock=lambda: now[0])
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
    cache = ReadCache(ttl=2.0, clock=lambda: now[0])
    for n in range(1, 101):
        cache.put(f"t{n}", _user(n))
    now[0] = 0.999  # nothing lives less than half the ttl
    assert len([n for n in range(1, 101) if cache.get(f"t{n}") is not None]) == 100
    now[0] = 1.5
    alive = len([n for n in range(1, 101) if cache.get(f"t{n}") is not None])
    assert 10 < alive < 90  # about half, spread out
    now[0] = 2.0  # and nothing outlives the ttl
    assert all(cache.get(f"t{n}") is None for n in range(1, 101))


# (what, which API process or the bot, which user)
_STEPS = st.lists(
    st.tuples(
        st.sampled_from(["read", "add", "raise", "language"]), st.integers(0, 2), st.integers(0, 1)
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=_STEPS)
def test_every_read_sees_every_change_committed_before_it(
    steps: list[tuple[str, int, int]],
) -> None:
    """Two API processes and the bot change two users' searches and language in any order;
    whichever process answers, a read shows exactly what was committed before it."""
    asyncio.run(_replay(steps))


async def _replay(steps: list[tuple[str, int, int]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'cache.db'}"
        engine = create_engine(Settings(_env_file=None, database_url=url))  # type: ignore[call-arg]
        async with engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        await engine.dispose()
        async with running(api_settings(url)) as first, running(api_settings(url)) as second:
            apps = (first, second)
            people = [await first.user(telegram_chat_id=n) for n in (1, 2)]
            truth: list[dict[str, object]] = [{"language": "ru", "prices": []} for _ in people]
            for what, who, whose in steps:
                user, token = people[whose]
                expected = truth[whose]
                prices: list[int] = expected["prices"]  # type: ignore[assignment]
                if what == "read":
                    app = apps[who % 2]
                    me = await app.client.get("/api/v1/me", headers=bearer(token))
                    listed = await app.client.get("/api/v1/filters", headers=bearer(token))
                    assert me.json()["language"] == expected["language"]
                    assert [s["price_max"] for s in listed.json()] == prices
                elif what == "add":
                    price = 500 + 10 * len(prices)
                    if who < 2:
                        body = {"name": f"S{len(prices)}", "city": "Roma", "price_max": price}
                        made = await apps[who].client.post(
                            "/api/v1/filters", headers=bearer(token), json=body
                        )
                        assert made.status_code == 201
                    else:
                        await first.search(user, name=f"S{len(prices)}", price_max=price)
                    prices.append(price)
                elif what == "raise" and prices:
                    async with first.sessions() as session, session.begin():
                        await session.execute(
                            update(SearchFilter)
                            .where(SearchFilter.user_id == user.id)
                            .values(price_max=SearchFilter.price_max + 1)
                        )
                    expected["prices"] = [price + 1 for price in prices]
                elif what == "language":
                    language = "it" if expected["language"] != "it" else "en"
                    async with first.sessions() as session, session.begin():
                        await session.execute(
                            update(User).where(User.id == user.id).values(language=language)
                        )
                    expected["language"] = language
