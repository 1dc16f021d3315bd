"""One holder at a time among the processes sharing a database (the scheduler, a crawl).

PostgreSQL: a session advisory lock (`pg_try_advisory_lock`) held on a connection of its own,
released when that connection closes, so a dead holder frees it. SQLite (one machine): an
exclusive `flock` on a file beside the database, freed by the kernel when the holder dies.
"""

from __future__ import annotations

import asyncio
import fcntl
import hashlib
import os
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from ita_rent_bot.config import Settings, sqlite_path

_LOCAL: dict[str, asyncio.Lock] = {}


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for the advisory lock."""
    return int.from_bytes(
        hashlib.sha256(f"ita_rent_bot:{name}".encode()).digest()[:8], "big", signed=True
    )


class LeaderLock:
    def __init__(self, engine: AsyncEngine, settings: Settings, name: str) -> None:
        self.engine = engine
        self.name = name
        self.is_postgres = not settings.is_sqlite
        path = sqlite_path(settings.database_url)
        self.path = Path(f"{path}.{name}.lock") if path is not None else None
        self._conn: AsyncConnection | None = None
        self._fd: int | None = None
        self._local: asyncio.Lock | None = None

    @property
    def held(self) -> bool:
        return self._conn is not None or self._fd is not None or self._local is not None

    async def try_acquire(self) -> bool:
        if self.held:
            return True
        if self.is_postgres:
            conn = await self.engine.connect()
            got = await conn.scalar(
                text("SELECT pg_try_advisory_lock(:k)"), {"k": lock_key(self.name)}
            )
            await conn.commit()
            if got:
                self._conn = conn
                return True
            await conn.close()
            return False
        if self.path is None:  # an in-memory database lives in one process
            lock = _LOCAL.setdefault(self.name, asyncio.Lock())
            if lock.locked():
                return False
            await lock.acquire()
            self._local = lock
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    async def release(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            try:
                await conn.execute(
                    text("SELECT pg_advisory_unlock(:k)"), {"k": lock_key(self.name)}
                )
            finally:
                await conn.close()
        if self._fd is not None:
            fd, self._fd = self._fd, None
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
        if self._local is not None:
            lock, self._local = self._local, None
            lock.release()
