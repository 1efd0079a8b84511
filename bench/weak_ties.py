"""Are weak ties bridges? Onnela et al. (PNAS 2007) on the email-Eu temporal data.

Feeds SNAP's four email-Eu department streams (``src dst t`` rows, one per
recipient; rows with the same sender and second are one e-mail) through the generic
interaction log, runs the full analysis once, and on each department's graph of
reciprocal ties (strong, weak, dormant) removes ties in four orders:

* bridges first (decreasing bridge score) and bridges last (increasing);
* weak first (increasing strength) and strong first (decreasing).

It prints one JSON object with, per department and on average, the giant-component
fraction at 50, 80 and 90 % removed for each order and the mean overlap by strength
decile, and writes the curves to a PNG (``--png``, default docs/weak-ties-email-eu.png).

Benson's ``scholp-email-Eu`` simplices cover the whole 803-day stream but store each
e-mail's people in a canonical order, so who sent it cannot be recovered (taking the
first or last id as the sender leaves 5-8 % of pairs reciprocal, against 55 % in
SNAP's directed edge list); the department files keep the direction.

Usage: python bench/weak_ties.py [--data PATH] [--png PATH]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np

from weakties import api, graph
from weakties.config import Settings
from weakties.store import connect
from weakties.store.db import arrow

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "snap-email-eu-core"
START_S = 1_072_915_200
"""2004-01-01T00:00:00Z, within the span of email-Eu's own times (September 2003 to
December 2005 in scholp-email-Eu/email-Eu-times): a Thursday like 1970-01-01, so that
every day and week falls as it did counted from 0."""

DEPARTMENTS = (1, 2, 3, 4)
MARKS = (0.5, 0.8, 0.9)
GRID = np.linspace(0.0, 1.0, 101)


def write_log(folder: Path, out: Path) -> int:
    """The four department streams as one interaction log; returns the e-mails written.

    Node ids are per department, so each is prefixed with its department. Time t is
    seconds from an anonymised start; it is written as Unix seconds from
    :data:`START_S`, so that it reads as a plausible date (a log's times before 1985 are
    flagged implausible and left out of ties, as in mail).
    """
    written = 0
    with out.open("w") as fh:
        fh.write("timestamp,channel,sender,recipients\n")
        for dept in DEPARTMENTS:
            emails: dict[tuple[str, str], list[str]] = {}
            path = folder / f"email-Eu-core-temporal-Dept{dept}.txt"
            for line in path.read_text().splitlines():
                if line.strip():
                    src, dst, t = line.split()
                    emails.setdefault((t, src), []).append(dst)
            for (t, src), dsts in sorted(emails.items(), key=lambda e: (int(e[0][0]), e[0][1])):
                receivers = ";".join(f"d{dept}:{d}" for d in dict.fromkeys(dsts) if d != src)
                if receivers:
                    fh.write(f"{START_S + int(t)},email,d{dept}:{src},{receivers}\n")
                    written += 1
    return written


def curves(g: graph.TieGraph, strength: np.ndarray, bridge: np.ndarray) -> dict[str, np.ndarray]:
    """Giant-component size along GRID, relative to the start, for each removal order."""
    orders = {
        "bridges_first": graph.removal_order(bridge, ascending=False),
        "bridges_last": graph.removal_order(bridge, ascending=True),
        "weak_first": graph.removal_order(strength, ascending=True),
        "strong_first": graph.removal_order(strength, ascending=False),
    }
    found = {name: graph.giant_component_curve(g, order, GRID) for name, order in orders.items()}
    # As in Onnela et al.: relative to the giant component before any removal (the
    # department files are not connected to begin with).
    return {name: curve / curve[0] for name, curve in found.items()}


def overlap_by_decile(strength: np.ndarray, overlap: np.ndarray) -> list[float]:
    """Mean overlap of the ties in each strength decile, weakest decile first."""
    ranks = np.argsort(np.argsort(strength, kind="stable"), kind="stable")
    decile = (ranks * 10) // max(len(strength), 1)
    return [round(float(overlap[decile == d].mean()), 4) for d in range(10)]


def plot(per_dept: dict[int, dict[str, np.ndarray]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    styles = {
        "bridges_first": ("tab:red", "-", "bridges first (decreasing bridge score)"),
        "bridges_last": ("tab:red", "--", "bridges last (increasing bridge score)"),
        "weak_first": ("tab:blue", "-", "weak ties first (increasing strength)"),
        "strong_first": ("tab:blue", "--", "strong ties first (decreasing strength)"),
    }
    fig, axes = plt.subplots(2, 2, figsize=(9, 7), dpi=110, sharex=True, sharey=True)
    for ax, (dept, found) in zip(axes.ravel(), per_dept.items(), strict=True):
        for name, values in found.items():
            colour, line, label = styles[name]
            ax.plot(GRID, values, color=colour, linestyle=line, label=label)
        ax.set_title(f"email-Eu department {dept}", fontsize=10)
        ax.grid(alpha=0.3)
    for ax in axes[1]:
        ax.set_xlabel("fraction of ties removed")
    for ax in axes[:, 0]:
        ax.set_ylabel("giant component / initial")
    axes[0, 0].legend(fontsize=7)
    fig.suptitle("Removing ties in four orders (Onnela et al. 2007)")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)


def department_ties(settings: Settings) -> dict[int, tuple[graph.TieGraph, np.ndarray, np.ndarray]]:
    """Per department: its graph of reciprocal ties, strength and bridge score per edge."""
    con = connect(settings.db_path, read_only=True)
    ties = arrow(
        con,
        """
        SELECT t.person_a, t.person_b, t.strength, t.bridge_score,
               CAST(substr(min(i.address), 2, 1) AS INTEGER) AS dept
        FROM ties t JOIN identities i ON i.person_id = t.person_a
        WHERE t.band IN ('strong', 'weak', 'dormant')
        GROUP BY ALL
        """,
    )
    con.close()
    out = {}
    dept = ties.column("dept").to_numpy()
    for d in DEPARTMENTS:
        rows = ties.filter(dept == d)
        g = graph.from_ties(
            rows.column("person_a"), rows.column("person_b"), rows.column("strength")
        )
        edge = g.edge_ids(
            g.vertices(rows.column("person_a").to_numpy()),
            g.vertices(rows.column("person_b").to_numpy()),
        )
        bridge = np.empty(g.n_edges)
        bridge[edge] = rows.column("bridge_score").to_numpy()
        out[d] = (g, g.weights(), bridge)
    return out


def _marks(found: dict[str, np.ndarray]) -> dict[str, dict[str, float]]:
    return {
        f"{int(m * 100)}%": {n: round(float(np.interp(m, GRID, c)), 4) for n, c in found.items()}
        for m in MARKS
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--png", type=Path, default=ROOT / "docs" / "weak-ties-email-eu.png")
    args = parser.parse_args()
    if not args.data.exists():
        raise SystemExit(f"No data at {args.data}: pass --data PATH.")
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "email-eu-departments.csv"
        emails = write_log(args.data, log)
        settings = Settings(db_path=Path(tmp) / "eu.duckdb")
        api.ingest(settings, [log])
        started = time.perf_counter()
        summary = api.analyze(settings)
        seconds = time.perf_counter() - started
        departments = department_ties(settings)
    per_dept = {d: curves(g, w, b) for d, (g, w, b) in departments.items()}
    plot(per_dept, args.png)
    mean = {n: np.mean([c[n] for c in per_dept.values()], axis=0) for n in per_dept[1]}
    strength = np.concatenate([w for _, w, _ in departments.values()])
    overlap = np.concatenate([graph.topological_overlap(g) for g, _, _ in departments.values()])
    result = {
        "emails": emails,
        "analysis_seconds": round(seconds, 2),
        "ties_by_band": summary.ties_by_band,
        "departments": {
            d: {
                "people": g.n_vertices,
                "reciprocal_ties": g.n_edges,
                "initial_giant_component_fraction": _initial(g),
                "giant_component_relative_after_removal": _marks(per_dept[d]),
            }
            for d, (g, _, _) in departments.items()
        },
        "mean_over_departments": _marks(mean),
        "mean_overlap_by_strength_decile": overlap_by_decile(strength, overlap),
        "spearman_strength_overlap": round(_spearman(strength, overlap), 4),
        "png": str(args.png),
    }
    print(json.dumps(result, indent=1))


def _initial(g: graph.TieGraph) -> float:
    start = graph.giant_component_curve(g, np.arange(g.n_edges), np.zeros(1))
    return round(float(start[0]), 4)


def _spearman(x: np.ndarray, y: np.ndarray) -> float:
    rx = np.argsort(np.argsort(x, kind="stable"), kind="stable").astype(float)
    ry = np.argsort(np.argsort(y, kind="stable"), kind="stable").astype(float)
    return float(np.corrcoef(rx, ry)[0, 1])


if __name__ == "__main__":
    main()
