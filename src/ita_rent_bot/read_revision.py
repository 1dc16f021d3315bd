"""A counter that every committed change to a user or a search moves on (SQLite only).

The API keeps what read requests ask for again and again (who a token belongs to, a user's
searches) in each process, and may serve it only while nothing it was read from has changed,
whichever process made the change: the bot, the worker, another API process. On SQLite,
triggers on `users` and `search_filters` add one to `read_revision.n` in the same transaction
as the change, and ReadRevision reads the counter on a connection of its own in a few
microseconds, so each request can check it.

Not on PostgreSQL: there, every transaction that changes a user would also update this one
row, serialising them and deadlocking two that change users in opposite orders; the API
cache keeps its time limit there instead (api/read_cache.py).

A migration that rebuilds `users` or `search_filters` on SQLite (batch mode copies the table)
drops their triggers and must create them again (`TRIGGERS`); tests/test_migrations.py
checks that the head schema has them.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import DDL, Column, Integer, Table, event

from ita_rent_bot.db import Base

read_revision = Table(
    "read_revision",
    Base.metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("n", Integer, nullable=False),
)

FIRST_ROW = "INSERT INTO read_revision (id, n) VALUES (1, 0)"
_WATCHED = {"users": ("UPDATE", "DELETE"), "search_filters": ("INSERT", "UPDATE", "DELETE")}
TRIGGERS = {
    f"read_revision_{table}_{action.lower()}": (
        f"CREATE TRIGGER read_revision_{table}_{action.lower()} AFTER {action} ON {table} "  # noqa: S608
        "BEGIN UPDATE read_revision SET n = n + 1 WHERE id = 1; END"
    )
    for table, actions in _WATCHED.items()
    for action in actions
}

# a schema made from the models (tests, `create_all`) gets what the migration makes
event.listen(read_revision, "after_create", DDL(FIRST_ROW))  # type: ignore[no-untyped-call]
for _sql in TRIGGERS.values():  # after every table: the triggers are on users, search_filters
    _trigger = DDL(_sql).execute_if(dialect="sqlite")  # type: ignore[no-untyped-call]
    event.listen(Base.metadata, "after_create", _trigger)


class ReadRevision:
    """Reads the counter of one SQLite file on a private connection (autocommit, so each read
    sees the latest commit). Only the event loop's thread calls it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None

    def current(self) -> int | None:
        """The counter, or None when it cannot be read (no schema yet): then nothing may be
        served from a cache."""
        try:
            if self._conn is None:
                self._conn = sqlite3.connect(  # a read waits for no writer in WAL mode
                    self.path, timeout=0.1, isolation_level=None, check_same_thread=False
                )
            row = self._conn.execute("SELECT n FROM read_revision WHERE id = 1").fetchone()
        except sqlite3.Error:
            return None
        return int(row[0]) if row is not None else None

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
