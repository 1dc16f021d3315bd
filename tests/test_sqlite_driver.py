"""SQLite reads inline, writes on the connection's thread, and the loop never waits for a lock."""

from __future__ import annotations

import asyncio
import threading

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from ita_rent_bot.db import create_session_factory, unit_of_work
from ita_rent_bot.sqlite_driver import InlineReadConnection, is_select
from ita_rent_bot.users.models import User


@pytest.fixture
async def engine(sqlite_engine: AsyncEngine) -> AsyncEngine:
    """SQLite with thread_id(): the id of the thread that runs the statement."""

    def add_function(dbapi_conn: object, _record: object) -> None:
        dbapi_conn.create_function("thread_id", 0, threading.get_ident)  # type: ignore[attr-defined]

    event.listen(sqlite_engine.sync_engine, "connect", add_function)
    await sqlite_engine.dispose()  # the pooled connections were made before the function
    async with sqlite_engine.begin() as conn:
        await conn.execute(text("CREATE TABLE seen (thread INTEGER)"))
    return sqlite_engine


async def test_reads_run_inline_and_writes_on_the_connections_thread(engine: AsyncEngine) -> None:
    here = threading.get_ident()
    inline = create_session_factory(engine, inline_reads=True)
    async with inline() as session, session.begin():
        assert await session.scalar(text("SELECT thread_id()")) == here
        await session.execute(text("INSERT INTO seen VALUES (thread_id())"))
        assert await session.scalar(text("SELECT thread_id()")) == here  # inside the write
    async with create_session_factory(engine)() as session:
        assert await session.scalar(text("SELECT thread_id()")) != here
        assert await session.scalar(text("SELECT thread FROM seen")) != here


async def test_the_flag_goes_back_with_the_connection(engine: AsyncEngine) -> None:
    async with create_session_factory(engine, inline_reads=True)() as session:
        raw = await (await session.connection()).get_raw_connection()
        driver = raw.driver_connection
        assert isinstance(driver, InlineReadConnection)
        assert driver.inline_reads
    assert not driver.inline_reads
    async with create_session_factory(engine)() as session:
        await session.scalar(text("SELECT thread_id()"))
        assert not driver.inline_reads


async def test_a_write_waiting_for_the_lock_does_not_hold_up_the_loop(
    engine: AsyncEngine,
) -> None:
    """Another writer holds SQLite's lock; an inline session's write waits on its thread
    while the loop keeps serving (here: a ticker and an inline read)."""
    writer = create_session_factory(engine)
    inline = create_session_factory(engine, inline_reads=True)
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.005)

    async with writer() as holder:
        await holder.execute(text("INSERT INTO seen VALUES (1)"))  # holds the write lock
        tick_task = asyncio.create_task(ticker())

        async def blocked_write() -> None:
            async with unit_of_work(inline) as session:
                session.add(User(telegram_chat_id=7))

        write = asyncio.create_task(blocked_write())
        await asyncio.sleep(0.2)
        assert not write.done()
        before = ticks
        async with inline() as reader:  # WAL: a read does not wait for the writer
            assert await reader.scalar(select(User.id)) is None
        await asyncio.sleep(0.05)
        assert ticks > before
        await holder.commit()
    await asyncio.wait_for(write, 10)
    tick_task.cancel()
    async with inline() as session:
        assert await session.scalar(select(User.telegram_chat_id)) == 7


@pytest.mark.parametrize(
    ("sql", "inline"),
    [
        ("SELECT 1", True),
        ("  \n select id FROM users", True),
        ("WITH x AS (SELECT 1) INSERT INTO seen SELECT * FROM x", False),
        ("INSERT INTO seen VALUES (1)", False),
        ("PRAGMA journal_mode", False),
        ("UPDATE users SET paused = 1", False),
    ],
)
def test_only_plain_selects_count_as_reads(sql: str, inline: bool) -> None:
    assert is_select(sql) is inline
