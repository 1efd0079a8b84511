"""Leiden communities, the calibrated resolution, NMI/ARI and community labels."""

from __future__ import annotations

import itertools
import math
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from weakties.errors import InputError
from weakties.graph import (
    TieGraph,
    ari,
    from_ties,
    label_communities,
    leiden,
    newman_resolution,
    nmi,
    place,
)


def graph(edges: list[tuple[int, int]], weights: list[float] | None = None) -> TieGraph:
    pairs = np.array(edges, dtype=np.int64)
    w = np.ones(len(pairs)) if weights is None else np.array(weights)
    return from_ties(pairs[:, 0], pairs[:, 1], w)


def two_cliques(weights: list[float] | None = None) -> TieGraph:
    """Two 4-cliques {0..3} and {4..7} joined by the tie 3-4 (edge 6)."""
    k4 = list(itertools.combinations(range(4), 2))
    return graph([*k4, (3, 4), *[(a + 4, b + 4) for a, b in k4]], weights)


def ring_of_cliques(cliques: int, size: int) -> tuple[TieGraph, np.ndarray]:
    """Cliques in a ring, each joined to the next by one tie (Fortunato & Barthélemy 2007)."""
    edges = []
    for c in range(cliques):
        base = c * size
        edges += [(base + a, base + b) for a, b in itertools.combinations(range(size), 2)]
        edges.append((base, ((c + 1) % cliques) * size + 1))
    return graph(edges), np.repeat(np.arange(cliques), size)


# --- agreement between partitions -------------------------------------------------


def test_nmi_and_ari_by_hand() -> None:
    assert nmi([0, 0, 1, 1], [5, 5, 2, 2]) == pytest.approx(1.0)
    assert ari([0, 0, 1, 1], [5, 5, 2, 2]) == pytest.approx(1.0)
    # every block of one partition is split evenly by the other: no information
    assert nmi([0, 0, 1, 1], [0, 1, 0, 1]) == pytest.approx(0.0)
    # pairs: agree 0, expected 2*2/6, max 2 -> (0 - 2/3) / (2 - 2/3)
    assert ari([0, 0, 1, 1], [0, 1, 0, 1]) == pytest.approx(-0.5)
    # {0,0,0,1,1,1} vs {0,0,1,1,2,2}: I = (2/3) ln 2, H = ln 2 and ln 3
    a, b = [0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2]
    assert nmi(a, b) == pytest.approx((4 / 3) * math.log(2) / math.log(6))
    # pairs: agree 2, rows 6, columns 3, all 15 -> (2 - 1.2) / (4.5 - 1.2)
    assert ari(a, b) == pytest.approx(8 / 33)


def test_trivial_partitions() -> None:
    assert nmi([1, 1, 1], [2, 2, 2]) == 1.0
    assert ari([1, 1, 1], [2, 2, 2]) == 1.0
    assert ari([0, 1, 2], [2, 1, 0]) == 1.0
    assert nmi([0, 0, 0], [0, 1, 2]) == 0.0
    with pytest.raises(InputError):
        nmi([0, 1], [0])
    with pytest.raises(InputError):
        ari([], [])


def reference_ari(a: list[int], b: list[int]) -> float:
    """Rand index over all pairs of items, corrected for chance by brute force."""
    pairs = list(itertools.combinations(range(len(a)), 2))
    same_a = [a[i] == a[j] for i, j in pairs]
    same_b = [b[i] == b[j] for i, j in pairs]
    both = sum(x and y for x, y in zip(same_a, same_b, strict=True))
    expected = sum(same_a) * sum(same_b) / len(pairs)
    return (both - expected) / ((sum(same_a) + sum(same_b)) / 2 - expected)


def reference_nmi(a: list[int], b: list[int]) -> float:
    n = len(a)
    pa, pb, pab = Counter(a), Counter(b), Counter(zip(a, b, strict=True))
    mutual = sum(c / n * math.log(c * n / (pa[x] * pb[y])) for (x, y), c in pab.items())
    ha = -sum(c / n * math.log(c / n) for c in pa.values())
    hb = -sum(c / n * math.log(c / n) for c in pb.values())
    return 2 * mutual / (ha + hb)


@pytest.mark.parametrize("seed", range(5))
def test_nmi_and_ari_match_direct_computations(seed: int) -> None:
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 4, 60).tolist()
    b = [x if rng.random() < 0.6 else int(rng.integers(0, 6)) for x in a]
    assert ari(a, b) == pytest.approx(reference_ari(a, b), abs=1e-12)
    assert nmi(a, b) == pytest.approx(reference_nmi(a, b), abs=1e-12)


# --- Leiden and its resolution ------------------------------------------------------


def test_newman_resolution_by_hand() -> None:
    g = two_cliques()
    # m = 13, m_in = 12, κ = (13, 13): ω_in = 24/13, ω_out = 2/13, γ = (22/13) / ln 12
    assert newman_resolution(g, [0] * 4 + [1] * 4) == pytest.approx((22 / 13) / math.log(12))
    assert newman_resolution(g, [0] * 8) is None  # nothing between communities
    assert newman_resolution(g, list(range(8))) is None  # nothing inside


def test_newman_resolution_ignores_the_scale_of_strength() -> None:
    g = two_cliques()
    pairs = g.person_ids[np.column_stack([g.source, g.target])]
    rng = np.random.default_rng(0)
    w = rng.uniform(0.1, 1, g.n_edges)
    one, ten = from_ties(*pairs.T, w), from_ties(*pairs.T, 10 * w)
    labels = [0] * 4 + [1] * 4
    assert newman_resolution(one, labels) == pytest.approx(newman_resolution(ten, labels))


def test_two_cliques_by_hand() -> None:
    found = leiden(two_cliques(), resolution=1.0)
    assert found.membership.tolist() == [0, 0, 0, 0, 1, 1, 1, 1]
    # Q = Σ_c (e_c/m - (d_c/2m)^2) = 2 (6/13 - (13/26)^2) = 11/26
    assert found.modularity == pytest.approx(11 / 26)
    assert found.sizes().tolist() == [4, 4]
    assert found.resolution == 1.0


def test_calibrated_resolution_sees_past_the_resolution_limit() -> None:
    g, truth = ring_of_cliques(30, 5)
    plain = leiden(g, resolution=1.0)
    calibrated = leiden(g)
    assert plain.n_communities < 30  # modularity merges neighbouring cliques
    assert calibrated.n_communities == 30 and calibrated.resolution > 1.0
    assert nmi(truth, calibrated.membership) == pytest.approx(1.0)


def test_leiden_is_deterministic_and_numbers_by_size() -> None:
    g, _ = ring_of_cliques(12, 4)
    pairs = g.person_ids[np.column_stack([g.source, g.target])]
    extra = from_ties(*np.vstack([pairs, [[0, 100], [100, 101]]]).T, np.ones(len(pairs) + 2))
    first, again = leiden(extra, seed=3), leiden(extra, seed=3)
    assert first.membership.tolist() == again.membership.tolist()
    assert np.all(np.diff(first.sizes()) <= 0)


def test_graph_without_ties() -> None:
    found = leiden(from_ties([], [], [], people=[4, 5, 6]))
    assert found.membership.tolist() == [0, 1, 2]
    assert found.modularity == 0.0
    with pytest.raises(InputError):
        leiden(two_cliques(), starts=0)
    with pytest.raises(InputError):
        leiden(two_cliques(), resolution=0.0)


# --- labels -------------------------------------------------------------------------


def test_label_communities() -> None:
    g = two_cliques([1.0] * 4 + [3.0] + [1.0] * 8)  # 1-3 is the strongest tie
    found = leiden(g, resolution=1.0)
    orgs = ["enron.com", "enron.com", None, "enron.com", "acme.org", "b.org", "c.org", None]
    names = ["Kim Ward", "Jeff Dasovich", "Sara Shackleton", "Mark Taylor", *"EFGH"]
    labels = label_communities(g, found, orgs, names)
    # 1 and 3 have the most tie weight inside their clique; equal weight goes by vertex
    assert labels == (
        "enron.com · Jeff Dasovich, Mark Taylor +2",
        "acme.org (+2 orgs) · E, F +2",
    )
    assert label_communities(g, found, [None] * 8, names, top=5)[1] == "E, F, G, H"
    with pytest.raises(InputError):
        label_communities(g, found, orgs[:3], names)


# --- the SNAP email-Eu-core benchmark ---------------------------------------------------


def snap_graph(folder: Path) -> tuple[TieGraph, np.ndarray]:
    """Undirected e-mail ties; reciprocated ones count 1.0, one-way ones 0.5."""
    sent = np.loadtxt(folder / "email-Eu-core.txt", dtype=np.int64).reshape(-1, 2)
    sent = np.unique(sent[sent[:, 0] != sent[:, 1]], axis=0)
    pairs, directions = np.unique(np.sort(sent, axis=1), axis=0, return_counts=True)
    labels = np.loadtxt(folder / "email-Eu-core-department-labels.txt", dtype=np.int64)
    g = from_ties(pairs[:, 0], pairs[:, 1], directions / 2.0, people=labels[:, 0])
    truth = labels[np.argsort(labels[:, 0]), 1]
    return g, truth


def test_email_eu_core_departments(shared_data: Path) -> None:
    g, truth = snap_graph(shared_data / "snap-email-eu-core")
    assert g.n_vertices == 1005 and truth.size == 1005
    found = leiden(g)
    assert nmi(truth, found.membership) >= 0.60
    assert ari(truth, found.membership) >= 0.45


def test_no_ties_no_communities_no_labels() -> None:
    g = from_ties([], [], [])
    found = leiden(g)
    assert found.n_communities == 0
    assert label_communities(g, found, [], []) == ()


def test_email_eu_core_departments_from_relationships(shared_data: Path) -> None:
    """Leiden on the reciprocated ties, one-way-only people placed (what analyze does)."""
    g, truth = snap_graph(shared_data / "snap-email-eu-core")
    w, ids = g.weights(), g.person_ids
    two = w >= 1.0
    a, b = ids[g.source], ids[g.target]
    rel = from_ties(a[two], b[two], w[two])
    found = leiden(rel)
    placed = place(rel, found.membership, a[~two], b[~two], w[~two])
    assert rel.n_vertices == 776 and placed.person_ids.size >= 200
    labels = np.arange(g.n_vertices) + found.n_communities  # the unplaced: alone
    labels[g.vertices(rel.person_ids)] = found.membership
    labels[g.vertices(placed.person_ids)] = placed.community
    assert nmi(truth, labels) >= 0.65
    inside = np.zeros(g.n_vertices, dtype=np.bool_)
    inside[g.vertices(rel.person_ids)] = True
    assert nmi(truth[inside], labels[inside]) >= 0.70
