"""The default ``as_of``: the end of the store's activity, stray late clocks set aside."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from weakties.ties.features import STRAY_GAP_DAYS, STRAY_SHARE, latest_timestamp

START = datetime(2000, 1, 1, tzinfo=UTC)
GAP_US = STRAY_GAP_DAYS * 86400 * 1_000_000


def _store(offsets_s: list[int], implausible: Sequence[int] = ()) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute("CREATE TABLE interactions (ts TIMESTAMPTZ, date_flag VARCHAR)")
    rows = [(START + timedelta(seconds=s), None) for s in offsets_s]
    rows += [(START + timedelta(seconds=s), "implausible") for s in implausible]
    rows.append((None, None))  # an interaction without a date is never the end
    con.executemany("INSERT INTO interactions VALUES (?, ?)", rows)
    return con


def _reference(offsets_s: list[int]) -> datetime | None:
    """The definition, in plain Python: walk the latest timestamps from the top; the last
    silence longer than the gap among the ``STRAY_SHARE`` latest marks the end below it."""
    us = sorted((s * 1_000_000 for s in offsets_s), reverse=True)
    if not us:
        return None
    limit = max(1.0, len(us) * STRAY_SHARE)
    end = us[0]
    for rank, (above, below) in enumerate(pairwise(us), start=1):
        if rank <= limit and above - below > GAP_US:
            end = below
    return START + timedelta(microseconds=end)


def test_a_small_late_cluster_is_set_aside_and_a_large_one_is_not() -> None:
    days = [d * 86400 for d in range(400)]  # a message a day for 400 days
    strays = [(400 + 700) * 86400 + k for k in range(3)]  # three, two years later
    assert latest_timestamp(_store(days + strays)) == START + timedelta(days=399)
    many = [(400 + 700) * 86400 + k for k in range(40)]  # 40 of 440: too many to be strays
    assert latest_timestamp(_store(days + many)) == START + timedelta(days=1100, seconds=39)
    assert latest_timestamp(_store(days, implausible=strays)) == START + timedelta(days=399)
    assert latest_timestamp(_store([])) is None


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, 3 * 365 * 86400), min_size=1, max_size=300),
    st.lists(st.integers(0, 4 * 365 * 86400), max_size=8),
)
def test_matches_its_definition(body: list[int], late: list[int]) -> None:
    offsets = body + [3 * 365 * 86400 + x for x in late]
    assert latest_timestamp(_store(offsets)) == _reference(offsets)


def test_what_has_not_happened_yet_is_not_the_end() -> None:
    days = [d * 86400 for d in range(400)]
    assert latest_timestamp(_store(days)) == START + timedelta(days=399)  # a corpus of its time
    now = START + timedelta(days=200, hours=12)  # meetings planned after now wait for their day
    assert latest_timestamp(_store(days), now=now) == START + timedelta(days=200)
    assert latest_timestamp(_store(days), now=START - timedelta(days=1)) is None
