"""The part of the relationship graph around a few people, for the questions users act on.

Introductions, suggestions and back channels look one or two steps around a person.
Loading the whole tie table for each question would cost a fraction of a second on a
large organisation; instead :func:`around` asks the store for the relationship ties
(both sides took part: see :data:`~weakties.store.derived.RELATIONSHIP_BANDS`), kept
by person in the ``relationships`` table, that touch the people named and, with
``hops=2``, their contacts, and builds a small graph of them. Each tie's facts are kept
as columns aligned with the graph's edges, each person's (name, organisation,
community) as arrays aligned with its vertices, so that the questions run as array
operations rather than a Python loop per contact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
from numpy.typing import ArrayLike

from weakties.graph import TieGraph, from_ties
from weakties.store import derived
from weakties.ties.explain import when_ago

STRONG_LEG = 0.5  # a tie at least this strong is one its people "know each other well" by
MODERATE_LEG = 0.2


@dataclass(frozen=True, slots=True)
class Person:
    """What the explanations say of someone."""

    person_id: int
    name: str
    organisation: str | None
    community_id: int | None
    community: str | None
    is_owner: bool


@dataclass(frozen=True, eq=False)
class Network:
    """Relationship ties around some people: a graph weighted by strength; each edge's
    facts (``ties``, edge ``i`` is row ``i``); each vertex's community and organisation
    (``community``, ``organisation``: -1 where unknown); and the people by id."""

    graph: TieGraph
    ties: pa.Table
    people: dict[int, Person]
    community: np.ndarray = field(repr=False)
    organisation: np.ndarray = field(repr=False)
    _columns: dict[str, list[Any]] = field(default_factory=dict, repr=False)

    def edge(self, a: int, b: int) -> int:
        """The edge index of the tie between persons ``a`` and ``b``, or -1."""
        return int(self.edges([a], [b])[0])

    def edges(self, a: ArrayLike, b: ArrayLike) -> np.ndarray:
        """The edge index of the tie between each pair of persons ``a[i]``, ``b[i]``, or
        -1 (one lookup for many pairs)."""
        u, v = self.graph.lookup(a), self.graph.lookup(b)
        return np.where((u >= 0) & (v >= 0), self.graph.edge_ids(u, v), -1)

    def value(self, edge: int, column: str) -> Any:
        """One fact of one tie (see ``relationship_ties`` for the columns)."""
        values = self._columns.get(column)
        if values is None:
            values = self._columns[column] = self.ties.column(column).to_pylist()
        return values[edge]

    def strength(self, a: int, b: int) -> float:
        """The strength of the tie between ``a`` and ``b``; 0 without one."""
        e = self.edge(a, b)
        return 0.0 if e < 0 else float(self.value(e, "strength") or 0.0)

    def tie_row(self, a: int, b: int) -> dict[str, Any] | None:
        """Every fact of the tie between ``a`` and ``b``, or None."""
        e = self.edge(a, b)
        return None if e < 0 else {c: self.value(e, c) for c in self.ties.column_names}

    def name(self, person_id: int) -> str:
        """A person's display name (their id when unknown)."""
        found = self.people.get(person_id)
        return found.name if found else f"person {person_id}"

    def neighbours(self, person_id: int) -> np.ndarray:
        """The person ids tied to ``person_id`` in this network."""
        g = self.graph
        if not g.has_person(person_id):
            return np.empty(0, dtype=np.int64)
        return g.person_ids[np.asarray(g.graph.neighbors(g.vertex(person_id)), dtype=np.int64)]


def around(con: duckdb.DuckDBPyConnection, centre: list[int], *, hops: int = 1) -> Network:
    """The relationship ties touching ``centre`` (``hops=1``) and, with ``hops=2``, those
    touching the centre's contacts too."""
    ties = derived.relationship_ties(con, centre)
    if hops >= 2 and ties.num_rows:
        near = np.union1d(ties.column("person_id").to_numpy(), ties.column("other").to_numpy())
        ties = derived.relationship_ties(con, [int(p) for p in np.union1d(near, centre)])
    return build(con, ties, centre)


def everything(con: duckdb.DuckDBPyConnection) -> Network:
    """The whole relationship graph (for whole-organisation runs)."""
    return build(con, derived.relationship_ties(con), [])


def build(con: duckdb.DuckDBPyConnection, ties: pa.Table, extra: list[int]) -> Network:
    """A network of ``ties`` (rows of ``relationship_ties``) and the people ``extra``."""
    a = ties.column("person_id").to_numpy()
    b = ties.column("other").to_numpy()
    weights = np.nan_to_num(ties.column("strength").to_numpy(zero_copy_only=False))
    g = from_ties(a, b, np.clip(weights, 0.0, None), people=np.asarray(extra, dtype=np.int64))
    facts = derived.people_facts(con, [int(p) for p in g.person_ids])
    people = {
        int(r["person_id"]): Person(
            int(r["person_id"]),
            str(r["name"]),
            r["organisation"],
            None if r["community_id"] is None else int(r["community_id"]),
            r["community"],
            bool(r["is_owner"]),
        )
        for r in facts.to_pylist()
    }
    where = g.vertices(facts.column("person_id").to_numpy())
    community = np.full(g.n_vertices, -1, dtype=np.int64)
    found = facts.column("community_id").to_numpy(zero_copy_only=False)
    community[where] = np.nan_to_num(np.asarray(found, dtype=np.float64), nan=-1).astype(np.int64)
    organisation = np.full(g.n_vertices, -1, dtype=np.int64)
    codes = facts.column("organisation").dictionary_encode().combine_chunks()
    indices = codes.indices.to_numpy(zero_copy_only=False)
    organisation[where] = np.nan_to_num(np.asarray(indices, dtype=np.float64), nan=-1).astype(
        np.int64
    )
    return Network(g, ties, people, community, organisation)


def with_ties(net: Network, more: pa.Table) -> Network:
    """``net`` with the ties ``more`` (rows of ``relationship_ties``) between people it
    already holds: the same people and facts, a graph with the edges added."""
    ties = pa.concat_tables([net.ties, more.select(net.ties.column_names)])
    a = ties.column("person_id").to_numpy()
    b = ties.column("other").to_numpy()
    weights = np.nan_to_num(ties.column("strength").to_numpy(zero_copy_only=False))
    g = from_ties(a, b, np.clip(weights, 0.0, None), people=net.graph.person_ids)
    if not np.array_equal(g.person_ids, net.graph.person_ids):
        raise ValueError("with_ties adds ties between the network's own people only")
    return Network(g, ties, net.people, net.community, net.organisation)


def leg_words(
    net: Network, a: int, b: int, *, you: int | None = None, edge: int | None = None
) -> str:
    """One tie in words, for an explanation: "Ana knows Bo well: 40 contacts, last 2 weeks
    ago" (``you``: the person spoken to, named "you"; ``edge``: the tie's edge index when
    the caller has looked it up already, -1 for none)."""
    e = net.edge(a, b) if edge is None else edge
    first = "you" if a == you else net.name(a)
    second = "you" if b == you else net.name(b)
    if e < 0:
        return f"{first} and {second}: no tie"
    strength = float(net.value(e, "strength") or 0.0)
    recency = when_ago(float(net.value(e, "recency_days") or 0.0))
    messages = int(net.value(e, "messages") or 0)
    last = f"last contact {recency}" if recency in ("today", "yesterday") else f"last {recency}"
    volume = f"{messages} contact{'s' if messages != 1 else ''}, {last}"
    if a == you or b == you:
        kind = "strong" if strength >= STRONG_LEG else str(net.value(e, "band"))
        return f"{first} and {second}: {kind} tie, {volume}"
    how = "well" if strength >= STRONG_LEG else ("a little" if strength < MODERATE_LEG else "")
    return f"{first} knows {second}{' ' + how if how else ''}: {volume}"
