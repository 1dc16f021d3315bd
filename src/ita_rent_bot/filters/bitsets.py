"""Sets of index slots as Python ints: AND/OR over thousands of members at C speed."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence

_ONE = re.compile("1")


def from_positions(positions: Iterable[int]) -> int:
    """The int whose set bits are `positions`, built in one pass (no quadratic OR chain)."""
    pos = list(positions)
    if not pos:
        return 0
    buf = bytearray((max(pos) >> 3) + 1)
    for p in pos:
        buf[p >> 3] |= 1 << (p & 7)
    return int.from_bytes(buf, "little")


def positions(mask: int) -> list[int]:
    """The set bits of `mask`, lowest first."""
    if not mask:
        return []
    bits = bin(mask)[:1:-1]  # bit i at index i
    return [m.start() for m in _ONE.finditer(bits)]


def grid(points: Iterable[int]) -> tuple[int, ...]:
    """Bucket edges at every round value r and at r + 1, so a bound on a round value is exact."""
    return tuple(sorted({0} | {p for r in points for p in (r, r + 1)}))


class RangeBits:
    """One numeric field (price, rooms or area) of a city's filters, bucketed on a fixed grid.

    A filter bounded on this field has its slot in lo[b] for every bucket b at or above its
    lower bound's bucket, and in hi[b] for every b at or below its upper bound's bucket, so
    lo[b] & hi[b] holds every filter whose range meets bucket b (a superset of the matches).
    `open` holds filters with no bound here; `unknown_ok` the bounded ones that take unknowns.
    """

    __slots__ = ("edge_set", "edges", "hi", "lo", "open", "unknown_ok")

    def __init__(self, edges: Sequence[int]) -> None:
        self.edges = tuple(edges)
        self.edge_set = frozenset(edges)
        self.lo = [0] * len(edges)
        self.hi = [0] * len(edges)
        self.open = 0
        self.unknown_ok = 0

    def bucket(self, value: int) -> int:
        return max(0, bisect_right(self.edges, value) - 1)

    def span(self, lo: int | None, hi: int | None) -> tuple[int, int] | None:
        if lo is None and hi is None:
            return None
        first = 0 if lo is None else self.bucket(lo)
        last = len(self.edges) - 1 if hi is None else self.bucket(hi)
        return first, last

    def exact(self, lo: int | None, hi: int | None) -> bool:
        """True when every value in the buckets the range spans lies inside the range."""
        return (lo is None or lo in self.edge_set) and (hi is None or hi + 1 in self.edge_set)

    def candidates(self, value: int | None) -> int:
        if value is None:
            return self.open | self.unknown_ok
        b = self.bucket(value)
        return self.open | (self.lo[b] & self.hi[b])

    def add(self, bit: int, span: tuple[int, int] | None, unknown_ok: bool) -> None:
        if span is None:
            self.open |= bit
            return
        first, last = span
        lo, hi = self.lo, self.hi
        for b in range(first, len(lo)):
            lo[b] |= bit
        for b in range(last + 1):
            hi[b] |= bit
        if unknown_ok:
            self.unknown_ok |= bit

    def remove(self, bit: int, span: tuple[int, int] | None) -> None:
        clear = ~bit
        if span is None:
            self.open &= clear
            return
        first, last = span
        lo, hi = self.lo, self.hi
        for b in range(first, len(lo)):
            lo[b] &= clear
        for b in range(last + 1):
            hi[b] &= clear
        self.unknown_ok &= clear

    def build(self, entries: Iterable[tuple[int, tuple[int, int] | None, bool]]) -> None:
        """Fill from (slot, span, unknown_ok) in one pass per bucket: how a city is rebuilt."""
        n = len(self.edges)
        starts: list[list[int]] = [[] for _ in range(n)]
        ends: list[list[int]] = [[] for _ in range(n)]
        open_slots: list[int] = []
        unknown_slots: list[int] = []
        for slot, span, unknown_ok in entries:
            if span is None:
                open_slots.append(slot)
                continue
            starts[span[0]].append(slot)
            ends[span[1]].append(slot)
            if unknown_ok:
                unknown_slots.append(slot)
        acc = 0
        for b in range(n):
            if starts[b]:
                acc |= from_positions(starts[b])
            self.lo[b] = acc
        acc = 0
        for b in range(n - 1, -1, -1):
            if ends[b]:
                acc |= from_positions(ends[b])
            self.hi[b] = acc
        self.open = from_positions(open_slots)
        self.unknown_ok = from_positions(unknown_slots)
