"""Draw bench/scale.py's JSON as a PNG: seconds and peak RSS against events, DuckDB and
Spark (local mode) side by side.

Usage: python bench/scale_plot.py docs/scale.png run.json [run.json ...]
(the sizes of several runs drawn together: docs/scale.json keeps them as
``{"runs": [...]}``); or ``bench/scale.py --plot docs/scale.png``, which draws what it
has just measured.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

SERIES = {
    "seconds": [
        ("DuckDB ingest", lambda s: s.get("ingest_seconds")),
        ("DuckDB analyze", lambda s: s.get("analyze_seconds")),
        ("  of which features query + scoring", lambda s: s.get("analyze_steps", {}).get("ties")),
        ("Parquet export", lambda s: s.get("spark", {}).get("export_seconds")),
        ("Spark analyze (features on Spark)", lambda s: s.get("spark", {}).get("analyze_seconds")),
        (
            "  of which the Spark features query",
            lambda s: s.get("spark", {}).get("features_query_seconds"),
        ),
    ],
    "peak RSS (MB)": [
        ("DuckDB ingest", lambda s: s.get("ingest_peak_rss_mb")),
        ("DuckDB analyze", lambda s: s.get("analyze_peak_rss_mb")),
        ("Parquet export", lambda s: s.get("spark", {}).get("export_peak_rss_mb")),
        ("Spark analyze: Python driver", lambda s: s.get("spark", {}).get("python_peak_rss_mb")),
        ("Spark analyze: JVM", lambda s: s.get("spark", {}).get("jvm_peak_rss_mb")),
    ],
}


def draw(report: dict[str, Any], target: Path) -> None:
    """Two panels, log-log, one line per measured series; ``report`` is one run of
    bench/scale.py or ``{"runs": [...]}``, several."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    runs = report.get("runs", [report])
    sizes = sorted((s for run in runs for s in run["sizes"]), key=lambda s: s["events"])
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    for ax, (label, series) in zip(axes, SERIES.items(), strict=True):
        for name, get in series:
            points = [(s["events"], get(s)) for s in sizes if get(s) is not None]
            if points:
                xs, ys = zip(*points, strict=True)
                spark = "Spark" in name or "export" in name or "JVM" in name
                ax.plot(xs, ys, marker="o", label=name, linestyle="--" if spark else "-")
        _queries(ax, label, report.get("queries", []))
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("events (interactions in the log)")
        ax.set_ylabel(label)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    cores = next((s["spark"].get("cores") for s in sizes if "spark" in s), None)
    loads = ", ".join(f"{s.get('load_at_start', 0):.1f}" for s in sizes)
    fig.suptitle(
        f"weakties at organisation scale: {runs[0].get('cpus')} cores, Spark local[{cores}], "
        f"1-min load at each size's start {loads}",
        fontsize=10,
    )
    fig.tight_layout()
    target.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(target, dpi=110)
    plt.close(fig)


def _queries(ax: Any, label: str, queries: list[dict[str, Any]]) -> None:
    """The features query run alone over an export (bench/scale.py's ``query`` child),
    and where collecting its result to the driver failed."""
    key = "noop_seconds" if label == "seconds" else "noop_jvm_peak_rss_mb"
    points = sorted((q["events"], q[key]) for q in queries if key in q)
    if not points:
        return
    xs, ys = zip(*points, strict=True)
    name = "Spark features query alone, not collected"
    ax.plot(
        xs,
        ys,
        marker="s",
        linestyle=":",
        color="black",
        label=name + ("" if label == "seconds" else ": JVM"),
    )
    for q in queries:
        if "collect_error" in q and label == "seconds":
            ax.annotate(
                "collecting it: driver heap\nout of memory",
                (q["events"], q[key]),
                textcoords="offset points",
                xytext=(-120, 20),
                fontsize=7,
            )


def _runs(paths: list[str]) -> dict[str, Any]:
    runs, queries = [], []
    for path in paths:
        found = json.loads(Path(path).read_text())
        runs += found.get("runs", [found])
        queries += found.get("queries", [])
    return {"runs": runs, "queries": queries}


if __name__ == "__main__":
    draw(_runs(sys.argv[2:]), Path(sys.argv[1]))
