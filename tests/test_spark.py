"""One definition, two engines: Spark (local mode) computes the same ties as DuckDB from
the store's facts exported as Parquet, on the demo organisation and on the email-Eu
stream, and `analyze --engine spark` stores the same analysis."""

from __future__ import annotations

import math
import shutil
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from weakties import api
from weakties.cli import run
from weakties.config import Settings
from weakties.demo import DemoConfig, generate, generate_events
from weakties.errors import InputError
from weakties.store.parquet import FACT_TABLES
from weakties.ties import tie_features
from weakties.ties.features import install_shims, latest_timestamp
from weakties.ties.spark import conform, spark_features

pytest.importorskip("pyspark", reason="PySpark is not installed (make venv installs it)")
if not shutil.which("java"):
    pytest.skip("no Java runtime for Spark (.ci/run installs one)", allow_module_level=True)

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))


def _same_ties(duck: pa.Table, spark: pa.Table) -> None:
    """Same pairs, and every column equal (floats to 1e-9)."""
    assert duck.schema == spark.schema
    keys = [("person_a", "ascending"), ("person_b", "ascending")]
    a, b = duck.sort_by(keys), spark.sort_by(keys)
    assert a.num_rows == b.num_rows > 0
    for name in a.column_names:
        left, right = a.column(name).to_pylist(), b.column(name).to_pylist()
        for x, y in zip(left, right, strict=True):
            if isinstance(x, float) and isinstance(y, float):
                assert (math.isnan(x) and math.isnan(y)) or x == pytest.approx(
                    y, rel=1e-9, abs=1e-9
                ), name
            else:
                assert x == y, name


def _both(settings: Settings, folder: Path) -> tuple[pa.Table, pa.Table]:
    assert api.export_parquet(settings, folder)["interactions"] > 0
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        install_shims(con)
        as_of = latest_timestamp(con)
        assert as_of is not None
        duck = tie_features(con, as_of)
        spark = conform(con, spark_features(folder, as_of, "local[2]"), as_of)
    return duck, spark


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("spark")
    config = DemoConfig(seed=5, scale=0.4)
    files = generate(config, root / "demo")
    log = generate_events(config, root / "demo")
    settings = Settings(db_path=root / "demo.duckdb")
    api.ingest(settings, [files.mbox, log])
    api.analyze(settings)  # people resolved, as the export needs
    return settings


def test_the_demo_gives_the_same_tie_features_on_spark(demo: Settings, tmp_path: Path) -> None:
    duck, spark = _both(demo, tmp_path / "parquet")
    _same_ties(duck, spark)


def test_the_export_is_partitioned_parquet_of_every_fact_table(
    demo: Settings, tmp_path: Path
) -> None:
    folder = tmp_path / "facts"
    written = api.export_parquet(demo, folder)
    assert set(written) == set(FACT_TABLES)
    years = sorted(p.name for p in (folder / "interactions").iterdir())
    assert years and all(y.startswith("year=") for y in years)
    with duckdb.connect(str(demo.db_path), read_only=True) as con:
        stored = con.execute("SELECT count(*) FROM participants").fetchall()[0][0]
        back = duckdb.sql(
            f"SELECT count(*) FROM read_parquet('{folder}/participants/*.parquet')"
        ).fetchall()[0][0]
    assert written["participants"] == stored == back


def test_analyze_on_spark_stores_the_analysis_duckdb_stores(demo: Settings, tmp_path: Path) -> None:
    def strengths() -> dict[tuple[int, int], float]:
        with duckdb.connect(str(demo.db_path), read_only=True) as con:
            rows = con.execute("SELECT person_a, person_b, strength FROM ties").fetchall()
        return {(a, b): s for a, b, s in rows}

    api.analyze(demo)
    by_duckdb = strengths()
    code = run(["--db", str(demo.db_path), "analyze", "--engine", "spark", "--master", "local[2]"])
    assert code == 0
    by_spark = strengths()
    assert by_spark.keys() == by_duckdb.keys()
    assert all(by_spark[k] == pytest.approx(by_duckdb[k], abs=1e-9) for k in by_duckdb)


def test_engine_options_are_checked(demo: Settings, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="engine"):
        api.analyze(demo, engine="flink")
    with pytest.raises(InputError, match="--engine spark"):
        api.analyze(demo, master="local[1]")


def test_email_eu_gives_the_same_tie_features_on_spark(shared_data: Path, tmp_path: Path) -> None:
    from datasets import EMAIL_EU, email_eu, write_log

    if not EMAIL_EU.exists():
        pytest.skip(f"{EMAIL_EU} is not there")
    log = tmp_path / "email-eu.csv"
    write_log(log, email_eu())
    settings = Settings(db_path=tmp_path / "eu.duckdb")
    api.ingest(settings, [log])
    api.analyze(settings)
    duck, spark = _both(settings, tmp_path / "parquet")
    _same_ties(duck, spark)
