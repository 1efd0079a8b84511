"""Triangles, common neighbours and topological overlap of each tie (Onnela et al. 2007).

Onnela, Saramäki, Hyvönen, Szabó, Lazer, Kaski, Kertész & Barabási, "Structure and
tie strengths in mobile communication networks", PNAS 104(18), 2007: the overlap
of the tie between i and j is the share of their other contacts they have in
common. Low-overlap ties are the ones that hold a network together, which is
Granovetter's (1973) weak-tie argument made measurable.

Overlap, common neighbours, constraint and effective size all read one list of
triangles with the edge index of each side, computed once per graph and kept on
it. The listing is vectorised numpy over a degree ordering (each edge points from
its lower- to its higher-degree end, so every triangle is found once, from its
lowest corner, and no vertex has more than about sqrt(2E) out-edges). igraph's
``list_triangles`` is C, but hands back one Python tuple per triangle: on the
scale-10 demo organisation (68k ties, 715k triangles) converting them, and then
finding each side's edge, cost 0.45 s per use, against about 0.1 s for this
listing once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from weakties.graph.build import FloatArray, IntArray, TieGraph

WEDGE_CHUNK = 1 << 17
"""Candidate triangles (wedges) checked per numpy pass: about 10 MB of work arrays.

Passes of 4M wedges (200 MB) ran at the speed of fresh memory: on the scale-10 demo
organisation the listing took 0.1-0.37 s the first time in a process against 0.06 s
once its pages were mapped; passes this small reuse the same memory and take
0.07-0.09 s from the first."""


@dataclass(frozen=True)
class Triangles:
    """Every triangle once: ``corners[t] = (a, b, c)`` and ``sides[t]`` the edge
    indices of its sides a-b, b-c and a-c."""

    corners: IntArray
    sides: IntArray


def triangle_list(g: TieGraph) -> Triangles:
    """The triangles of ``g`` with their sides, listed on first use and kept on ``g``."""
    found = g.cached("triangles")
    if found is None:
        found = g.cache("triangles", _list_triangles(g))
    assert isinstance(found, Triangles)
    return found


def triangles(g: TieGraph) -> IntArray:
    """Every triangle once, as rows of three vertex indices, shape ``(T, 3)``."""
    return triangle_list(g).corners


def triangle_edges(g: TieGraph, tri: IntArray) -> IntArray:
    """Edge indices of the sides of each triangle: columns (a-b, b-c, a-c) of row (a, b, c)."""
    sides = [g.edge_ids(tri[:, i], tri[:, j]) for i, j in ((0, 1), (1, 2), (0, 2))]
    return np.column_stack(sides) if tri.size else np.empty((0, 3), dtype=np.int64)


def _list_triangles(g: TieGraph) -> Triangles:
    n, m = g.n_vertices, g.n_edges
    empty = Triangles(np.empty((0, 3), np.int64), np.empty((0, 3), np.int64))
    if m < 3:
        return empty
    rank = np.empty(n, dtype=np.int64)
    rank[np.lexsort((np.arange(n), g.degree()))] = np.arange(n)
    flip = rank[g.source] > rank[g.target]
    low = np.where(flip, g.target, g.source)
    high = np.where(flip, g.source, g.target)
    keys = rank[low] * n + rank[high]
    order = np.argsort(keys, kind="stable")  # out-lists by lower end, each sorted by rank
    keys, low, high = keys[order], low[order], high[order]
    ends = np.searchsorted(keys, (rank[low] + 1) * n)  # where each arc's out-list ends
    later = ends - 1 - np.arange(m)  # arcs after this one in the same out-list
    corners, sides = [], []
    for first, last in _chunks(later):
        count = later[first:last]
        arc = np.repeat(np.arange(first, last), count)
        step = np.arange(arc.size) - np.repeat(np.cumsum(count) - count, count)
        other = arc + 1 + step  # low -> high[arc] and low -> high[other] form a wedge
        wanted = rank[high[arc]] * n + rank[high[other]]
        close = np.searchsorted(keys, wanted).clip(max=m - 1)
        hit = keys[close] == wanted
        arc, other, close = arc[hit], other[hit], close[hit]
        corners.append(np.column_stack([low[arc], high[arc], high[other]]))
        sides.append(np.column_stack([order[arc], order[close], order[other]]))
    if not corners:
        return empty
    return Triangles(np.concatenate(corners), np.concatenate(sides))


def _chunks(later: IntArray) -> list[tuple[int, int]]:
    """Split the arcs into runs of at most ``WEDGE_CHUNK`` wedges (one arc may exceed it)."""
    total = np.cumsum(later)
    out, first = [], 0
    while first < later.size:
        base = total[first - 1] if first else 0
        last = int(np.searchsorted(total, base + WEDGE_CHUNK, side="right"))
        last = max(last, first + 1)
        if total[last - 1] > base:
            out.append((first, last))
        first = last
    return out


def common_neighbours(g: TieGraph) -> IntArray:
    """Number of people tied to both ends of each tie (n_ij), one value per edge."""
    sides = triangle_list(g).sides
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
