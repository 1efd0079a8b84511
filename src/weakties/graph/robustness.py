"""How fast the network falls apart when ties are removed in a given order.

Onnela et al. (PNAS 104(18), 2007, Fig. 4) removed ties of a mobile-phone network
weakest first and strongest first and followed the share of people left in the
giant component: removing weak ties shatters the network much sooner, the
structural signature of Granovetter's (1973) weak ties. The same experiment runs
here with any ordering (by strength, overlap, bridge score ...).

Instead of recomputing components after each removal, the ties are added back in
reverse order with a union-find (Tarjan 1975), which yields the giant component
after every prefix of removals in one near-linear pass.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from weakties.errors import InputError
from weakties.graph.build import FloatArray, IntArray, TieGraph


def removal_order(values: ArrayLike, *, ascending: bool = True) -> IntArray:
    """Edge indices sorted by ``values`` (smallest first unless ``ascending=False``).

    Equal values keep edge order, so the result is deterministic.
    """
    x = np.asarray(values, dtype=np.float64)
    order = np.argsort(x if ascending else -x, kind="stable")
    return order.astype(np.int64)


def giant_component_sizes(g: TieGraph, order: ArrayLike) -> IntArray:
    """Size of the largest component after removing the first k edges of ``order``.

    ``order`` must be a permutation of all edge indices; the result has
    ``n_edges + 1`` entries, for k = 0 .. n_edges (the last is 1 when the
    graph has vertices: only singletons are left).
    """
    edges = _permutation(order, g.n_edges)
    sizes = np.empty(g.n_edges + 1, dtype=np.int64)
    parent = list(range(g.n_vertices))
    size = [1] * g.n_vertices
    largest = 1 if g.n_vertices else 0
    sizes[g.n_edges] = largest
    source, target = g.source.tolist(), g.target.tolist()
    for k in range(g.n_edges - 1, -1, -1):
        e = int(edges[k])
        a, b = _root(parent, source[e]), _root(parent, target[e])
        if a != b:
            if size[a] < size[b]:
                a, b = b, a
            parent[b] = a
            size[a] += size[b]
            largest = max(largest, size[a])
        sizes[k] = largest
    return sizes


def _root(parent: list[int], x: int) -> int:
    """Find with path halving."""
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x


def _permutation(order: ArrayLike, n_edges: int) -> IntArray:
    edges = np.asarray(order, dtype=np.int64).ravel()
    if edges.size != n_edges or not np.array_equal(np.sort(edges), np.arange(n_edges)):
        raise InputError("the removal order must list every edge index exactly once")
    return edges


def giant_component_curve(g: TieGraph, order: ArrayLike, fractions: ArrayLike) -> FloatArray:
    """Share of vertices in the giant component after removing each fraction of ties.

    Removing fraction f means removing the first round(f · n_edges) edges of
    ``order``. Fractions must lie in [0, 1].
    """
    f = np.asarray(fractions, dtype=np.float64)
    if np.any((f < 0) | (f > 1)) or np.any(np.isnan(f)):
        raise InputError("fractions of removed ties must lie in [0, 1]")
    if g.n_vertices == 0:
        raise InputError("the graph has no vertices")
    removed = np.floor(f * g.n_edges + 0.5).astype(np.int64)
    sizes = giant_component_sizes(g, order)
    return sizes[removed] / g.n_vertices
