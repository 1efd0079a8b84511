"""Organisation scale: ingest and analyze of generated organisations of growing size.

Prints one JSON object. For each size, bench/synthetic.py writes an organisation's
interaction log (teams from a power law, heavy-tailed activity, most mail inside a
team; cached under ``--work``), then a fresh child process ingests it into a fresh
store and another analyzes that store. Each child reports its own wall time and peak
RSS (``resource.getrusage``), so the parent's size never counts.

Figures per size: ``events`` (rows of the log), ``people`` (in the store after
analyze, robots included) and ``automated`` (of them, flagged), ``ingest_seconds``,
``events_per_second``, ``ingest_peak_rss_mb``, ``analyze_seconds`` and
``analyze_peak_rss_mb``. ``rate_ratio`` is the ingest rate at the largest size over
the rate at the smallest, in the same invocation (the issue's target: at least 0.8).
``events_per_cpu_second`` and ``cpu_rate_ratio_largest_vs_smallest`` divide by the
ingest child's CPU time instead, which the other jobs on a shared machine lengthen far
less than the wall clock. ``load_before`` / ``load_after`` are the machine's 1-minute
load averages (two cores, shared: figures from a loaded machine are slower, and say
so).

With ``--spark`` each size goes on, after DuckDB's analyze, to two more children
(bench/scale_spark.py): ``weakties export --format parquet`` of the store, then the
same analysis with the tie features computed by Spark in local mode
(``local[--spark-cores]``, all cores by default) over that export. Under ``spark``:
``export_seconds``, ``export_peak_rss_mb``, ``parquet_mb``; ``analyze_seconds`` and
its ``analyze_steps``; of the ``ties`` step, ``session_seconds`` (starting the JVM),
``features_query_seconds`` (the features query on Spark, its result collected to the
driver as Arrow), ``conform_seconds`` and ``driver_scoring_seconds`` (numpy, on the
driver); ``features_events_per_core_second`` (events / query seconds / cores);
``python_peak_rss_mb`` (the driver) and ``jvm_peak_rss_mb`` / ``jvm_cpu_seconds`` (the
JVM PySpark starts, from /proc); ``agreement``: ties each engine gave, pairs only one
gave, the largest strength difference and the bands that differ.
``--plot PNG`` draws the figures (bench/scale_plot.py).

People per size: events / 50 (10,000 at 0.5M, 40,000 at 2M), at most ``--max-people``.
``--staff-ids`` numbers every mailbox (``p100000@ours.example``), as many
organisations do.

Usage: PYTHONPATH=src python bench/scale.py [--sizes 0.5M,2M,8M] [--work DIR]
       [--staff-ids] [--no-analyze] [--spark [--spark-cores N]] [--plot PNG]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scale_spark import (
    agreement,
    export_child,
    query_child,
    save_ties,
    spark_child,
    timed_analysis,
)
from synthetic import Shape, generate
from weakties.analysis import analysis_memory_limit

ROOT = Path(__file__).resolve().parents[1]
EVENTS_PER_PERSON = 50


def _events(text: str) -> int:
    """``0.5M`` -> 500000, ``200k`` -> 200000, ``12000`` -> 12000."""
    text = text.strip().lower()
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text.rstrip("km")) * scale)


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _cpu() -> float:
    """CPU seconds of this process so far (user + system): unlike the wall clock, not
    lengthened by the other jobs that share the machine's cores."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _ingest_child(csv_path: str, db: str) -> dict[str, Any]:
    from weakties import api
    from weakties.config import Settings

    start, cpu = time.perf_counter(), _cpu()
    report = api.ingest(Settings(db_path=Path(db)), [Path(csv_path)])
    seconds = time.perf_counter() - start
    t = report.totals
    return {
        "seconds": seconds,
        "cpu_seconds": _cpu() - cpu,
        "read": t.read,
        "stored": t.stored,
        "peak_rss_mb": _peak_mb(),
    }


def _analyze_child(db: str) -> dict[str, Any]:
    import duckdb

    start = time.perf_counter()
    summary, steps = timed_analysis(db)
    seconds = time.perf_counter() - start
    con = duckdb.connect(db, read_only=True)
    ((people, automated),) = con.execute(
        "SELECT count(*), count(*) FILTER (automated) FROM people"
    ).fetchall()
    con.close()
    return {
        "seconds": seconds,
        "people": people,
        "automated": automated,
        "ties": summary.ties,
        "steps": steps,
        "peak_rss_mb": _peak_mb(),
    }


CHILDREN = {"ingest": _ingest_child, "analyze": _analyze_child}
CHILDREN |= {"export": export_child, "spark": spark_child, "query": query_child}


def _child(*args: str) -> dict[str, Any]:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    done = subprocess.run(
        [sys.executable, __file__, "--child", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        return {"error": _error(done.stderr)}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _error(stderr: str) -> str:
    """What a failed child says went wrong: Python's last line when it names an error,
    else the first line that does (a JVM's stack trace ends in a frame, not a cause)."""
    lines = stderr.strip().splitlines() or ["?"]
    named = [line for line in lines if "Error" in line or "Exception" in line]
    last = lines[-1]
    return (last if last in named or not named else named[0]).strip()[:300]


def _log(events: int, args: argparse.Namespace) -> tuple[Path, int]:
    people = max(100, min(args.max_people, events // EVENTS_PER_PERSON))
    shape = Shape(people=people, interactions=events, staff_ids=args.staff_ids)
    tag = "staff" if args.staff_ids else "names"
    path = args.work / f"org-{events}-{people}-{tag}.csv"
    if not path.exists():
        args.work.mkdir(parents=True, exist_ok=True)
        generate(shape, path)
    return path, people


def _measure(events: int, args: argparse.Namespace) -> dict[str, Any]:
    csv_path, people = _log(events, args)
    db = args.work / f"store-{events}.duckdb"
    db.unlink(missing_ok=True)
    load = os.getloadavg()[0]
    ingest = _child("ingest", str(csv_path), str(db))
    out: dict[str, Any] = {"events": ingest.get("read", events), "generated_people": people}
    out["load_at_start"] = load
    if "error" in ingest:
        return {**out, "ingest_error": ingest["error"]}
    out |= {
        "ingest_seconds": round(ingest["seconds"], 2),
        "events_per_second": round(ingest["read"] / ingest["seconds"]),
        "ingest_cpu_seconds": round(ingest["cpu_seconds"], 2),
        "events_per_cpu_second": round(ingest["read"] / ingest["cpu_seconds"]),
        "ingest_peak_rss_mb": ingest["peak_rss_mb"],
    }
    if not args.no_analyze:
        analyze = _child("analyze", str(db))
        if "error" in analyze:
            out["analyze_error"] = analyze["error"]
        else:
            out |= {
                "people": analyze["people"],
                "automated": analyze["automated"],
                "ties": analyze["ties"],
                "analyze_seconds": round(analyze["seconds"], 2),
                "analyze_steps": analyze["steps"],
                "analyze_peak_rss_mb": analyze["peak_rss_mb"],
            }
        if args.spark:  # also when DuckDB failed: its error may be the reason for Spark
            out["spark"] = _spark(db, out["events"], args, compare="error" not in analyze)
    db.unlink(missing_ok=True)
    return out


def _spark(db: Path, events: int, args: argparse.Namespace, *, compare: bool) -> dict[str, Any]:
    """Export the analysed store as Parquet, analyze it again with the features on
    Spark, and compare the two engines' ties (when DuckDB gave some: ``compare``)."""
    folder, saved = args.work / f"parquet-{events}", args.work / f"duckdb-ties-{events}.parquet"
    if compare:
        save_ties(db, saved)
    export = _child("export", str(db), str(folder))
    if "error" in export:
        return {"export_error": export["error"]}
    spark = _child("spark", str(db), str(folder), str(args.spark_cores))
    out: dict[str, Any] = {
        "cores": args.spark_cores,
        "export_seconds": round(export["seconds"], 2),
        "export_peak_rss_mb": export["peak_rss_mb"],
        "parquet_mb": export["parquet_mb"],
    }
    if "error" in spark:
        return {**out, "analyze_error": spark["error"]}
    query = spark["spark_features_seconds"]
    out |= {
        "analyze_seconds": round(spark["seconds"], 2),
        "analyze_steps": spark["steps"],
        "session_seconds": spark["spark_session_seconds"],
        "features_query_seconds": query,
        "features_events_per_core_second": round(events / (query * args.spark_cores)),
        "conform_seconds": spark["conform_seconds"],
        "driver_scoring_seconds": spark["driver_scoring_seconds"],
        "python_peak_rss_mb": spark["python_peak_rss_mb"],
        "jvm_peak_rss_mb": spark["jvm_peak_rss_mb"],
        "jvm_cpu_seconds": spark["jvm_cpu_seconds"],
        "agreement": agreement(saved, db) if compare else None,
    }
    saved.unlink(missing_ok=True)
    return out


def _ratio(sizes: list[dict[str, Any]], rate: str) -> float | None:
    first, last = sizes[0].get(rate), sizes[-1].get(rate)
    return round(last / first, 3) if first and last else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="0.5M,2M")
    parser.add_argument("--work", type=Path, default=Path("/tmp/weakties-scale"))
    parser.add_argument("--max-people", type=int, default=100_000)
    parser.add_argument("--staff-ids", action="store_true")
    parser.add_argument("--no-analyze", action="store_true")
    parser.add_argument("--spark", action="store_true")
    parser.add_argument("--spark-cores", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--plot", type=Path, help="also draw the figures as this PNG")
    parser.add_argument("--child", nargs="*")
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        print(json.dumps(CHILDREN[kind](*rest)), flush=True)
        return
    load_before = os.getloadavg()[0]
    sizes = []
    for size in args.sizes.split(","):
        sizes.append(_measure(_events(size), args))
        print(json.dumps(sizes[-1]), file=sys.stderr, flush=True)  # each size as it ends
    report = {
        "sizes": sizes,
        "rate_ratio_largest_vs_smallest": _ratio(sizes, "events_per_second"),
        "cpu_rate_ratio_largest_vs_smallest": _ratio(sizes, "events_per_cpu_second"),
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
        "cpus": os.cpu_count(),
        "memory_limit": analysis_memory_limit(),  # the environment's, else the machine's share
    }
    print(json.dumps(report, indent=1))
    if args.plot:
        from scale_plot import draw

        draw(report, args.plot)


if __name__ == "__main__":
    main()
