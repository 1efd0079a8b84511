"""The Spark side of bench/scale.py: the Parquet export, the analysis with the features
query on Spark in local mode, and the check that both engines gave the same ties.

Each ``*_child`` runs in a child process of its own (bench/scale.py starts it) and
returns its figures. The Spark child's memory is two processes: the Python driver
(``resource.getrusage``) and the JVM that PySpark starts as its child, whose peak RSS
is the kernel's high-water mark (``VmHWM`` in ``/proc/PID/status``) read before the
session stops; its CPU seconds come from ``/proc/PID/stat`` likewise.
"""

from __future__ import annotations

import os
import resource
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

TICKS = os.sysconf("SC_CLK_TCK")


def export_child(db: str, folder: str) -> dict[str, Any]:
    """``weakties export --format parquet`` of the store, timed."""
    from weakties import api
    from weakties.config import Settings

    start, cpu = time.perf_counter(), _cpu()
    written = api.export_parquet(Settings(db_path=Path(db)), Path(folder))
    seconds = time.perf_counter() - start
    size = sum(p.stat().st_size for p in Path(folder).rglob("*.parquet"))
    return {
        "seconds": seconds,
        "cpu_seconds": _cpu() - cpu,
        "rows": written,
        "parquet_mb": round(size / 2**20, 1),
        "peak_rss_mb": _peak_mb(),
    }


class StepClock:
    """A progress sink that notes when the analysis moves from one step to the next."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self.names, self.marks = names, [time.perf_counter()]

    def start(self, label: str, total: int | None) -> None:
        self.marks = [time.perf_counter()]

    def advance(self, n: int) -> None:
        self.marks.append(time.perf_counter())

    def finish(self) -> None:
        return None

    def seconds(self) -> dict[str, float]:
        spans = zip(self.marks, self.marks[1:], strict=False)
        return {name: round(b - a, 3) for name, (a, b) in zip(self.names, spans, strict=False)}


def timed_analysis(db: str, features: Any = None) -> tuple[Any, dict[str, float]]:
    """The store's analysis (as ``weakties analyze`` runs it), with each step's seconds."""
    from weakties.analysis import STEPS, analyze
    from weakties.api import open_store
    from weakties.config import Settings

    clock = StepClock(STEPS)
    with open_store(Settings(db_path=Path(db))) as con:
        summary = analyze(con, progress=clock, features=features)
    return summary, clock.seconds()


def spark_child(db: str, folder: str, cores: str) -> dict[str, Any]:
    """The analysis with the tie features computed by Spark (``local[cores]``) over the
    exported Parquet tables; scoring and graph steps on the driver, as the product runs
    them. The features engine is the product's (``spark_features`` then ``conform``)
    timed part by part; it reads the export the export child wrote instead of writing
    it again."""
    from weakties.ties.spark import conform, spark_features

    parts: dict[str, float] = {}
    jvm: dict[str, float] = {}

    def features(con: duckdb.DuckDBPyConnection, as_of: datetime) -> pa.Table:
        start = time.perf_counter()
        _session(f"local[{cores}]")
        parts["spark_session_seconds"] = time.perf_counter() - start
        found = _timed(parts, "spark_features_seconds", spark_features, Path(folder), as_of)
        jvm.update(_jvm_figures())  # before conform and scoring: the JVM's work is done
        return _timed(parts, "conform_seconds", conform, con, found, as_of)

    start = time.perf_counter()
    summary, steps = timed_analysis(db, features)
    seconds = time.perf_counter() - start
    jvm.update(_jvm_figures())  # the high-water mark cannot fall: the whole run's peak
    _stop()
    engine = sum(parts.values())
    return {
        "seconds": seconds,
        "steps": steps,
        **{k: round(v, 3) for k, v in parts.items()},
        "driver_scoring_seconds": round(steps.get("ties", 0.0) - engine, 3),
        "ties": summary.ties,
        "python_peak_rss_mb": _peak_mb(),
        **jvm,
    }


def duckdb_child(db: str) -> dict[str, Any]:
    """The analysis on DuckDB with each step's seconds (the features query and the
    scoring together in ``ties``)."""
    start = time.perf_counter()
    summary, steps = timed_analysis(db)
    return {
        "seconds": time.perf_counter() - start,
        "steps": steps,
        "ties": summary.ties,
        "peak_rss_mb": _peak_mb(),
    }


def save_ties(db: Path, target: Path) -> None:
    """The store's ties (pair, strength, band) as Parquet, to compare another run with."""
    with duckdb.connect(str(db), read_only=True) as con:
        where = str(target).replace("'", "''")
        query = "SELECT person_a, person_b, strength, band FROM ties"
        con.execute(f"COPY ({query}) TO '{where}' (FORMAT parquet)")


def agreement(saved: Path, db: Path) -> dict[str, Any]:
    """How the store's ties compare with ``saved`` (another engine's): pairs in each,
    pairs in one only, the largest strength difference, and bands that differ."""
    con = duckdb.connect()
    con.execute(f"ATTACH '{db}' AS s (READ_ONLY)")
    ((duck, spark, only_one, diff, bands),) = con.execute(
        f"""
        WITH d AS (SELECT * FROM read_parquet('{saved}')), s AS (SELECT * FROM s.ties)
        SELECT (SELECT count(*) FROM d), (SELECT count(*) FROM s),
               count(*) FILTER (d.person_a IS NULL OR s.person_a IS NULL),
               max(abs(d.strength - s.strength)),
               count(*) FILTER (d.band IS DISTINCT FROM s.band)
        FROM d FULL JOIN s USING (person_a, person_b)
        """
    ).fetchall()
    con.close()
    return {
        "duckdb_pairs": duck,
        "spark_pairs": spark,
        "pairs_in_one_engine_only": only_one,
        "max_abs_strength_difference": diff,
        "bands_differing": bands,
    }


def _timed(parts: dict[str, float], name: str, f: Callable[..., pa.Table], *args: Any) -> pa.Table:
    start = time.perf_counter()
    result = f(*args)
    parts[name] = time.perf_counter() - start
    return result


def _session(master: str) -> Any:
    from weakties.ties.spark import _session as product_session

    return product_session(master)


def _stop() -> None:
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        active.stop()


def _jvm_figures() -> dict[str, float]:
    """Peak RSS and CPU seconds of this process's descendants (the JVM and any Python
    workers it started), read from /proc while they run."""
    peak, cpu = 0.0, 0.0
    for pid in _descendants(os.getpid()):
        status = _read(f"/proc/{pid}/status")
        hwm = [line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")]
        peak = max(peak, int(hwm[0]) / 1024 if hwm else 0.0)
        fields = _read(f"/proc/{pid}/stat").rsplit(")", 1)[-1].split()
        if len(fields) > 12:
            cpu += (int(fields[11]) + int(fields[12])) / TICKS
    return {"jvm_peak_rss_mb": round(peak, 1), "jvm_cpu_seconds": round(cpu, 2)}


def _descendants(root: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _read(f"/proc/{entry.name}/stat").rsplit(")", 1)[-1].split()
            if len(fields) > 1:
                parents[int(entry.name)] = int(fields[1])
    found, frontier = [], [root]
    while frontier:
        pid = frontier.pop()
        children = [c for c, p in parents.items() if p == pid]
        found += children
        frontier += children
    return found


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:  # the process ended meanwhile
        return ""


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def query_child(folder: str, cores: str) -> dict[str, Any]:
    """The features query alone over an export, on Spark ``local[cores]``: first run
    to the end without collecting its rows (Spark's ``noop`` sink, as a cluster that
    writes its result where it is would run it), then collected to this driver as
    Arrow, as ``analyze --engine spark`` does. Either may fail (the driver's heap):
    its error is reported, not raised."""
    from weakties.ties import NAMED
    from weakties.ties.features import tie_features_sql
    from weakties.ties.spark import spark_timestamp_literal

    load = os.getloadavg()[0]
    as_of = _latest(Path(folder))
    spark = _session(f"local[{cores}]")
    for name in ("interactions", "participants", "items", "sources", "identities", "people"):
        spark.read.parquet(str(Path(folder) / name)).createOrReplaceTempView(name)
    sql = NAMED.format(features=tie_features_sql(spark_timestamp_literal(as_of)))
    out: dict[str, Any] = {}
    start = time.perf_counter()
    spark.sql(sql).write.format("noop").mode("overwrite").save()
    out["noop_seconds"] = round(time.perf_counter() - start, 2)
    out |= {f"noop_{k}": v for k, v in _jvm_figures().items()}
    start = time.perf_counter()
    try:
        out["collected_ties"] = spark.sql(sql).toArrow().num_rows
        out["collect_seconds"] = round(time.perf_counter() - start, 2)
    except Exception as exc:  # noqa: BLE001 - a figure to report, whatever Spark raised
        out["collect_error"] = _first_line(str(exc))
        out["collect_failed_after_seconds"] = round(time.perf_counter() - start, 2)
    out |= _jvm_figures()
    _stop()
    return {**out, "python_peak_rss_mb": _peak_mb(), "load_at_start": load}


def _latest(folder: Path) -> datetime:
    """The analysis's default instant (``latest_timestamp``) read from the export."""
    from weakties.ties.features import latest_timestamp

    con = duckdb.connect()
    where = str(folder / "interactions" / "**" / "*.parquet").replace("'", "''")
    con.execute(f"CREATE VIEW interactions AS SELECT * FROM read_parquet('{where}')")
    found = latest_timestamp(con)
    con.close()
    assert found is not None, "no dated interactions in the export"
    return found


def _first_line(text: str) -> str:
    lines = [line for line in text.splitlines() if "Error" in line or "Exception" in line]
    return (lines or text.splitlines() or ["?"])[0].strip()[:300]
