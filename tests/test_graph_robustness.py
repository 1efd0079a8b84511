"""Giant component under ordered tie removal (the Onnela et al. 2007 experiment)."""

from __future__ import annotations

import itertools

import igraph as ig
import numpy as np
import pytest

from weakties.errors import InputError
from weakties.graph import (
    TieGraph,
    from_ties,
    giant_component_curve,
    giant_component_sizes,
    removal_order,
)


def graph(edges: list[tuple[int, int]], weights: list[float] | None = None) -> TieGraph:
    pairs = np.array(edges, dtype=np.int64)
    w = np.ones(len(pairs)) if weights is None else np.array(weights)
    return from_ties(pairs[:, 0], pairs[:, 1], w)


def test_path_by_hand() -> None:
    g = graph([(0, 1), (1, 2), (2, 3)])
    # remove the middle tie first: 4 -> {0,1},{2,3} -> {2,3} -> singletons
    assert giant_component_sizes(g, [1, 0, 2]).tolist() == [4, 2, 2, 1]
    curve = giant_component_curve(g, [1, 0, 2], [0, 1 / 3, 2 / 3, 1])
    assert curve.tolist() == [1.0, 0.5, 0.5, 0.25]


def naive_sizes(g: TieGraph, order: np.ndarray) -> list[int]:
    sizes = []
    for k in range(g.n_edges + 1):
        rest = ig.Graph(n=g.n_vertices, edges=[g.graph.es[e].tuple for e in order[k:]])
        sizes.append(max(rest.connected_components().sizes()))
    return sizes


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_matches_recomputing_components_after_each_removal(seed: int) -> None:
    rng = np.random.default_rng(seed)
    pairs = np.array(list(itertools.combinations(range(40), 2)))
    pairs = pairs[rng.choice(len(pairs), size=70, replace=False)]
    g = from_ties(pairs[:, 0], pairs[:, 1], rng.random(70), people=[99])
    order = rng.permutation(g.n_edges)
    assert giant_component_sizes(g, order).tolist() == naive_sizes(g, order)


def test_removing_weak_ties_first_shatters_sooner() -> None:
    # two 5-cliques of strong ties joined by two weak ties
    cliques = [(a + s, b + s) for s in (0, 5) for a, b in itertools.combinations(range(5), 2)]
    g = graph([*cliques, (0, 5), (1, 6)], [1.0] * 20 + [0.1, 0.2])
    weak_first = removal_order(g.weights())
    strong_first = removal_order(g.weights(), ascending=False)
    fractions = [0, 2 / 22]
    assert giant_component_curve(g, weak_first, fractions).tolist() == [1.0, 0.5]
    assert giant_component_curve(g, strong_first, fractions).tolist() == [1.0, 1.0]


def test_removal_order_is_stable() -> None:
    assert removal_order([0.5, 0.1, 0.5, 0.2]).tolist() == [1, 3, 0, 2]
    assert removal_order([0.5, 0.1, 0.5, 0.2], ascending=False).tolist() == [0, 2, 3, 1]


def test_bad_orders_and_fractions() -> None:
    g = graph([(0, 1), (1, 2)])
    with pytest.raises(InputError, match="every edge"):
        giant_component_sizes(g, [0, 0])
    with pytest.raises(InputError, match="every edge"):
        giant_component_sizes(g, [0])
    with pytest.raises(InputError, match="fractions"):
        giant_component_curve(g, [0, 1], [1.5])
    with pytest.raises(InputError, match="no vertices"):
        giant_component_curve(from_ties([], [], []), [], [0.0])
