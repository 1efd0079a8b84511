"""bench/scale.py's Spark figures: the check that two engines' ties agree, and the
projection's arithmetic, on hand-made figures."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from scale_projection import project, rates
from scale_spark import agreement, save_ties


def _store(path: Path, rows: list[tuple[int, int, float, str]]) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute(
            "CREATE TABLE ties (person_a BIGINT, person_b BIGINT, strength DOUBLE, band TEXT)"
        )
        con.executemany("INSERT INTO ties VALUES (?, ?, ?, ?)", rows)
    return path


def test_agreement_finds_every_kind_of_difference(tmp_path: Path) -> None:
    first = _store(tmp_path / "a.duckdb", [(1, 2, 0.5, "strong"), (1, 3, 0.2, "weak")])
    saved = tmp_path / "a.parquet"
    save_ties(first, saved)
    same = agreement(saved, first)
    assert same == {
        "duckdb_pairs": 2,
        "spark_pairs": 2,
        "pairs_in_one_engine_only": 0,
        "max_abs_strength_difference": 0.0,
        "bands_differing": 0,
    }
    rows = [(1, 2, 0.45, "weak"), (2, 3, 0.1, "weak")]
    other = agreement(saved, _store(tmp_path / "b.duckdb", rows))
    assert other["pairs_in_one_engine_only"] == 2  # (1, 3) and (2, 3)
    assert other["max_abs_strength_difference"] == pytest.approx(0.05)
    assert other["bands_differing"] == 3  # (1, 2) changed band; the other two are missing


def _size(events: int, seconds: float, cpu: float, ties: int, python_mb: float) -> dict[str, Any]:
    spark = {
        "cores": 2,
        "features_query_seconds": seconds,
        "jvm_cpu_seconds": cpu,
        "parquet_mb": events / 1e6 * 64,
        "python_peak_rss_mb": python_mb,
        "jvm_peak_rss_mb": 2600.0,
    }
    return {"events": events, "ties": ties, "spark": spark}


def test_the_projection_splits_a_fixed_cost_from_a_rate_per_core() -> None:
    # 30 s fixed, then 10k events a second on 2 cores (5k per core), 8k per CPU second
    small = _size(1_000_000, 30 + 100, 50 + 125, 700_000, 1000.0)
    large = _size(3_000_000, 30 + 300, 50 + 375, 2_100_000, 2400.0)
    step = rates((1_000_000, 130.0, 175.0, 2), (3_000_000, 330.0, 425.0, 2))
    assert step["marginal_events_per_core_second"] == 5000
    assert step["marginal_events_per_jvm_cpu_second"] == 8000
    assert step["fixed_seconds"] == pytest.approx(30.0)
    found = project([small, large], 1e9)
    assert found["core_hours"]["wall_rate"] == pytest.approx(1e9 / 5000 / 3600, abs=0.05)
    assert found["wall_minutes_on"]["1024"]["wall_rate"] == pytest.approx(
        (1e9 / 5000 / 1024 + 30) / 60, abs=0.05
    )
    assert found["ties"] == 700_000_000
    assert found["driver_mb_per_million_ties"] == 1000
    assert found["basis"].startswith("analysis")
    queries = [  # the query alone: 20 s fixed, 8k events a second on 2 cores
        {"events": e, "cores": 2, "noop_seconds": 20 + e / 8000, "noop_jvm_cpu_seconds": e / 5000}
        for e in (1_000_000, 3_000_000)
    ]
    alone = project([small, large], 1e9, queries)
    assert alone["basis"].startswith("noop")
    assert alone["core_hours"]["cpu_rate"] == pytest.approx(1e9 / 5000 / 3600, abs=0.05)
    assert alone["wall_minutes_on"]["64"]["wall_rate"] == pytest.approx(
        (1e9 / 4000 / 64 + 20) / 60, abs=0.05
    )
    assert found["parquet_gb"] == pytest.approx(1e9 / 1e6 * 64 / 1024, abs=0.05)
