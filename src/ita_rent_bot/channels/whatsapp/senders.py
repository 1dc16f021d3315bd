"""Several sender numbers: a stable sender per user, and a throughput limit per sender.

The assignment is rendezvous hashing: a user keeps their sender across restarts and processes,
and adding or removing a sender moves only the users it gains or loses. The limit spaces sends
on one sender at least 1/WHATSAPP_SENDER_MPS seconds apart inside this process.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Callable, Sequence

from ita_rent_bot.channels.base import Recipient


def mask_sender(sender: str) -> str:
    """`whatsapp:+14155238886` -> `whatsapp:+1415***8886`; short ids keep only their ends."""
    prefix, _, address = sender.rpartition(":")
    head = f"{prefix}:" if prefix else ""
    if len(address) <= 6:
        return head + address[:1] + "***"
    return f"{head}{address[:5]}***{address[-4:]}"


class SenderPool:
    def __init__(
        self,
        senders: Sequence[str],
        mps: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not senders:
            raise ValueError("at least one sender number is needed")
        if mps <= 0:
            raise ValueError("the per-sender rate must be positive")
        self.senders = tuple(dict.fromkeys(senders))
        self.interval = 1.0 / mps
        self._clock = clock
        self._next_free: dict[str, float] = {}

    def sender_for(self, user_id: int) -> str:
        """The sender this user keeps: the highest hash of (user, sender)."""

        def weight(sender: str) -> bytes:
            return hashlib.sha256(f"{user_id}\x00{sender}".encode()).digest()

        return max(self.senders, key=weight)

    def configured(self, sender: str | None) -> str | None:
        """The configured form of `sender` (with or without `whatsapp:`), None if not ours."""
        if not sender:
            return None
        key = sender.removeprefix("whatsapp:")
        for candidate in self.senders:
            if candidate.removeprefix("whatsapp:") == key:
                return candidate
        return None

    def resolve(self, recipient: Recipient) -> str:
        """The recipient's recorded sender while it is still configured, else its stable one."""
        return self.configured(recipient.sender) or self.sender_for(recipient.user_id)

    def reserve(self, sender: str) -> float:
        """Book the next free slot on this sender; the seconds to wait before sending."""
        now = self._clock()
        slot = max(now, self._next_free.get(sender, now))
        self._next_free[sender] = slot + self.interval
        return slot - now

    async def acquire(self, sender: str) -> None:
        delay = self.reserve(sender)
        if delay > 0:
            await asyncio.sleep(delay)
