"""The graph layer: measures over the tie graph, as pure functions on numpy arrays.

Build a :class:`TieGraph` from columnar ties with :func:`from_ties`; every measure
takes it (and ``weight=``, the edge attribute holding tie strength) and returns
arrays aligned with its vertices (``TieGraph.person_ids``) or edges (tie order),
or a small frozen dataclass of such arrays. igraph's C core does the heavy work.
"""

from __future__ import annotations

from weakties.graph.bridges import Bridges, bridge_scores, structural_bridges
from weakties.graph.brokerage import (
    Brokerage,
    PendingBetweenness,
    betweenness,
    betweenness_started,
    communities_spanned,
    connectors,
    constraint,
    effective_size,
)
from weakties.graph.build import WEIGHT, TieGraph, ego_subgraph, from_ties
from weakties.graph.communities import (
    Communities,
    Placement,
    ari,
    label_communities,
    leiden,
    newman_resolution,
    nmi,
    place,
)
from weakties.graph.overlap import common_neighbours, topological_overlap, triangles
from weakties.graph.paths import intro_path, tie_lengths
from weakties.graph.robustness import (
    giant_component_curve,
    giant_component_sizes,
    removal_order,
)

__all__ = [
    "WEIGHT",
    "Bridges",
    "Brokerage",
    "Communities",
    "PendingBetweenness",
    "Placement",
    "TieGraph",
    "ari",
    "betweenness",
    "betweenness_started",
    "bridge_scores",
    "common_neighbours",
    "communities_spanned",
    "connectors",
    "constraint",
    "effective_size",
    "ego_subgraph",
    "from_ties",
    "giant_component_curve",
    "giant_component_sizes",
    "intro_path",
    "label_communities",
    "leiden",
    "newman_resolution",
    "nmi",
    "place",
    "removal_order",
    "structural_bridges",
    "tie_lengths",
    "topological_overlap",
    "triangles",
]
