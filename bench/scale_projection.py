"""From bench/scale.py's measured Spark figures to a cluster for a billion interactions.

Prints one JSON object. The features query's cost is split into a fixed part and a
part per event, from the two largest sizes measured (their difference: the fixed part,
JVM warm-up, planning and code generation, cancels out):

* ``marginal_events_per_core_second``: extra events / extra query seconds / cores
  (wall clock: on a shared machine the other jobs lengthen it);
* ``marginal_events_per_jvm_cpu_second``: extra events / extra CPU seconds of the JVM
  (the work itself, which the other jobs lengthen far less);
* ``fixed_seconds``: the query's seconds at the largest size less its events at the
  marginal rate.

Then, for ``--events`` (1e9), the core-seconds of work at each rate and the wall time on
clusters of ``--cores`` cores, under the assumptions docs/scale.md states (the query
is shuffle-bound and its rate per core stays what it was here; the fixed part does not
grow), plus the Parquet size, the ties and the driver memory they would need at the
measured bytes per event and per tie.

When the JSON also holds ``"queries"`` (bench/scale.py's ``query`` child: the features
query alone over an export, run to the end without collecting its rows), the two
largest of those set the rates instead: the query as a cluster would run it, writing
its result where it is.

Usage: python bench/scale_projection.py docs/scale.json [--events 1e9]
"""

from __future__ import annotations

import argparse
import json
from itertools import pairwise
from pathlib import Path
from typing import Any

CLUSTERS = (64, 128, 256, 512, 1024)

Point = tuple[int, float, float, int]
"""Events, query seconds, JVM CPU seconds, cores."""


def load(paths: list[Path]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every size with Spark analysis figures, and every query-alone run
    (``"queries"``: bench/scale.py's ``query`` child), smallest first."""
    runs: list[dict[str, Any]] = []
    queries: list[dict[str, Any]] = []
    for path in paths:
        found = json.loads(path.read_text())
        runs += found.get("runs", [found])
        queries += found.get("queries", [])
    sizes = [
        s for run in runs for s in run["sizes"] if "features_query_seconds" in s.get("spark", {})
    ]
    done = [q for q in queries if "noop_seconds" in q]
    return sorted(sizes, key=lambda s: s["events"]), sorted(done, key=lambda q: q["events"])


def timings(sizes: list[dict[str, Any]], queries: list[dict[str, Any]]) -> dict[str, list[Point]]:
    """(events, query seconds, JVM CPU seconds, cores) per measured size: the query
    inside the analysis (collected to the driver), and the query alone run to the end
    without collecting (``noop``)."""
    return {
        "analysis": [
            (
                s["events"],
                s["spark"]["features_query_seconds"],
                s["spark"]["jvm_cpu_seconds"],
                s["spark"]["cores"],
            )
            for s in sizes
        ],
        "noop": [
            (q["events"], q["noop_seconds"], q["noop_jvm_cpu_seconds"], q["cores"]) for q in queries
        ],
    }


def rates(
    small: tuple[int, float, float, int], large: tuple[int, float, float, int]
) -> dict[str, float]:
    """The query's marginal rates between two sizes, and its fixed part."""
    events, cores = large[0] - small[0], large[3]
    per_core = events / (large[1] - small[1]) / cores
    return {
        "from_events": small[0],
        "to_events": large[0],
        "marginal_events_per_core_second": round(per_core),
        "marginal_events_per_jvm_cpu_second": round(events / (large[2] - small[2])),
        "fixed_seconds": round(large[1] - large[0] / (per_core * cores), 1),
    }


def project(
    sizes: list[dict[str, Any]], events: float, queries: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """Core-seconds and wall time for ``events`` at the measured rates: those of the
    two largest query-alone runs when there are two, else of the two largest
    analyses."""
    steps = {
        kind: [rates(a, b) for a, b in pairwise(points)]
        for kind, points in timings(sizes, queries or []).items()
    }
    basis = "noop" if steps["noop"] else "analysis"
    last, largest = steps[basis][-1], sizes[-1]
    spark = largest["spark"]
    work = {
        "wall_rate": events / last["marginal_events_per_core_second"],
        "cpu_rate": events / last["marginal_events_per_jvm_cpu_second"],
    }
    return {
        "measured_steps": steps,
        "basis": f"{basis}, {last['from_events']} to {last['to_events']} events",
        "events": events,
        "core_hours": {k: round(v / 3600, 1) for k, v in work.items()},
        "wall_minutes_on": {
            str(c): {k: round((v / c + last["fixed_seconds"]) / 60, 1) for k, v in work.items()}
            for c in CLUSTERS
        },
        "parquet_gb": round(spark["parquet_mb"] / largest["events"] * events / 1024, 1),
        "ties_per_event": round(largest["ties"] / largest["events"], 3),
        "ties": round(largest["ties"] / largest["events"] * events),
        "driver_mb_per_million_ties": _driver_per_tie(sizes),
        "jvm_peak_rss_mb_per_core": round(spark["jvm_peak_rss_mb"] / spark["cores"]),
    }


def _driver_per_tie(sizes: list[dict[str, Any]]) -> float:
    """The Python driver's extra peak RSS per extra million ties, two largest sizes."""
    a, b = sizes[-2], sizes[-1]
    extra = b["spark"]["python_peak_rss_mb"] - a["spark"]["python_peak_rss_mb"]
    return round(extra / (b["ties"] - a["ties"]) * 1e6)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("runs", type=Path, nargs="+")
    parser.add_argument("--events", type=float, default=1e9)
    args = parser.parse_args()
    sizes, queries = load(args.runs)
    if len(sizes) < 2:
        parser.error("need Spark figures at two sizes at least")
    print(json.dumps(project(sizes, args.events, queries), indent=1))


if __name__ == "__main__":
    main()
