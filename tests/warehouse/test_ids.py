"""Row ids made by the writer (warehouse.ids): increasing like a sequence's, distinct within a batch."""

from __future__ import annotations

import time

import pytest

from warehouse.ids import RANDOM_BITS, time_ordered_id, time_ordered_ids


def test_ids_increase_in_the_order_they_are_made_even_within_a_millisecond() -> None:
    ids = [time_ordered_id() for _ in range(2000)]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)


def test_an_id_carries_the_millisecond_it_was_made_and_fits_a_bigint() -> None:
    before = time.time_ns() // 1_000_000
    made = time_ordered_id()
    after = time.time_ns() // 1_000_000
    assert before <= made >> RANDOM_BITS <= after + 1  # +1: a burst can run ahead of the clock
    assert made < 2**63


def test_a_batch_is_consecutive_and_after_everything_made_before() -> None:
    first = time_ordered_id()
    batch = time_ordered_ids(5000)
    assert batch == list(range(batch[0], batch[0] + 5000))
    assert batch[0] > first
    assert time_ordered_id() > batch[-1]
    assert time_ordered_ids(0) == []


def test_a_negative_count_is_refused() -> None:
    with pytest.raises(ValueError, match="0 or more"):
        time_ordered_ids(-1)
