"""Topological overlap (Onnela et al. 2007) and common neighbours."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from weakties.graph import TieGraph, common_neighbours, from_ties, topological_overlap, triangles

# Two triangles 1-2-3 and 4-5-6 joined by the tie 3-4.
TWO_TRIANGLES = [(1, 2), (1, 3), (2, 3), (3, 4), (4, 5), (4, 6), (5, 6)]


def graph(edges: list[tuple[int, int]]) -> TieGraph:
    pairs = np.array(edges, dtype=np.int64).reshape(-1, 2)
    return from_ties(pairs[:, 0], pairs[:, 1], np.ones(len(pairs)))


def test_two_triangles_by_hand() -> None:
    g = graph(TWO_TRIANGLES)
    # 1-2: n=1, k=2,2 -> 1/(1+1-1) = 1;  1-3: n=1, k=2,3 -> 1/(1+2-1) = 1/2
    # 3-4: n=0, k=3,3 -> 0/(2+2-0) = 0
    assert common_neighbours(g).tolist() == [1, 1, 1, 0, 1, 1, 1]
    assert topological_overlap(g) == pytest.approx([1, 0.5, 0.5, 0, 0.5, 0.5, 1])
    assert sorted(map(sorted, triangles(g).tolist())) == [[0, 1, 2], [3, 4, 5]]


def test_star_path_and_clique() -> None:
    star = graph([(0, 1), (0, 2), (0, 3)])
    assert topological_overlap(star).tolist() == [0.0, 0.0, 0.0]
    lone = graph([(0, 1)])  # denominator 0: defined as 0
    assert topological_overlap(lone).tolist() == [0.0]
    k4 = graph([(a, b) for a in range(4) for b in range(a + 1, 4)])
    assert common_neighbours(k4).tolist() == [2] * 6
    assert topological_overlap(k4).tolist() == [1.0] * 6


def test_empty_graph() -> None:
    g = from_ties([], [], [], people=[1, 2])
    assert topological_overlap(g).size == 0
    assert triangles(g).shape == (0, 3)


def networkx_overlap(nxg: nx.Graph, u: int, v: int) -> float:
    shared = len(list(nx.common_neighbors(nxg, u, v)))
    denominator = (nxg.degree(u) - 1) + (nxg.degree(v) - 1) - shared
    return shared / denominator if denominator > 0 else 0.0


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_matches_a_direct_networkx_computation(seed: int) -> None:
    nxg = nx.powerlaw_cluster_graph(200, 4, 0.6, seed=seed)
    edges = list(nxg.edges)
    g = graph([(u * 3 + 11, v * 3 + 11) for u, v in edges])  # ids unlike vertex indices
    expected = [networkx_overlap(nxg, u, v) for u, v in edges]
    assert topological_overlap(g) == pytest.approx(expected, abs=1e-12)
    assert common_neighbours(g).tolist() == [
        len(list(nx.common_neighbors(nxg, u, v))) for u, v in edges
    ]


@pytest.mark.parametrize("chunk", [1, 7, 1 << 22])
def test_triangle_listing_matches_igraph_in_any_chunking(
    chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The vectorised listing finds igraph's triangles, each once, sides included."""
    from weakties.graph import overlap

    monkeypatch.setattr(overlap, "WEDGE_CHUNK", chunk)
    nxg = nx.powerlaw_cluster_graph(150, 5, 0.7, seed=chunk)
    g = graph(list(nxg.edges))
    listed = overlap.triangle_list(g)
    ours = sorted(tuple(sorted(t)) for t in listed.corners.tolist())
    expected = sorted(tuple(sorted(t)) for t in g.graph.list_triangles())
    assert ours == expected and len(set(ours)) == len(ours) > 100
    assert listed.sides.tolist() == overlap.triangle_edges(g, listed.corners).tolist()
    assert overlap.triangle_list(g) is listed  # listed once per graph
