"""The part of the relationship graph around a few people, for the questions users act on.

Introductions, suggestions and back channels look one or two steps around a person.
Loading the whole tie table for each question would cost a fraction of a second on a
large organisation; instead :func:`around` asks the store for the relationship ties
(both sides took part: see :data:`~weakties.store.derived.RELATIONSHIP_BANDS`) that touch
the people named and, with ``hops=2``, their contacts, and builds a small graph of them
with each tie's facts kept for the explanations.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pyarrow as pa

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
    automated: bool


@dataclass(frozen=True, eq=False)
class Network:
    """Relationship ties around some people: a graph weighted by strength, and each edge's
    facts (edge ``i`` is row ``i`` of ``ties``)."""

    graph: TieGraph
    ties: pa.Table
    people: dict[int, Person]

    def tie_row(self, a: int, b: int) -> dict[str, object] | None:
        """The facts of the tie between persons ``a`` and ``b``, or None."""
        g = self.graph
        if not (g.has_person(a) and g.has_person(b)):
            return None
        edge = int(g.edge_ids([g.vertex(a)], [g.vertex(b)])[0])
        return None if edge < 0 else self.ties.slice(edge, 1).to_pylist()[0]

    def name(self, person_id: int) -> str:
        """A person's display name (their id when unknown)."""
        found = self.people.get(person_id)
        return found.name if found else f"person {person_id}"


def around(con: duckdb.DuckDBPyConnection, centre: list[int], *, hops: int = 1) -> Network:
    """The relationship ties touching ``centre`` (``hops=1``) and, with ``hops=2``, those
    touching the centre's contacts too."""
    ties = derived.relationship_ties(con, centre)
    if hops >= 2 and ties.num_rows:
        near = np.union1d(ties.column("person_a").to_numpy(), ties.column("person_b").to_numpy())
        ties = derived.relationship_ties(con, [int(p) for p in near])
    return _network(con, ties, centre)


def everything(con: duckdb.DuckDBPyConnection) -> Network:
    """The whole relationship graph (for whole-organisation runs)."""
    return _network(con, derived.relationship_ties(con), [])


def _network(con: duckdb.DuckDBPyConnection, ties: pa.Table, extra: list[int]) -> Network:
    a = ties.column("person_a").to_numpy()
    b = ties.column("person_b").to_numpy()
    weights = np.nan_to_num(ties.column("strength").to_numpy(zero_copy_only=False))
    g = from_ties(a, b, np.clip(weights, 0.0, None), people=np.asarray(extra, dtype=np.int64))
    ids = [int(p) for p in g.person_ids]
    facts = derived.people_facts(con, ids).to_pylist()
    people = {
        int(r["person_id"]): Person(
            int(r["person_id"]),
            str(r["name"]),
            r["organisation"],
            None if r["community_id"] is None else int(r["community_id"]),
            r["community"],
            bool(r["is_owner"]),
            bool(r["automated"]),
        )
        for r in facts
    }
    return Network(g, ties, people)


def leg_words(net: Network, a: int, b: int, *, you: int | None = None) -> str:
    """One tie in words, for an explanation: "Ana knows Bo well: 40 messages, last 2 weeks
    ago" (``you``: the person spoken to, named "you")."""
    row = net.tie_row(a, b)
    first = "you" if a == you else net.name(a)
    second = "you" if b == you else net.name(b)
    if row is None:
        return f"{first} and {second}: no tie"
    strength = float(row["strength"] or 0.0)  # type: ignore[arg-type]
    recency = when_ago(float(row["recency_days"] or 0.0))  # type: ignore[arg-type]
    messages = int(row["messages"] or 0)  # type: ignore[call-overload]
    last = f"last contact {recency}" if recency in ("today", "yesterday") else f"last {recency}"
    volume = f"{messages} contact{'s' if messages != 1 else ''}, {last}"
    if a == you or b == you:
        kind = "strong" if strength >= STRONG_LEG else str(row["band"])
        return f"{first} and {second}: {kind} tie, {volume}"
    how = "well" if strength >= STRONG_LEG else ("a little" if strength < MODERATE_LEG else "")
    knows = "knows" if first != "you" else "know"
    return f"{first} {knows} {second}{' ' + how if how else ''}: {volume}"
