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

Usage: python bench/scale_projection.py docs/scale.json [--events 1e9]
"""

from __future__ import annotations

import argparse
import json
from itertools import pairwise
from pathlib import Path
from typing import Any

CLUSTERS = (64, 128, 256, 512, 1024)


def measured(paths: list[Path]) -> list[dict[str, Any]]:
    """Every size with Spark figures, smallest first, from one or more runs."""
    runs: list[dict[str, Any]] = []
    for path in paths:
        found = json.loads(path.read_text())
        runs += found.get("runs", [found])
    sizes = [
        s for run in runs for s in run["sizes"] if "features_query_seconds" in s.get("spark", {})
    ]
    return sorted(sizes, key=lambda s: s["events"])


def rates(small: dict[str, Any], large: dict[str, Any]) -> dict[str, float]:
    """The query's marginal rates between two sizes, and its fixed part."""
    cores = large["spark"]["cores"]
    events = large["events"] - small["events"]
    wall = large["spark"]["features_query_seconds"] - small["spark"]["features_query_seconds"]
    cpu = large["spark"]["jvm_cpu_seconds"] - small["spark"]["jvm_cpu_seconds"]
    per_core = events / wall / cores
    return {
        "from_events": small["events"],
        "to_events": large["events"],
        "marginal_events_per_core_second": round(per_core),
        "marginal_events_per_jvm_cpu_second": round(events / cpu),
        "fixed_seconds": round(
            large["spark"]["features_query_seconds"] - large["events"] / (per_core * cores), 1
        ),
    }


def project(sizes: list[dict[str, Any]], events: float) -> dict[str, Any]:
    """Core-seconds and wall time for ``events`` at the measured rates."""
    steps = [rates(a, b) for a, b in pairwise(sizes)]
    last, largest = steps[-1], sizes[-1]
    spark = largest["spark"]
    work = {
        "wall_rate": events / last["marginal_events_per_core_second"],
        "cpu_rate": events / last["marginal_events_per_jvm_cpu_second"],
    }
    return {
        "measured_steps": steps,
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
    sizes = measured(args.runs)
    if len(sizes) < 2:
        parser.error("need Spark figures at two sizes at least")
    print(json.dumps(project(sizes, args.events), indent=1))


if __name__ == "__main__":
    main()
