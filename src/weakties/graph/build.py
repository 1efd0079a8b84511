"""The tie graph: an undirected weighted igraph graph keyed by person id.

Ties arrive as columns (``src``, ``dst``, ``strength``) with arbitrary int64 person
ids. :func:`from_ties` maps them onto igraph's vertex indices 0..n-1 and keeps the
mapping both ways, so every measure in :mod:`weakties.graph` can work on dense
vertex and edge indices and hand back plain numpy arrays aligned with them: one
value per vertex (``TieGraph.person_ids`` says whose) or one per edge (in the order
the ties were given).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import InitVar, dataclass, field
from typing import Any

import igraph as ig
import numpy as np
from numpy.typing import ArrayLike, NDArray

from weakties.errors import InputError, NotFoundError

WEIGHT = "weight"
"""The edge attribute holding tie strength; every measure's default ``weight``."""

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class TieGraph:
    """An undirected, simple, weighted tie graph and its vertex <-> person mapping.

    ``person_ids[v]`` is the person at vertex ``v``; :meth:`vertices` maps back in
    O(log n) per id. ``source``/``target`` hold each edge's endpoints (vertex
    indices, ``source < target``). The arrays are read-only; treat ``graph`` as
    read-only too, since the arrays describe it as it was built.
    """

    graph: Any  # igraph.Graph (igraph ships no type information)
    person_ids: IntArray
    source: IntArray = field(init=False, repr=False)
    target: IntArray = field(init=False, repr=False)
    _id_order: IntArray = field(init=False, repr=False)
    _ids_sorted: IntArray = field(init=False, repr=False)
    _edge_order: IntArray = field(init=False, repr=False)
    _keys_sorted: IntArray = field(init=False, repr=False)
    _memo: dict[str, object] = field(init=False, repr=False, default_factory=dict)
    edges: InitVar[IntArray | None] = None
    """The graph's edge list as an (E, 2) array, when the caller has it (saves reading it
    back from igraph)."""

    def __post_init__(self, edges: IntArray | None) -> None:
        ids = np.array(self.person_ids, dtype=np.int64)
        if self.graph.is_directed() or ids.shape != (self.graph.vcount(),):
            raise InputError("a TieGraph needs an undirected graph and one person id per vertex")
        if self.graph.ecount() and not self.graph.is_simple():
            raise InputError("a TieGraph needs a simple graph (no loops, no repeated pairs)")
        order = np.argsort(ids, kind="stable")
        if ids.size > 1 and np.any(ids[order][1:] == ids[order][:-1]):
            raise InputError("person ids must be unique")
        if edges is None:
            edges = np.asarray(self.graph.get_edgelist(), dtype=np.int64).reshape(-1, 2)
        elif np.shape(edges) != (self.graph.ecount(), 2):
            raise InputError("the edge list given does not match the graph's edges")
        source, target = edges.min(axis=1), edges.max(axis=1)
        keys = source * max(ids.size, 1) + target
        edge_order = np.argsort(keys, kind="stable")
        for name, value in (
            ("person_ids", ids),
            ("source", source),
            ("target", target),
            ("_id_order", order),
            ("_ids_sorted", ids[order]),
            ("_edge_order", edge_order),
            ("_keys_sorted", keys[edge_order]),
        ):
            value.flags.writeable = False
            object.__setattr__(self, name, value)

    @property
    def n_vertices(self) -> int:
        """Number of people in the graph."""
        return int(self.person_ids.size)

    @property
    def n_edges(self) -> int:
        """Number of ties in the graph."""
        return int(self.source.size)

    def degree(self) -> IntArray:
        """Number of ties per vertex."""
        return np.bincount(
            np.concatenate([self.source, self.target]), minlength=self.n_vertices
        ).astype(np.int64)

    def weights(self, weight: str | None = WEIGHT) -> FloatArray:
        """The edge attribute ``weight`` as floats, or all ones when ``weight`` is None."""
        if weight is None:
            return np.ones(self.n_edges, dtype=np.float64)
        if self.n_edges and weight not in self.graph.es.attributes():
            raise InputError(f"the graph has no edge attribute {weight!r}")
        return np.asarray(self.graph.es[weight] if self.n_edges else [], dtype=np.float64)

    def has_person(self, person_id: int) -> bool:
        """Whether ``person_id`` is a vertex of the graph."""
        return bool(self._lookup(np.asarray([person_id], dtype=np.int64))[0] >= 0)

    def vertex(self, person_id: int) -> int:
        """The vertex index of one person; :class:`NotFoundError` if absent."""
        return int(self.vertices(np.asarray([person_id]))[0])

    def vertices(self, person_ids: ArrayLike) -> IntArray:
        """Vertex indices of many persons at once; :class:`NotFoundError` if any is absent."""
        wanted = np.asarray(person_ids, dtype=np.int64).ravel()
        found = self._lookup(wanted)
        if np.any(found < 0):
            missing = int(wanted[np.argmax(found < 0)])
            raise NotFoundError(f"person {missing} has no ties in this graph")
        return found

    def lookup(self, person_ids: ArrayLike) -> IntArray:
        """Vertex indices of many persons at once, -1 for those not in the graph."""
        return self._lookup(np.asarray(person_ids, dtype=np.int64).ravel())

    def edge_ids(self, u: ArrayLike, v: ArrayLike) -> IntArray:
        """Edge index of each vertex pair ``(u[i], v[i])`` in either order; -1 where no tie."""
        a = np.asarray(u, dtype=np.int64).ravel()
        b = np.asarray(v, dtype=np.int64).ravel()
        keys = np.minimum(a, b) * max(self.n_vertices, 1) + np.maximum(a, b)
        return _find(self._keys_sorted, self._edge_order, keys)

    def cached(self, name: str) -> object | None:
        """A structure derived from this graph and kept on it (see :meth:`cache`), or None."""
        return self._memo.get(name)

    def cache(self, name: str, value: object) -> object:
        """Keep ``value``, derived from this (read-only) graph, for the next measure.

        Several measures read the same structure (the triangle list): each analysis
        builds it once.
        """
        self._memo[name] = value
        return value

    def _lookup(self, wanted: IntArray) -> IntArray:
        return _find(self._ids_sorted, self._id_order, wanted)


def _find(ranked: IntArray, order: IntArray, wanted: IntArray) -> IntArray:
    """Original index of each wanted value in ``ranked`` (sorted by ``order``), or -1."""
    if ranked.size == 0:
        return np.full(wanted.size, -1, dtype=np.int64)
    pos = np.searchsorted(ranked, wanted).clip(max=ranked.size - 1)
    return np.where(ranked[pos] == wanted, order[pos], -1).astype(np.int64)


def from_ties(
    src: ArrayLike,
    dst: ArrayLike,
    weight: ArrayLike,
    *,
    people: ArrayLike | None = None,
    columns: Mapping[str, ArrayLike] | None = None,
) -> TieGraph:
    """Build the tie graph from columnar ties; edge ``i`` is tie ``i``.

    ``weight`` (tie strength) must be finite and non-negative. ``people`` adds
    persons without ties as isolated vertices. ``columns`` become extra edge
    attributes. Self-ties and repeated pairs are input errors, not merged
    silently, so that edge indices stay aligned with the caller's rows.
    """
    s, d, w = _tie_columns(src, dst, weight)
    extra = np.asarray([] if people is None else people, dtype=np.int64).ravel()
    ids = np.unique(np.concatenate([s, d, extra]))
    u, v = np.searchsorted(ids, s), np.searchsorted(ids, d)
    _check_pairs(u, v, int(ids.size))
    edges = np.column_stack([u, v])
    graph = ig.Graph(n=int(ids.size), edges=edges.tolist(), directed=False)
    graph.es[WEIGHT] = w.tolist()
    for name, values in (columns or {}).items():
        graph.es[name] = _edge_column(name, values, s.size)
    return TieGraph(graph, ids, edges=edges)


def _tie_columns(
    src: ArrayLike, dst: ArrayLike, weight: ArrayLike
) -> tuple[IntArray, IntArray, FloatArray]:
    s = np.asarray(src, dtype=np.int64).ravel()
    d = np.asarray(dst, dtype=np.int64).ravel()
    w = np.asarray(weight, dtype=np.float64).ravel()
    if not s.size == d.size == w.size:
        raise InputError(f"tie columns differ in length: {s.size}, {d.size}, {w.size}")
    if np.any(s == d):
        raise InputError(f"a person cannot have a tie to themselves (person {s[s == d][0]})")
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise InputError("tie strengths must be finite and non-negative")
    return s, d, w


def _check_pairs(u: IntArray, v: IntArray, n: int) -> None:
    keys = np.sort(np.minimum(u, v) * n + np.maximum(u, v))
    if np.any(keys[1:] == keys[:-1]):
        raise InputError("a pair of people appears in more than one tie")


def _edge_column(name: str, values: ArrayLike, n_edges: int) -> list[Any]:
    column = np.asarray(values)
    if name == WEIGHT or column.shape != (n_edges,):
        raise InputError(f"edge column {name!r} must be one value per tie and not {WEIGHT!r}")
    return list(column.tolist())


def ego_subgraph(g: TieGraph, person_id: int, order: int = 1) -> TieGraph:
    """The ego network of ``person_id``: everyone within ``order`` (1 or 2) steps.

    It is the induced subgraph, so ties among the ego's contacts are kept; this is
    the network Burt's (1992) ego measures are defined on.
    """
    if order not in (1, 2):
        raise InputError(f"ego network order must be 1 or 2, not {order}")
    centre = g.vertex(person_id)
    members = np.sort(np.asarray(g.graph.neighborhood(centre, order=order), dtype=np.int64))
    sub = g.graph.induced_subgraph(members.tolist(), implementation="create_from_scratch")
    return TieGraph(sub, g.person_ids[members])
