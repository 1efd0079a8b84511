"""Brokerage: who sits across structural holes (Burt 1992) and between groups.

Burt, *Structural Holes: The Social Structure of Competition* (Harvard, 1992):
a person whose contacts are not tied to one another is less *constrained* and
has a larger *effective size*; such people hear things first and broker
introductions. We follow the weighted definitions exactly as networkx implements
them (proportional tie strength p_ij = w_ij / Σ_k w_ik, from the symmetric sum of
the tie's weight), so results can be checked against it.

Both measures only involve triples of mutually tied people, so they are computed
from one triangle list (see :mod:`weakties.graph.overlap`) with numpy scatter-adds
instead of matrix products over all pairs.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from multiprocessing import get_all_start_methods, get_context
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

import numpy as np
from numpy.typing import ArrayLike

from weakties.config import available_cores
from weakties.errors import InputError
from weakties.graph.build import WEIGHT, BoolArray, FloatArray, IntArray, TieGraph
from weakties.graph.overlap import triangle_list
from weakties.graph.paths import tie_lengths

EXACT_BETWEENNESS_LIMIT = 2000
"""Up to this many vertices betweenness is exact; above it, it is sampled."""

BETWEENNESS_PIVOTS = 128
"""Source vertices sampled above the limit (about 55 ms each at 50k vertices, 500k ties)."""


BACKGROUND_MIN_WORK = 2_000_000
"""Ties x source vertices from which betweenness repays a process of its own (about
60 ms of work; starting the process costs a few)."""


@dataclass(frozen=True)
class _Structure:
    """Arcs (both directions of every edge: arc e is source->target, e + E the
    reverse) and, for every triangle and ordering (x, y, z) of its corners, the
    arcs x->y, x->z, z->y and y->z. Over the six orderings each arc u->v meets
    each common neighbour w of u and v exactly once."""

    tail: IntArray
    weight: FloatArray
    closed: list[tuple[IntArray, IntArray, IntArray, IntArray]]


def _structure(g: TieGraph, weight: str | None) -> _Structure:
    w = g.weights(weight)
    listed = triangle_list(g)
    tri, sides = listed.corners, listed.sides
    arc = {}
    for side, (x, y) in enumerate(((0, 1), (1, 2), (0, 2))):
        forward = g.source[sides[:, side]] == tri[:, x]
        arc[x, y] = np.where(forward, sides[:, side], sides[:, side] + g.n_edges)
        arc[y, x] = np.where(forward, sides[:, side] + g.n_edges, sides[:, side])
    closed = [
        (arc[x, y], arc[x, z], arc[z, y], arc[y, z]) for x, y, z in itertools.permutations(range(3))
    ]
    return _Structure(np.concatenate([g.source, g.target]), np.concatenate([w, w]), closed)


def _sum_at(index: IntArray, values: FloatArray, n: int) -> FloatArray:
    """Sum of ``values`` per ``index`` (a scatter-add), length ``n``."""
    return np.asarray(np.bincount(index, values, minlength=n), dtype=np.float64)


def _proportional(s: _Structure, n: int, norm: str) -> FloatArray:
    """Tie weight of each arc divided by its tail's total (``sum``) or largest (``max``) tie."""
    if norm == "sum":
        scale = _sum_at(s.tail, s.weight, n)
    else:
        scale = np.zeros(n)
        np.maximum.at(scale, s.tail, s.weight)
    out = np.zeros(s.weight.size)
    np.divide(s.weight, scale[s.tail], out=out, where=scale[s.tail] > 0)
    return out


def _isolated_nan(values: FloatArray, g: TieGraph) -> FloatArray:
    values[g.degree() == 0] = np.nan
    return values


def constraint(g: TieGraph, *, weight: str | None = WEIGHT) -> FloatArray:
    """Burt's (1992) constraint per vertex: Σ_j (p_ij + Σ_q p_iq p_qj)², NaN if isolated.

    High when a person's contacts are few or tied to each other (closure); low
    for brokers. Matches ``networkx.constraint`` on undirected graphs.
    """
    return _constraint(g, _structure(g, weight))


def _constraint(g: TieGraph, s: _Structure) -> FloatArray:
    p = _proportional(s, g.n_vertices, "sum")
    indirect = np.zeros_like(p)
    for uv, uw, wv, _ in s.closed:
        indirect += _sum_at(uv, p[uw] * p[wv], p.size)
    return _isolated_nan(_sum_at(s.tail, (p + indirect) ** 2, g.n_vertices), g)


def effective_size(g: TieGraph, *, weight: str | None = WEIGHT) -> FloatArray:
    """Burt's (1992) effective size per vertex: Σ_j (1 − Σ_q p_iq m_jq), NaN if isolated.

    The number of contacts minus their redundancy, m_jq being j's tie to q over
    j's strongest tie. Unweighted it is Borgatti's (1997) n − 2t/n. Matches
    ``networkx.effective_size`` on undirected graphs.
    """
    return _effective_size(g, _structure(g, weight))


def _effective_size(g: TieGraph, s: _Structure) -> FloatArray:
    p = _proportional(s, g.n_vertices, "sum")
    m = _proportional(s, g.n_vertices, "max")
    redundancy = np.zeros(g.n_vertices)
    for uv, uw, _, vw in s.closed:  # ego u, contact v, shared contact w: p_uw m_vw
        redundancy += _sum_at(s.tail[uv], p[uw] * m[vw], g.n_vertices)
    return _isolated_nan(g.degree().astype(np.float64) - redundancy, g)


def communities_spanned(g: TieGraph, membership: ArrayLike) -> IntArray:
    """How many distinct communities a person's contacts belong to (0 if isolated)."""
    labels = np.asarray(membership, dtype=np.int64)
    if labels.shape != (g.n_vertices,):
        raise InputError("membership needs one community per vertex")
    base = int(labels.max(initial=0)) + 1
    tails = np.concatenate([g.source, g.target])
    reached = labels[np.concatenate([g.target, g.source])]
    pairs = np.unique(tails * base + reached)
    return np.bincount(pairs // base, minlength=g.n_vertices).astype(np.int64)


def betweenness(
    g: TieGraph,
    *,
    weight: str | None = WEIGHT,
    pivots: int | None = None,
    seed: int = 0,
) -> FloatArray:
    """Shortest-path betweenness (Brandes 2001), normalised as networkx does.

    A strong tie is a short path: the length of a tie is 1 / strength (see
    :func:`weakties.graph.paths.tie_lengths`); ``weight=None`` counts hops. Values are the
    share of pairs of other vertices whose shortest paths run through the vertex,
    2·B / ((n−1)(n−2)), equal to ``networkx.betweenness_centrality``. Exact up to
    ``EXACT_BETWEENNESS_LIMIT`` vertices; above, or when ``pivots`` is given, it
    is estimated from that many uniformly sampled source vertices scaled by
    n / pivots (Brandes & Pich 2007), with ``BETWEENNESS_PIVOTS`` by default.
    """
    return _BetweennessJob(g, weight, pivots, seed).run()


def betweenness_started(
    g: TieGraph,
    *,
    weight: str | None = WEIGHT,
    pivots: int | None = None,
    seed: int = 0,
    min_work: int | None = None,
) -> PendingBetweenness:
    """:func:`betweenness`, started on a process of its own when it is large enough
    to repay one and a second core is free: the caller goes on with other measures
    (igraph holds the GIL, so a thread would not do) and collects it with
    ``result()``. Otherwise it is computed when ``result()`` is called. ``min_work``
    defaults to :data:`BACKGROUND_MIN_WORK`."""
    floor = BACKGROUND_MIN_WORK if min_work is None else min_work
    return PendingBetweenness(_BetweennessJob(g, weight, pivots, seed), floor)


class _BetweennessJob:
    """One betweenness computation: the graph, tie lengths and source vertices."""

    def __init__(self, g: TieGraph, weight: str | None, pivots: int | None, seed: int) -> None:
        n = g.n_vertices
        if pivots is not None and pivots < 1:
            raise InputError(f"betweenness needs at least one pivot, not {pivots}")
        if pivots is None and n > EXACT_BETWEENNESS_LIMIT:
            pivots = BETWEENNESS_PIVOTS
        self.g = g
        self.trivial = n <= 2 or g.n_edges == 0
        lengths = None if self.trivial else tie_lengths(g, weight=weight)
        self.dist = None if lengths is None else lengths.tolist()
        self.sources: list[int] | None = None
        if not self.trivial and pivots is not None and pivots < n:
            rng = np.random.default_rng(seed)
            self.sources = rng.choice(n, size=pivots, replace=False).tolist()

    @property
    def work(self) -> int:
        """Ties times source vertices: what the computation costs, roughly."""
        sources = self.g.n_vertices if self.sources is None else len(self.sources)
        return 0 if self.trivial else self.g.n_edges * sources

    def raw(self) -> FloatArray:
        """igraph's unnormalised betweenness from the sources (all vertices if none)."""
        return np.asarray(
            self.g.graph.betweenness(directed=False, weights=self.dist, sources=self.sources),
            dtype=np.float64,
        )

    def normalised(self, raw: FloatArray) -> FloatArray:
        n = self.g.n_vertices
        if self.sources is not None:
            raw = raw * (n / len(self.sources))
        return 2.0 * raw / ((n - 1) * (n - 2))

    def run(self) -> FloatArray:
        if self.trivial:
            return np.zeros(self.g.n_vertices)
        return self.normalised(self.raw())


class PendingBetweenness:
    """Betweenness under way on a forked process, or deferred until asked for.

    Should the process fail or die, the computation is done again here: a result is
    always returned.
    """

    def __init__(self, job: _BetweennessJob, min_work: int) -> None:
        self._job = job
        self._values: FloatArray | None = None
        self._process: BaseProcess | None = None
        self._receive: Connection | None = None
        self.in_background = False
        """Whether another process was started to compute it."""
        if job.work >= min_work and available_cores() >= 2 and "fork" in get_all_start_methods():
            context = get_context("fork")
            self._receive, send = context.Pipe(duplex=False)
            self._process = context.Process(
                target=_betweenness_child, args=(job, send), daemon=True
            )
            self._process.start()  # forked: the job is not pickled, the child has it
            send.close()
            self.in_background = True

    def result(self) -> FloatArray:
        """The betweenness values (waits for the background process if there is one)."""
        if self._values is None:
            raw = self._collect()
            self._values = self._job.run() if raw is None else self._job.normalised(raw)
        return self._values

    def close(self) -> None:
        """Stop the background process if its result was never asked for."""
        if self._process is not None and self._receive is not None:
            self._process.terminate()
            self._process.join()
            self._receive.close()
            self._process = self._receive = None

    def _collect(self) -> FloatArray | None:
        if self._process is None or self._receive is None:
            return None
        try:
            received = self._receive.recv()
        except (EOFError, OSError):
            received = None
        finally:
            self._receive.close()
            self._process.join()
            self._process = self._receive = None
        size = self._job.g.n_vertices
        if isinstance(received, np.ndarray) and received.shape == (size,):
            return received
        return None


def _betweenness_child(job: _BetweennessJob, send: Connection) -> None:
    try:
        send.send(job.raw())
    except Exception as error:  # noqa: BLE001 - reported to the parent, which redoes it
        send.send(repr(error))
    finally:
        send.close()


def _scaled_ranks(values: FloatArray, *, higher_is_better: bool = True) -> FloatArray:
    """Average ranks mapped onto [0, 1], 1 for the best; NaN ranks as the worst.

    Values equal to 12 decimals tie, so that rounding noise does not split equals.
    """
    signed = np.round(values if higher_is_better else -values, 12)
    x = np.where(np.isnan(values), -np.inf, signed)
    order = np.argsort(x, kind="stable")
    ranked = x[order]
    starts = np.flatnonzero(np.r_[True, ranked[1:] != ranked[:-1]])
    ends = np.r_[starts[1:], ranked.size]
    ranks = np.empty(x.size)
    ranks[order] = np.repeat((starts + ends - 1) / 2.0, ends - starts)
    return ranks / max(x.size - 1, 1)


@dataclass(frozen=True)
class Brokerage:
    """Brokerage measures per vertex and the combined connector ``score`` in [0, 1]."""

    constraint: FloatArray
    effective_size: FloatArray
    communities_spanned: IntArray
    betweenness: FloatArray
    score: FloatArray

    def ranking(self) -> IntArray:
        """Vertex indices from best connector to worst (ties by vertex index)."""
        return np.lexsort((np.arange(self.score.size), -self.score)).astype(np.int64)

    def isolated(self) -> BoolArray:
        """Vertices with no ties (their constraint and effective size are NaN)."""
        return np.isnan(self.constraint)


def connectors(
    g: TieGraph,
    membership: ArrayLike,
    *,
    weight: str | None = WEIGHT,
    pivots: int | None = None,
    seed: int = 0,
    between: PendingBetweenness | None = None,
) -> Brokerage:
    """Rank people as connectors by four brokerage signals.

    score = mean of the scaled ranks (0 worst, 1 best, ties averaged) of: low
    constraint, high effective size, many communities spanned, high betweenness.
    Ranks make the score scale-free: no signal dominates through its units or
    its skew. Isolated people (no ties, nothing to broker) score 0. ``between`` is
    betweenness already started by :func:`betweenness_started` with the same
    ``weight``, ``pivots`` and ``seed``.
    """
    structure = _structure(g, weight)
    c, e = _constraint(g, structure), _effective_size(g, structure)
    spanned = communities_spanned(g, membership)
    if between is None:
        b = betweenness(g, weight=weight, pivots=pivots, seed=seed)
    else:
        b = between.result()
    ranks = [
        _scaled_ranks(c, higher_is_better=False),
        _scaled_ranks(e),
        _scaled_ranks(spanned.astype(np.float64)),
        _scaled_ranks(b),
    ]
    score = np.where(np.isnan(c), 0.0, np.mean(ranks, axis=0))
    return Brokerage(c, e, spanned, b, score)
