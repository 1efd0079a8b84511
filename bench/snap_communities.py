"""Communities on SNAP email-Eu-core against its 42 departments.

Prints one JSON object: NMI and ARI of weakties' default Leiden (calibrated
resolution) against the department labels, its number of communities and time,
and in the same run plain Louvain (igraph ``community_multilevel``, γ = 1) and
Leiden at γ = 1 for comparison. Times are also given as a ratio to Louvain's.

The directed e-mail edges become undirected ties; a pair that wrote both ways
gets strength 1.0, a one-way pair 0.5; self-loops are dropped. The labels are
read only to score the result.

    PYTHONPATH=src python bench/snap_communities.py [path/to/snap-email-eu-core]
"""

from __future__ import annotations

import json
import random
import resource
import sys
import time
from pathlib import Path

import numpy as np

from weakties.graph import TieGraph, ari, from_ties, leiden, nmi

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "data" / "snap-email-eu-core"


def load(folder: Path) -> tuple[TieGraph, np.ndarray]:
    """The tie graph (strength 1.0 both ways, 0.5 one way) and departments per vertex."""
    sent = np.loadtxt(folder / "email-Eu-core.txt", dtype=np.int64).reshape(-1, 2)
    sent = np.unique(sent[sent[:, 0] != sent[:, 1]], axis=0)
    pairs, directions = np.unique(np.sort(sent, axis=1), axis=0, return_counts=True)
    labels = np.loadtxt(folder / "email-Eu-core-department-labels.txt", dtype=np.int64)
    g = from_ties(pairs[:, 0], pairs[:, 1], directions / 2.0, people=labels[:, 0])
    return g, labels[np.argsort(labels[:, 0]), 1]


def scored(truth: np.ndarray, membership: np.ndarray, seconds: float) -> dict[str, float]:
    return {
        "nmi": round(nmi(truth, membership), 4),
        "ari": round(ari(truth, membership), 4),
        "communities": int(np.unique(membership).size),
        "seconds": round(seconds, 3),
    }


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    g, truth = load(folder)

    random.seed(0)  # igraph draws from Python's random module
    start = time.perf_counter()
    louvain = g.graph.community_multilevel(weights=g.weights().tolist())
    louvain_s = time.perf_counter() - start

    start = time.perf_counter()
    fixed = leiden(g, resolution=1.0)
    fixed_s = time.perf_counter() - start

    start = time.perf_counter()
    found = leiden(g)
    found_s = time.perf_counter() - start

    result = {
        "dataset": "SNAP email-Eu-core",
        "vertices": g.n_vertices,
        "ties": g.n_edges,
        "departments": int(np.unique(truth).size),
        "weakties_leiden": {
            **scored(truth, found.membership, found_s),
            "resolution": round(found.resolution, 3),
            "time_vs_louvain": round(found_s / louvain_s, 1),
        },
        "leiden_modularity": {
            **scored(truth, fixed.membership, fixed_s),
            "time_vs_louvain": round(fixed_s / louvain_s, 1),
        },
        "louvain": scored(truth, np.asarray(louvain.membership), louvain_s),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
