"""Who a token belongs to, remembered for a moment so a burst of reads costs no token lookup.

Only read requests (GET, HEAD) use it: they get a detached copy of the user as it was at most
`ttl` seconds ago, shared by every read of that token and never changed by them (a read route
only reads the user; User has no relations to load). Any other request loads the user
afresh and makes this process forget that user. So a rotated token, a deleted user or a change
made by another process (the bot, a webhook) reaches read requests within `ttl` seconds.

Each entry lives a random time between half the ttl and the ttl: tokens first seen together
(a burst of clients, a restart) do not all expire in the same instant and send every lookup to
the database at once, which showed as a stall of every open request in bench/api.py.
"""

from __future__ import annotations

import random
import time
from collections import OrderedDict
from collections.abc import Callable

from sqlalchemy import inspect
from sqlalchemy.orm import make_transient_to_detached

from ita_rent_bot.users.models import User

DEFAULT_TTL_SECONDS = 2.0
DEFAULT_MAX_ENTRIES = 10_000
SAFE_METHODS = frozenset({"GET", "HEAD"})


class TokenCache:
    """Token digest -> (a detached, unmodified User, when it expires); least recently used
    entries go first when full."""

    def __init__(
        self,
        *,
        ttl: float = DEFAULT_TTL_SECONDS,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
        spread: Callable[[], float] = random.random,
    ) -> None:
        self.ttl = ttl
        self.spread = spread
        self.max_entries = max_entries
        self.clock = clock
        self._entries: OrderedDict[str, tuple[User, float]] = OrderedDict()
        self._digests: dict[int, set[str]] = {}  # user id -> their cached token digests

    def get(self, digest: str) -> User | None:
        entry = self._entries.get(digest)
        if entry is None:
            return None
        user, expires = entry
        if self.clock() >= expires:
            self._drop(digest)
            return None
        self._entries.move_to_end(digest)
        return user

    def put(self, digest: str, user: User) -> None:
        """Keep a detached copy of `user` (so the caller's instance stays its own)."""
        self._drop(digest)
        lifetime = self.ttl * (1.0 - 0.5 * self.spread())
        self._entries[digest] = (snapshot(user), self.clock() + lifetime)
        self._digests.setdefault(user.id, set()).add(digest)
        while len(self._entries) > self.max_entries:
            self._drop(next(iter(self._entries)))

    def forget_user(self, user_id: int) -> None:
        for digest in self._digests.pop(user_id, set()):
            self._entries.pop(digest, None)

    def _drop(self, digest: str) -> None:
        entry = self._entries.pop(digest, None)
        if entry is not None:
            digests = self._digests.get(entry[0].id)
            if digests is not None:
                digests.discard(digest)
                if not digests:
                    del self._digests[entry[0].id]

    def __len__(self) -> int:
        return len(self._entries)


def snapshot(user: User) -> User:
    """A detached copy of a loaded user with every column set: what read requests are handed."""
    copy = User(**{attr.key: getattr(user, attr.key) for attr in inspect(User).column_attrs})
    make_transient_to_detached(copy)
    return copy
