"""Who is likely to meet whom: neighbourhood scores for pairs not yet tied.

Two people with many contacts in common tend to meet (triadic closure, Granovetter
1973; Kossinets & Watts 2006 measured it in a university's e-mail). Liben-Nowell &
Kleinberg (2007) compared the classic neighbourhood scores for predicting new
co-authorships; Zhou, Lü & Zhang (2009) found *resource allocation* — each common
contact z passes on 1/k(z) of a unit of resource, so a hub that knows everyone says
little — among the best of them across many networks. With tie strengths the unit
that z passes from x to y is in proportion to how well z knows each of them
(weighted resource allocation, Lü & Zhou 2010):

    CN(x, y)  = |N(x) ∩ N(y)|                          common neighbours
    AA(x, y)  = Σ_z 1 / log k(z)                       Adamic & Adar (2003)
    RA(x, y)  = Σ_z 1 / k(z)                           resource allocation
    WRA(x, y) = Σ_z w(x,z) · w(z,y) / s(z)             weighted, s(z) = Σ_k w(z,k)

Everything here is a pure function of a :class:`~weakties.graph.build.TieGraph` and a
vertex, vectorised with numpy over the vertex's two-hop neighbourhood (no Python
loop per contact), so one person's candidates cost milliseconds on graphs of
millions of ties.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from weakties.errors import InputError
from weakties.graph.build import WEIGHT, FloatArray, IntArray, TieGraph

METHODS = ("cn", "aa", "ra", "wra")


@dataclass(frozen=True, slots=True)
class Adjacency:
    """A tie graph as compressed rows: the neighbours of ``v`` are
    ``indices[indptr[v]:indptr[v + 1]]`` with tie weights ``weights[...]`` and tie (edge)
    ids ``edges[...]``."""

    indptr: IntArray
    indices: IntArray
    weights: FloatArray
    edges: IntArray
    totals: FloatArray  # each vertex's total tie weight s(v)

    @property
    def degree(self) -> IntArray:
        """Number of ties per vertex."""
        return np.diff(self.indptr)

    def neighbours(self, v: int) -> IntArray:
        """The vertices tied to ``v``."""
        return self.indices[self.indptr[v] : self.indptr[v + 1]]

    def neighbour_weights(self, v: int) -> FloatArray:
        """The weights of ``v``'s ties, aligned with :meth:`neighbours`."""
        return self.weights[self.indptr[v] : self.indptr[v + 1]]


def adjacency(g: TieGraph, *, weight: str | None = WEIGHT, power: float = 1.0) -> Adjacency:
    """The compressed rows of ``g``, each tie weighing ``weight ** power`` (kept on the
    graph: every query reuses them)."""
    key = f"adjacency:{weight}:{power}"
    found = g.cached(key)
    if isinstance(found, Adjacency):
        return found
    w = g.weights(weight) ** power
    ends = np.concatenate([g.source, g.target])
    others = np.concatenate([g.target, g.source])
    edge = np.concatenate([np.arange(g.n_edges), np.arange(g.n_edges)]).astype(np.int64)
    order = np.lexsort((others, ends))
    indptr = np.zeros(g.n_vertices + 1, dtype=np.int64)
    np.cumsum(np.bincount(ends, minlength=g.n_vertices), out=indptr[1:])
    weights = np.concatenate([w, w])[order]
    totals: FloatArray = np.bincount(
        ends, weights=np.concatenate([w, w]), minlength=g.n_vertices
    ).astype(np.float64)
    built = Adjacency(indptr, others[order], weights, edge[order], totals)
    g.cache(key, built)
    return built


@dataclass(frozen=True, slots=True)
class Candidates:
    """Vertices two steps from a vertex and not tied to it, with their scores."""

    vertices: IntArray
    scores: FloatArray
    common: IntArray  # number of common neighbours


def two_hop_scores(
    g: TieGraph, v: int, *, method: str = "wra", weight: str | None = WEIGHT, power: float = 1.0
) -> Candidates:
    """Score every vertex at distance two from ``v`` by ``method`` (see the module), ties
    weighing ``weight ** power``."""
    if method not in METHODS:
        raise InputError(f"Unknown link score {method!r}.", f"Use one of: {', '.join(METHODS)}.")
    adj = adjacency(g, weight=weight, power=power)
    middle = adj.neighbours(v)
    if middle.size == 0:
        return Candidates(np.empty(0, np.int64), np.empty(0), np.empty(0, np.int64))
    starts, stops = adj.indptr[middle], adj.indptr[middle + 1]
    counts = stops - starts
    far = adj.indices[_ranges(starts, stops)]
    through = np.repeat(np.arange(middle.size), counts)
    value = _contribution(adj, v, middle, method)[through]
    if method == "wra":
        value = value * adj.weights[_ranges(starts, stops)]
    keep = far != v
    keep[keep] = ~_is_neighbour(adj, v, far[keep])
    far, value = far[keep], value[keep]
    vertices, inverse = np.unique(far, return_inverse=True)
    scores = np.bincount(inverse, weights=value, minlength=vertices.size).astype(np.float64)
    common = np.bincount(inverse, minlength=vertices.size).astype(np.int64)
    return Candidates(vertices, scores, common)


def _contribution(adj: Adjacency, v: int, middle: IntArray, method: str) -> FloatArray:
    """What each common neighbour z passes on (before the far leg's weight, for WRA)."""
    k = adj.degree[middle].astype(np.float64)
    if method == "cn":
        return np.ones(middle.size)
    if method == "aa":
        return 1.0 / np.log(np.maximum(k, 2.0))
    if method == "ra":
        return 1.0 / k
    strength = adj.totals[middle]
    near = adj.neighbour_weights(v)
    return np.where(strength > 0, near / np.maximum(strength, 1e-12), 0.0)


def _ranges(starts: IntArray, stops: IntArray) -> IntArray:
    """The concatenation of ``range(start, stop)`` for each pair, without a loop."""
    lengths = stops - starts
    total = int(lengths.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64)
    offsets = np.repeat(starts - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths)
    found: IntArray = (np.arange(total, dtype=np.int64) + offsets).astype(np.int64)
    return found


def _is_neighbour(adj: Adjacency, v: int, others: IntArray) -> np.ndarray:
    mine = adj.neighbours(v)  # sorted: rows are ordered by neighbour
    if mine.size == 0:
        return np.zeros(others.size, dtype=np.bool_)
    pos = np.searchsorted(mine, others).clip(max=mine.size - 1)
    found: np.ndarray = mine[pos] == others
    return found


def common_neighbours_of(
    g: TieGraph, u: int, v: int, *, weight: str | None = WEIGHT
) -> tuple[IntArray, FloatArray, FloatArray]:
    """The vertices tied to both ``u`` and ``v``, with the weight of each one's tie to
    ``u`` and to ``v``."""
    adj = adjacency(g, weight=weight)
    nu, wu = adj.neighbours(u), adj.neighbour_weights(u)
    nv, wv = adj.neighbours(v), adj.neighbour_weights(v)
    both, iu, iv = np.intersect1d(nu, nv, assume_unique=True, return_indices=True)
    return both.astype(np.int64), wu[iu], wv[iv]


@dataclass(frozen=True, slots=True)
class PairScores:
    """The candidates of several vertices at once: ``source[i]`` (a position in the
    sources given) and ``vertices[i]``, two steps apart and not tied, score
    ``scores[i]`` through ``common[i]`` common neighbours; by source, then by vertex."""

    source: IntArray
    vertices: IntArray
    scores: FloatArray
    common: IntArray


def wra_scores(
    g: TieGraph, sources: IntArray, *, weight: str | None = WEIGHT, power: float = 1.0
) -> PairScores:
    """Weighted resource allocation from each of ``sources`` to every vertex two steps
    away and not tied to it, in one pass over the rows: for each source the same scores
    as :func:`two_hop_scores` with ``method="wra"`` (the same sums, in the same order),
    without a Python loop per source. The work is the number of two-step walks from the
    sources: pass them in blocks (:func:`walk_blocks`) on a large graph."""
    adj = adjacency(g, weight=weight, power=power)
    sources = np.asarray(sources, dtype=np.int64)
    starts, stops = adj.indptr[sources], adj.indptr[sources + 1]
    first = _ranges(starts, stops)
    owner = np.repeat(np.arange(sources.size, dtype=np.int64), stops - starts)
    middle = adj.indices[first]
    strength = adj.totals[middle]
    passed = np.where(strength > 0, adj.weights[first] / np.maximum(strength, 1e-12), 0.0)
    counts = adj.indptr[middle + 1] - adj.indptr[middle]
    second = _ranges(adj.indptr[middle], adj.indptr[middle + 1])
    source, far = np.repeat(owner, counts), adj.indices[second]
    value = np.repeat(passed, counts) * adj.weights[second]
    keep = far != sources[source]
    keep[keep] = g.edge_ids(sources[source[keep]], far[keep]) < 0
    source, far, value = source[keep], far[keep], value[keep]
    n = max(g.n_vertices, 1)
    keys, inverse = np.unique(source * n + far, return_inverse=True)
    scores = np.bincount(inverse, weights=value, minlength=keys.size).astype(np.float64)
    common = np.bincount(inverse, minlength=keys.size).astype(np.int64)
    return PairScores(keys // n, keys % n, scores, common)


def walk_blocks(g: TieGraph, *, budget: int = 4_000_000) -> list[IntArray]:
    """Every vertex, in order, cut into blocks of about ``budget`` two-step walks each
    (so that :func:`wra_scores` on a block holds a bounded number of rows)."""
    adj = adjacency(g)
    reach = np.concatenate([[0], np.cumsum(adj.degree[adj.indices])])
    walks = reach[adj.indptr[1:]] - reach[adj.indptr[:-1]]
    block = np.cumsum(walks) // max(budget, 1)
    cuts = np.flatnonzero(np.diff(block)) + 1
    return [b.astype(np.int64) for b in np.split(np.arange(g.n_vertices), cuts)]
