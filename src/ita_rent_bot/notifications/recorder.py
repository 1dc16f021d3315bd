"""Writes send outcomes to the outbox in small batches (one transaction every few milliseconds).

A message the provider took is recorded within `flush_seconds`; that and the request in flight
are the whole window in which a crash can make a delivery go out twice.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ita_rent_bot.db import unit_of_work, utcnow
from ita_rent_bot.log import get_logger
from ita_rent_bot.notifications import service
from ita_rent_bot.notifications.models import SENT

log = get_logger(__name__)


@dataclass(frozen=True)
class Record:
    """Where a set of claimed deliveries goes next."""

    ids: tuple[int, ...]
    status: str
    provider_message_id: str | None = None
    next_attempt_at: datetime | None = None
    code: str | None = None
    message: str | None = None
    count_attempt: bool = True


class Recorder:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        *,
        on_flushed: Callable[[Collection[int]], None],
        flush_seconds: float = 0.02,
        max_batch: int = 500,
    ) -> None:
        self.session_factory = session_factory
        self.on_flushed = on_flushed
        self.flush_seconds = flush_seconds
        self.max_batch = max_batch
        self._queue: asyncio.Queue[Record | None] = asyncio.Queue()
        self._idle = asyncio.Event()
        self._idle.set()

    def put(self, record: Record) -> None:
        if record.ids:
            self._idle.clear()
            self._queue.put_nowait(record)

    async def _write(self, records: list[Record]) -> None:
        now = utcnow()
        sent = [(i, r.provider_message_id) for r in records if r.status == SENT for i in r.ids]
        async with unit_of_work(self.session_factory) as session:
            await service.mark_sent(session, sent, now=now)
            for r in records:
                if r.status != SENT:
                    await service.finish(
                        session,
                        r.ids,
                        status=r.status,
                        next_attempt_at=r.next_attempt_at,
                        code=r.code,
                        message=r.message,
                        count_attempt=r.count_attempt,
                        provider_message_id=r.provider_message_id,
                    )

    async def _flush(self, records: list[Record]) -> None:
        delay = 0.1
        while True:
            try:
                await self._write(records)
            except Exception as exc:
                log.warning("recording outcomes failed, retrying", error=repr(exc))
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
                continue
            self.on_flushed([i for r in records for i in r.ids])
            return

    async def run(self) -> None:
        """Flush until `close`; a batch being written is always finished."""
        closing = False
        while not closing:
            first = await self._queue.get()
            records = [first] if first is not None else []
            closing = first is None
            if not closing:
                await asyncio.sleep(self.flush_seconds)
            while len(records) < self.max_batch and not self._queue.empty():
                queued = self._queue.get_nowait()
                if queued is None:
                    closing = True
                else:
                    records.append(queued)
            if records:
                await self._flush(records)
            if self._queue.empty():
                self._idle.set()

    def close(self) -> None:
        """Ask `run` to write what is queued and return."""
        self._queue.put_nowait(None)

    async def wait_idle(self) -> None:
        await self._idle.wait()
