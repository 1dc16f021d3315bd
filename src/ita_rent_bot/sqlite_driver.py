"""aiosqlite, except that a read which cannot wait runs at once on the caller's thread.

aiosqlite runs every call on the connection's own thread and hands the result back through
the event loop: about six hops for one small SELECT. Under load each hop waits for a full turn
of a busy loop, and those threads fight the loop for the GIL, so a request that reads three
rows spends most of its time queued. In WAL mode a reader never waits for a lock, and a read
of a few rows by index takes tens of microseconds: cheaper to run inline than to hand over.

So, on a connection whose `inline_reads` is on, these run on the caller's thread: creating a
cursor, a SELECT, fetching rows, closing a cursor, and a commit or rollback with no transaction
open (nothing to do). Everything that may wait for SQLite's write lock (INSERT, UPDATE,
DELETE, a commit that writes, PRAGMA, DDL) still goes to the connection's thread, so the loop
never blocks on another process's transaction. A SELECT that scans a large table would block
the loop, so the flag is for sessions whose reads are small: db.create_session_factory(...,
inline_reads=True) turns it on when such a session takes a connection, and off again when
the connection goes back to the pool.
"""

from __future__ import annotations

import sqlite3
import types
from collections.abc import Callable
from functools import partial
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import AsyncAdapt_aiosqlite_dbapi

_ROW_CALLS = frozenset({"cursor", "fetchone", "fetchmany", "fetchall"})
_TRANSACTION_CALLS = frozenset({"commit", "rollback"})


class InlineReadConnection(aiosqlite.Connection):
    inline_reads = False  # on while a session made with inline_reads=True holds it

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        conn = self._connection
        if self.inline_reads and conn is not None and _cannot_wait(conn, fn, args):
            return fn(*args, **kwargs)
        return await super()._execute(fn, *args, **kwargs)  # type: ignore[no-untyped-call]


def _cannot_wait(conn: sqlite3.Connection, fn: Callable[..., Any], args: tuple[Any, ...]) -> bool:
    name = getattr(fn, "__name__", "")
    if name == "close":  # a cursor's close is free; the connection's is not ours to inline
        return isinstance(getattr(fn, "__self__", None), sqlite3.Cursor)
    if name in _ROW_CALLS:
        return True
    if name in _TRANSACTION_CALLS:
        return not conn.in_transaction
    if name == "execute" and args and isinstance(args[0], str):
        return is_select(args[0])
    return False


def is_select(sql: str) -> bool:
    """A plain SELECT (what SQLAlchemy sends for reads); WITH may hide a write, so it is not."""
    return sql.lstrip()[:6].upper() == "SELECT"


def connect(database: str, **kwargs: Any) -> InlineReadConnection:
    """aiosqlite.connect, making an InlineReadConnection."""
    # check_same_thread: calls on one connection never overlap (each is awaited), but they
    # now come from two threads, the connection's and the loop's
    kwargs["check_same_thread"] = False
    return InlineReadConnection(partial(sqlite3.connect, str(database), **kwargs), 64)


def dbapi() -> AsyncAdapt_aiosqlite_dbapi:
    """The DBAPI module for create_async_engine(module=...): aiosqlite's, with `connect`
    replaced, so SQLAlchemy still turns the URL into the connection's arguments."""
    module = types.SimpleNamespace(**vars(aiosqlite))
    module.connect = connect
    return AsyncAdapt_aiosqlite_dbapi(module, sqlite3)  # type: ignore[arg-type]
