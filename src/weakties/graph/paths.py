"""Paths through the tie graph: who can introduce whom.

A strong tie is a short step: the length of a tie is 1 / strength, so a path of
two strong ties beats one through a barely known contact. The same distance is
used for betweenness (:mod:`weakties.graph.brokerage`), so "on many shortest
paths" and "on the path we suggest" mean the same thing.
"""

from __future__ import annotations

import numpy as np

from weakties.graph.build import WEIGHT, FloatArray, IntArray, TieGraph

MIN_STRENGTH = 1e-6
"""Floor on tie strength when turned into a length: a zero-strength tie is long, not infinite."""


def tie_lengths(g: TieGraph, *, weight: str | None = WEIGHT) -> FloatArray | None:
    """Length of each tie, 1 / max(strength, MIN_STRENGTH); None (count hops) without weights."""
    if weight is None:
        return None
    return 1.0 / np.maximum(g.weights(weight), MIN_STRENGTH)


def intro_path(
    g: TieGraph, from_person: int, to_person: int, *, weight: str | None = WEIGHT
) -> IntArray:
    """Person ids on the shortest path from one person to another, both ends included.

    Dijkstra (igraph) over tie lengths. Empty when the two are not connected.
    """
    start, goal = g.vertex(from_person), g.vertex(to_person)
    if goal not in g.graph.subcomponent(start):  # igraph would warn, then return []
        return np.empty(0, dtype=np.int64)
    lengths = tie_lengths(g, weight=weight)
    found = g.graph.get_shortest_paths(
        start, to=goal, weights=None if lengths is None else lengths.tolist(), output="vpath"
    )[0]
    return g.person_ids[np.asarray(found, dtype=np.int64)]
