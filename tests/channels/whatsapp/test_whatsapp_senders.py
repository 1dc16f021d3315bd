"""Several sender numbers: stable assignment, minimal movement, per-sender spacing, masking."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ita_rent_bot.channels.base import Recipient
from ita_rent_bot.channels.whatsapp.senders import SenderPool, mask_sender

SENDERS = ["whatsapp:+14155238886", "whatsapp:+14155238887", "whatsapp:+14155238888"]


def test_a_user_keeps_the_same_sender_in_every_process() -> None:
    first, second = SenderPool(SENDERS, 10), SenderPool(list(reversed(SENDERS)), 10)
    assert all(first.sender_for(u) == second.sender_for(u) for u in range(500))


def test_users_are_spread_over_every_sender() -> None:
    pool = SenderPool(SENDERS, 10)
    counts = {s: 0 for s in SENDERS}
    for user_id in range(900):
        counts[pool.sender_for(user_id)] += 1
    assert all(150 < n < 450 for n in counts.values()), counts


@given(st.lists(st.integers(1, 10**9), min_size=1, max_size=200))
def test_removing_a_sender_moves_only_its_own_users(user_ids: list[int]) -> None:
    full, reduced = SenderPool(SENDERS, 10), SenderPool(SENDERS[:2], 10)
    for user_id in user_ids:
        before = full.sender_for(user_id)
        if before != SENDERS[2]:
            assert reduced.sender_for(user_id) == before


def test_a_recorded_sender_is_kept_while_it_is_configured() -> None:
    pool = SenderPool(SENDERS, 10)
    other = next(s for s in SENDERS if s != pool.sender_for(1))

    assert pool.resolve(Recipient(1, "+39333", sender=other)) == other
    assert pool.resolve(Recipient(1, "+39333", sender=other.removeprefix("whatsapp:"))) == other
    assert pool.resolve(Recipient(1, "+39333", sender="whatsapp:+10000000000")) == pool.sender_for(
        1
    )
    assert pool.resolve(Recipient(1, "+39333")) == pool.sender_for(1)


def test_sends_on_one_sender_are_spaced_by_the_rate() -> None:
    now = [100.0]
    pool = SenderPool(SENDERS, mps=4, clock=lambda: now[0])

    assert [pool.reserve(SENDERS[0]) for _ in range(3)] == [0.0, 0.25, 0.5]
    assert pool.reserve(SENDERS[1]) == 0.0  # another sender has its own budget
    now[0] += 10
    assert pool.reserve(SENDERS[0]) == 0.0  # an idle sender does not bank credit


async def test_acquire_waits_for_the_booked_slot() -> None:
    pool = SenderPool(SENDERS, mps=1000)
    for _ in range(3):
        await pool.acquire(SENDERS[0])
    assert pool.reserve(SENDERS[0]) >= 0.0


def test_a_pool_needs_senders_and_a_positive_rate() -> None:
    with pytest.raises(ValueError, match="sender"):
        SenderPool([], 1)
    with pytest.raises(ValueError, match="rate"):
        SenderPool(SENDERS, 0)


@pytest.mark.parametrize(
    ("sender", "masked"),
    [
        ("whatsapp:+14155238886", "whatsapp:+1415***8886"),
        ("+14155238886", "+1415***8886"),
        ("106540352242922", "10654***2922"),
        ("123", "1***"),
    ],
)
def test_senders_are_masked(sender: str, masked: str) -> None:
    assert mask_sender(sender) == masked
