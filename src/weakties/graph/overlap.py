"""Common neighbours and topological overlap of each tie (Onnela et al. 2007).

Onnela, Saramäki, Hyvönen, Szabó, Lazer, Kaski, Kertész & Barabási, "Structure and
tie strengths in mobile communication networks", PNAS 104(18), 2007: the overlap
of the tie between i and j is the share of their other contacts they have in
common. Low-overlap ties are the ones that hold a network together, which is
Granovetter's (1973) weak-tie argument made measurable.

Everything is computed from one list of triangles (igraph's C enumeration), so the
cost grows with the number of triangles rather than with all pairs of vertices.
"""

from __future__ import annotations

import itertools

import numpy as np

from weakties.graph.build import FloatArray, IntArray, TieGraph


def triangles(g: TieGraph) -> IntArray:
    """Every triangle once, as rows of three vertex indices, shape ``(T, 3)``."""
    found = g.graph.list_triangles()
    flat = np.fromiter(itertools.chain.from_iterable(found), dtype=np.int64, count=3 * len(found))
    return flat.reshape(-1, 3)


def triangle_edges(g: TieGraph, tri: IntArray) -> IntArray:
    """Edge indices of the sides of each triangle: columns (a-b, b-c, a-c) of row (a, b, c)."""
    sides = [g.edge_ids(tri[:, i], tri[:, j]) for i, j in ((0, 1), (1, 2), (0, 2))]
    return np.column_stack(sides) if tri.size else np.empty((0, 3), dtype=np.int64)


def common_neighbours(g: TieGraph) -> IntArray:
    """Number of people tied to both ends of each tie (n_ij), one value per edge."""
    sides = triangle_edges(g, triangles(g))
    return np.bincount(sides.ravel(), minlength=g.n_edges).astype(np.int64)


def topological_overlap(g: TieGraph) -> FloatArray:
    """Onnela et al. (2007) overlap of each tie, one value per edge, in [0, 1].

    O_ij = n_ij / ((k_i - 1) + (k_j - 1) - n_ij), with n_ij the common neighbours
    and k the degrees; 0 where the denominator is 0 (both ends have no other tie).
    Unweighted by definition: it describes who knows whom, not how well.
    """
    shared = common_neighbours(g).astype(np.float64)
    degree = g.degree()
    denominator = (degree[g.source] - 1) + (degree[g.target] - 1) - shared
    out = np.zeros(g.n_edges, dtype=np.float64)
    np.divide(shared, denominator, out=out, where=denominator > 0)
    return out
