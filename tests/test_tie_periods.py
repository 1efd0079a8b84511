"""Temporal stability is counted at the grain of the corpus: periods of its span.

A fortnight's face-to-face log counted in ISO weeks put every pair in one or two
weeks; counted in periods (the span in twelve, an hour to a month each) it tells a pair
seen every day from a pair seen once.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from weakties import api
from weakties.config import Settings
from weakties.store import connect
from weakties.ties import tie_features
from weakties.ties.features import (
    MAX_PERIOD_S,
    PERIODS,
    duckdb_counting,
    install_shims,
    latest_timestamp,
    tie_features_sql,
    timestamp_literal,
)

START = datetime(2015, 6, 22, 8, tzinfo=UTC)  # a Monday


def _store(tmp_path: Path, rows: list[tuple[datetime, str, str]]) -> Settings:
    log = tmp_path / "log.csv"
    with log.open("w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["timestamp", "channel", "sender", "recipients", "duration_s"])
        for when, a, b in rows:
            out.writerow([when.isoformat(), "in_person", a, b, "60"])
    settings = Settings(db_path=tmp_path / "s.duckdb")
    api.ingest(settings, [log])
    return settings


def _features(settings: Settings, counted: bool = True) -> dict[tuple[str, str], dict[str, object]]:
    con = connect(settings.db_path, read_only=True)
    try:
        as_of = latest_timestamp(con)
        assert as_of is not None
        table = tie_features(con, as_of)
        if not counted:  # the portable form, COUNT(DISTINCT ...), as on Spark
            install_shims(con)
            sql = tie_features_sql(timestamp_literal(as_of))
            table = con.sql(
                f"SELECT f.*, a.primary_address AS name_a, b.primary_address AS name_b "
                f"FROM ({sql}) f JOIN people a ON a.person_id = f.person_a "
                f"JOIN people b ON b.person_id = f.person_b"
            ).to_arrow_table()
        assert duckdb_counting(con, as_of) is not None
    finally:
        con.close()
    return {(r["name_a"], r["name_b"]): r for r in table.to_pylist()}


def _pair(rows: dict[tuple[str, str], dict[str, object]], a: str, b: str) -> dict[str, object]:
    return rows.get((a, b)) or rows[(b, a)]


@pytest.mark.parametrize("counted", [True, False])
def test_a_fortnight_is_counted_in_days(tmp_path: Path, counted: bool) -> None:
    # ann and bo every day; ann and cy twice, in the first week
    rows = [(START + timedelta(days=day), "ann", "bo") for day in range(12)]
    rows += [(START + timedelta(days=1), "ann", "cy"), (START + timedelta(days=3), "cy", "ann")]
    ties = _features(_store(tmp_path, rows), counted)
    daily, twice = _pair(ties, "ann", "bo"), _pair(ties, "ann", "cy")
    assert daily["period_days"] == pytest.approx((11 * 86400 + 1) / PERIODS / 86400)
    assert daily["active_periods"] == PERIODS
    assert twice["active_periods"] == 2
    assert daily["active_weeks"] == 2  # ISO weeks: at most two, whoever the pair


def test_years_are_counted_in_months(tmp_path: Path) -> None:
    # ann and bo monthly for three years, cy in one month only
    rows = [(START + timedelta(days=30.5 * month), "ann", "bo") for month in range(36)]
    rows += [(START + timedelta(days=400 + k), "ann", "cy") for k in range(20)]
    ties = _features(_store(tmp_path, rows))
    monthly, burst = _pair(ties, "ann", "bo"), _pair(ties, "ann", "cy")
    assert monthly["period_days"] == pytest.approx(MAX_PERIOD_S / 86400)
    assert monthly["active_periods"] == 36
    assert burst["active_periods"] <= 2
