"""The sweeper: puts lost work back in the queue and says which channels have work due.

A delivery whose worker died (lease expired) goes back to pending; a WhatsApp digest held for a
reply goes out once the user has written; a held digest with no reply for a week is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ita_rent_bot.db import unit_of_work, utcnow
from ita_rent_bot.log import get_logger
from ita_rent_bot.notifications import service as outbox

log = get_logger(__name__)

HELD_FOR_AT_MOST = timedelta(days=7)


@dataclass
class SweepReport:
    released_leases: int = 0
    released_held: int = 0
    expired_held: int = 0
    due: set[str] = field(default_factory=set)


async def sweep(
    session_factory: async_sessionmaker[AsyncSession], *, now: datetime | None = None
) -> SweepReport:
    moment = now or utcnow()
    report = SweepReport()
    async with unit_of_work(session_factory) as session:
        report.released_leases = await outbox.release_expired_leases(session, now=moment)
        report.released_held = await outbox.release_held_on_reply(session, now=moment)
        report.expired_held = await outbox.expire_held(
            session, older_than=moment - HELD_FOR_AT_MOST
        )
        report.due = await outbox.due_channels(session, now=moment)
    if report.released_leases or report.released_held or report.expired_held:
        log.info(
            "sweeper",
            released_leases=report.released_leases,
            released_held=report.released_held,
            expired_held=report.expired_held,
        )
    return report
