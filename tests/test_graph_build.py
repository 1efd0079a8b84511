"""The tie graph: id mapping, edge alignment, validation and ego networks."""

from __future__ import annotations

import igraph as ig
import numpy as np
import pytest

from weakties.errors import InputError, NotFoundError
from weakties.graph import TieGraph, ego_subgraph, from_ties


def test_person_ids_map_to_vertices_both_ways() -> None:
    g = from_ties([900, 17, 5_000_000_000], [17, 42, 17], [0.5, 1.0, 0.25])
    assert g.person_ids.tolist() == [17, 42, 900, 5_000_000_000]
    assert g.vertices([5_000_000_000, 17, 900]).tolist() == [3, 0, 2]
    assert g.vertex(42) == 1
    assert g.has_person(900) and not g.has_person(901)
    with pytest.raises(NotFoundError, match="901"):
        g.vertices([17, 901])


def test_edge_i_is_tie_i() -> None:
    g = from_ties([900, 17, 5_000_000_000], [17, 42, 17], [0.5, 1.0, 0.25])
    pairs = g.person_ids[np.column_stack([g.source, g.target])]
    assert pairs.tolist() == [[17, 900], [17, 42], [17, 5_000_000_000]]
    assert g.weights().tolist() == [0.5, 1.0, 0.25]
    assert g.weights(None).tolist() == [1.0, 1.0, 1.0]
    assert g.degree().tolist() == [3, 1, 1, 1]


def test_edge_ids_in_either_order_and_missing_pairs() -> None:
    g = from_ties([1, 2, 3], [2, 3, 4], [1.0, 1.0, 1.0])
    assert g.edge_ids([0, 2, 3, 0], [1, 1, 2, 3]).tolist() == [0, 1, 2, -1]


def test_people_without_ties_and_extra_columns() -> None:
    g = from_ties([1], [2], [0.5], people=[7, 1], columns={"band": np.array(["weak"])})
    assert g.person_ids.tolist() == [1, 2, 7]
    assert g.degree().tolist() == [1, 1, 0]
    assert g.graph.es["band"] == ["weak"]


def test_empty_graph() -> None:
    g = from_ties([], [], [])
    assert (g.n_vertices, g.n_edges) == (0, 0)
    assert g.vertices([]).size == 0
    assert not g.has_person(1)


@pytest.mark.parametrize(
    ("src", "dst", "weight", "message"),
    [
        ([1, 2], [2], [1.0, 1.0], "differ in length"),
        ([1, 3], [1, 4], [1.0, 1.0], "themselves"),
        ([1, 2], [2, 1], [1.0, 1.0], "more than one tie"),
        ([1], [2], [-0.1], "non-negative"),
        ([1], [2], [float("nan")], "finite"),
    ],
)
def test_bad_ties_are_input_errors(
    src: list[int], dst: list[int], weight: list[float], message: str
) -> None:
    with pytest.raises(InputError, match=message):
        from_ties(src, dst, weight)


def test_bad_columns_and_graphs_are_input_errors() -> None:
    with pytest.raises(InputError, match="edge column"):
        from_ties([1], [2], [1.0], columns={"weight": [2.0]})
    with pytest.raises(InputError, match="edge column"):
        from_ties([1], [2], [1.0], columns={"band": ["a", "b"]})
    with pytest.raises(InputError, match="undirected"):
        TieGraph(ig.Graph([(0, 1)], directed=True), np.array([1, 2]))
    with pytest.raises(InputError, match="unique"):
        TieGraph(ig.Graph([(0, 1)]), np.array([3, 3]))
    with pytest.raises(InputError, match="no edge attribute"):
        from_ties([1], [2], [1.0]).weights("missing")
    with pytest.raises(InputError, match="edge list given"):
        TieGraph(ig.Graph([(0, 1), (1, 2)]), np.array([1, 2, 3]), edges=np.array([[0, 1]]))
    given = TieGraph(
        ig.Graph([(0, 1), (1, 2)]), np.array([1, 2, 3]), edges=np.array([[1, 0], [1, 2]])
    )
    assert given.source.tolist() == [0, 1] and given.target.tolist() == [1, 2]


def test_ego_subgraph_orders() -> None:
    # 10 - 20 - 30 - 40, plus 20 - 50 and 50 - 30
    g = from_ties([10, 20, 30, 20, 50], [20, 30, 40, 50, 30], [0.1, 0.2, 0.3, 0.4, 0.5])
    first = ego_subgraph(g, 20)
    assert first.person_ids.tolist() == [10, 20, 30, 50]
    pairs = first.person_ids[np.column_stack([first.source, first.target])].tolist()
    strengths = dict(zip(map(tuple, pairs), first.weights().tolist(), strict=True))
    assert strengths == {(10, 20): 0.1, (20, 30): 0.2, (20, 50): 0.4, (30, 50): 0.5}
    second = ego_subgraph(g, 10, order=2)
    assert second.person_ids.tolist() == [10, 20, 30, 50]
    assert ego_subgraph(g, 10, order=1).person_ids.tolist() == [10, 20]
    with pytest.raises(InputError):
        ego_subgraph(g, 10, order=3)
    with pytest.raises(NotFoundError):
        ego_subgraph(g, 99)
