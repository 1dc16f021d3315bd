"""What read requests ask for again and again, kept in this process: who a token belongs to,
and each user's searches as the JSON that GET /filters sends.

On SQLite it is exact. Everything kept was read at a read revision (read_revision.py), and is
served only while the counter still shows it: every authenticated request first syncs
(UserTokenAuth does), and the first one after any committed change to a user or a search, made
by any process (another API process, the bot, a webhook), drops everything. So a read never
sees an older state than the last commit before it began. Entries still expire after a
minute (REVISION_TTL_SECONDS), in case the triggers were ever missing.

Without a revision (PostgreSQL) a token is kept for at most `ttl` seconds, and searches are
not kept: a change made by another process reaches read requests within `ttl`. Each entry
there lives a random time between half the ttl and the ttl, so tokens first seen together (a
burst of clients, a restart) do not all expire in the same instant and send every lookup to
the database at once, which showed as a stall of every open request in bench/api.py.

Only read requests (GET, HEAD) take from it: they get a detached copy of the user, shared by
every read of that token and never changed by them (a read route only reads the user; User
has no relations to load). Any other request loads the user afresh and makes this process
forget that user.
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
# With a revision too, nothing is kept longer than this: should the triggers ever be missing
# (a schema made by hand, a migration that rebuilt a table), a revoked token or a changed
# search is still not served for longer.
REVISION_TTL_SECONDS = 60.0
DEFAULT_MAX_ENTRIES = 10_000
MAX_FILTER_BYTES = 16 * 1024 * 1024  # the searches kept as JSON, all users together
SAFE_METHODS = frozenset({"GET", "HEAD"})


class ReadCache:
    """Token digest -> (a detached, unmodified User, when it expires), and user id -> (their
    searches as JSON, when it expires); the least recently used go first when full."""

    def __init__(
        self,
        *,
        revision: Callable[[], int | None] | None = None,
        ttl: float = DEFAULT_TTL_SECONDS,
        revision_ttl: float = REVISION_TTL_SECONDS,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        max_filter_bytes: int = MAX_FILTER_BYTES,
        clock: Callable[[], float] = time.monotonic,
        spread: Callable[[], float] = random.random,
    ) -> None:
        self.read_revision = revision  # None: no revision, the time limit instead
        self.revision: int | None = None  # what everything kept was read at
        self.ttl = ttl if revision is None else revision_ttl
        self.spread = spread
        self.max_entries = max_entries
        self.max_filter_bytes = max_filter_bytes
        self.clock = clock
        self._entries: OrderedDict[str, tuple[User, float]] = OrderedDict()
        self._digests: dict[int, set[str]] = {}  # user id -> their cached token digests
        self._filters: OrderedDict[int, tuple[bytes, float]] = OrderedDict()
        self._filter_bytes = 0

    def sync(self) -> int | None:
        """Drop everything when the revision has moved on (or cannot be read). Returns the
        revision to tag what this request reads from now on; None: keep nothing by it."""
        if self.read_revision is None:
            return None
        current = self.read_revision()
        if current is None or current != self.revision:
            self.clear()
            self.revision = current
        return current

    def _keeps(self, seen: int | None) -> bool:
        """Whether a value read at revision `seen` may be kept: not when a later sync has
        moved on since (it may predate that change)."""
        return self.read_revision is None or (seen is not None and seen == self.revision)

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

    def put(self, digest: str, user: User, seen: int | None = None) -> None:
        """Keep a detached copy of `user` (so the caller's instance stays its own), read at
        revision `seen`."""
        if not self._keeps(seen):
            return
        self._drop(digest)
        self._entries[digest] = (snapshot(user), self._expiry())
        self._digests.setdefault(user.id, set()).add(digest)
        while len(self._entries) > self.max_entries:
            self._drop(next(iter(self._entries)))

    def _expiry(self) -> float:
        return self.clock() + self.ttl * (1.0 - 0.5 * self.spread())

    def filters(self, user_id: int) -> bytes | None:
        entry = self._filters.get(user_id)
        if entry is None:
            return None
        if self.clock() >= entry[1]:
            self._drop_filters(user_id)
            return None
        self._filters.move_to_end(user_id)
        return entry[0]

    def put_filters(self, user_id: int, body: bytes, seen: int | None) -> None:
        """Keep a user's searches as JSON, read at revision `seen`; only with a revision."""
        if self.read_revision is None or not self._keeps(seen):
            return
        self._drop_filters(user_id)
        self._filters[user_id] = (body, self._expiry())
        self._filter_bytes += len(body)
        while self._filters and (
            len(self._filters) > self.max_entries or self._filter_bytes > self.max_filter_bytes
        ):
            self._drop_filters(next(iter(self._filters)))

    def _drop_filters(self, user_id: int) -> None:
        entry = self._filters.pop(user_id, None)
        if entry is not None:
            self._filter_bytes -= len(entry[0])

    def forget_user(self, user_id: int) -> None:
        self._drop_filters(user_id)
        for digest in self._digests.pop(user_id, set()):
            self._entries.pop(digest, None)

    def clear(self) -> None:
        self._entries.clear()
        self._digests.clear()
        self._filters.clear()
        self._filter_bytes = 0

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
