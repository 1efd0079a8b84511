"""Bridge scores: cross-community and low-overlap ties (Granovetter 1973, Onnela 2007)."""

from __future__ import annotations

import numpy as np
import pytest

from weakties.errors import InputError
from weakties.graph import TieGraph, bridge_scores, from_ties, structural_bridges

# Two triangles 1-2-3 and 4-5-6 joined by the tie 3-4 (edge 3).
TWO_TRIANGLES = [(1, 2), (1, 3), (2, 3), (3, 4), (4, 5), (4, 6), (5, 6)]
SPLIT = [0, 0, 0, 1, 1, 1]


def graph(edges: list[tuple[int, int]]) -> TieGraph:
    pairs = np.array(edges, dtype=np.int64)
    return from_ties(pairs[:, 0], pairs[:, 1], np.ones(len(pairs)))


def test_the_joining_tie_is_the_top_bridge() -> None:
    result = bridge_scores(graph(TWO_TRIANGLES), SPLIT)
    # score = 0.5 * crosses + 0.5 * (1 - overlap); overlaps are 1, 1/2, 1/2, 0, ...
    assert result.score == pytest.approx([0, 0.25, 0.25, 1, 0.25, 0.25, 0])
    assert int(np.argmax(result.score)) == 3
    assert result.is_bridge.tolist() == [False, False, False, True, False, False, False]
    assert result.structural.tolist() == result.is_bridge.tolist()
    assert result.cross_community.tolist() == result.is_bridge.tolist()


def test_without_communities_low_overlap_still_counts() -> None:
    result = bridge_scores(graph(TWO_TRIANGLES), [0] * 6)
    assert result.score[3] == pytest.approx(0.5)
    assert result.is_bridge[3]  # a cut edge is a bridge whatever the communities
    only_overlap = bridge_scores(graph(TWO_TRIANGLES), SPLIT, community_weight=0.0)
    assert only_overlap.score == pytest.approx(1 - only_overlap.overlap)


def test_cross_community_local_bridge_in_a_cycle() -> None:
    # a 6-cycle has no cut edges; the two ties between halves have overlap 0
    cycle = graph([(0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (5, 0)])
    result = bridge_scores(cycle, SPLIT)
    assert not result.structural.any()
    assert result.is_bridge.tolist() == [False, False, True, False, False, True]
    strict = bridge_scores(cycle, SPLIT, overlap_threshold=-1.0)
    assert not strict.is_bridge.any()


def test_structural_bridges() -> None:
    # on a path only the middle tie joins two groups; the end ties are pendant
    assert structural_bridges(graph([(0, 1), (1, 2), (2, 3)])).tolist() == [False, True, False]
    assert not structural_bridges(graph([(0, 1), (1, 2), (2, 0)])).any()
    assert structural_bridges(from_ties([], [], [], people=[1])).size == 0


def test_bad_arguments() -> None:
    g = graph(TWO_TRIANGLES)
    with pytest.raises(InputError, match="one community per vertex"):
        bridge_scores(g, [0, 1])
    with pytest.raises(InputError, match="community_weight"):
        bridge_scores(g, SPLIT, community_weight=1.5)
