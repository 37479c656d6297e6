"""Row ids made by the writer (warehouse.ids): time-ordered, distinct within a batch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from warehouse.ids import RANDOM_BITS, time_ordered_id, time_ordered_ids

AT = datetime(2026, 11, 17, 5, 10, tzinfo=UTC)


def test_an_id_carries_its_rows_millisecond_and_sorts_by_time() -> None:
    first = time_ordered_id(AT)
    assert first >> RANDOM_BITS == int(AT.timestamp() * 1000)
    later = time_ordered_id(AT + timedelta(milliseconds=1))
    assert later > first
    assert first < 2**63  # a BIGINT
    assert time_ordered_id(datetime(2100, 1, 1, tzinfo=UTC)) < 2**63


def test_a_naive_time_is_taken_as_utc() -> None:
    assert time_ordered_id(AT.replace(tzinfo=None)) >> RANDOM_BITS == int(AT.timestamp() * 1000)


def test_a_batch_at_one_instant_gets_distinct_ids() -> None:
    ids = time_ordered_ids([AT] * 5000)
    assert len(set(ids)) == 5000
    assert {i >> RANDOM_BITS for i in ids} == {int(AT.timestamp() * 1000)}


def test_times_before_1970_and_oversized_batches_are_refused() -> None:
    with pytest.raises(ValueError, match="1970"):
        time_ordered_id(datetime(1960, 1, 1, tzinfo=UTC))
    with pytest.raises(ValueError, match="at most"):
        time_ordered_ids([AT] * ((1 << RANDOM_BITS) + 1))
