"""Communities on SNAP email-Eu-core against its 42 departments.

Prints one JSON object: NMI and ARI of weakties' communities against the department
labels, over all 1,005 people, its number of communities and time, and in the same run
other readings for comparison.

The directed e-mail edges become undirected ties; a pair that wrote both ways is a
relationship (strength 1.0), a pair that wrote one way only a one-way tie (0.5);
self-loops are dropped. ``weakties`` is what ``weakties analyze`` does: Leiden
(calibrated resolution) on the relationships, then each person with one-way ties
only placed in the community those ties point to (``graph.place``); anyone left
is a community of one. ``all_ties`` puts every tie in the graph (what weakties did
before structure was measured on relationships only); ``relationships_only`` leaves
the one-way-only people unplaced; ``louvain`` (igraph ``community_multilevel``) and
``leiden_modularity`` (γ = 1) run on all ties. The labels are read only to score.

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

from weakties.graph import Communities, TieGraph, ari, from_ties, leiden, nmi, place

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "data" / "snap-email-eu-core"


def load(folder: Path) -> tuple[TieGraph, np.ndarray]:
    """The tie graph (strength 1.0 both ways, 0.5 one way) and departments per vertex."""
    sent = np.loadtxt(folder / "email-Eu-core.txt", dtype=np.int64).reshape(-1, 2)
    sent = np.unique(sent[sent[:, 0] != sent[:, 1]], axis=0)
    pairs, directions = np.unique(np.sort(sent, axis=1), axis=0, return_counts=True)
    labels = np.loadtxt(folder / "email-Eu-core-department-labels.txt", dtype=np.int64)
    g = from_ties(pairs[:, 0], pairs[:, 1], directions / 2.0, people=labels[:, 0])
    return g, labels[np.argsort(labels[:, 0]), 1]


def relationship_communities(g: TieGraph) -> tuple[np.ndarray, np.ndarray, Communities]:
    """weakties' communities of every vertex of ``g`` (all ties): Leiden on the
    relationships, one-way-only people placed, the rest alone. Returns the labels, and
    whether each vertex has a relationship, and the communities found on them."""
    w = g.weights()
    two = w >= 1.0
    ids = g.person_ids
    a, b = ids[g.source], ids[g.target]
    rel = from_ties(a[two], b[two], w[two])
    found = leiden(rel)
    placed = place(rel, found.membership, a[~two], b[~two], w[~two])
    labels = np.full(g.n_vertices, -1, dtype=np.int64)
    labels[g.vertices(rel.person_ids)] = found.membership
    labels[g.vertices(placed.person_ids)] = placed.community
    alone = np.flatnonzero(labels < 0)
    labels[alone] = found.n_communities + np.arange(alone.size)
    in_rel = np.zeros(g.n_vertices, dtype=np.bool_)
    in_rel[g.vertices(rel.person_ids)] = True
    return labels, in_rel, found


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

    start = time.perf_counter()
    ours, in_rel, on_rel = relationship_communities(g)
    ours_s = time.perf_counter() - start
    unplaced = np.where(in_rel, ours, -1 - np.arange(g.n_vertices))

    result = {
        "dataset": "SNAP email-Eu-core",
        "vertices": g.n_vertices,
        "ties": g.n_edges,
        "reciprocated_ties": int((g.weights() >= 1.0).sum()),
        "people_with_a_reciprocated_tie": int(in_rel.sum()),
        "departments": int(np.unique(truth).size),
        "weakties": {
            **scored(truth, ours, ours_s),
            "placed": int(((ours < on_rel.n_communities) & ~in_rel).sum()),
            "resolution": round(on_rel.resolution, 3),
            "nmi_among_people_with_a_reciprocated_tie": round(nmi(truth[in_rel], ours[in_rel]), 4),
            "time_vs_louvain": round(ours_s / louvain_s, 1),
        },
        "relationships_only": scored(truth, unplaced, ours_s),
        "all_ties": {
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
