"""Introduction paths: strong ties are short steps."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from weakties.errors import NotFoundError
from weakties.graph import from_ties, intro_path, tie_lengths


def test_two_strong_ties_beat_one_weak_tie() -> None:
    # 1-2 at 0.1 is 10 long; 1-3-2 at 0.9 each is 2.22 long
    g = from_ties([1, 1, 3], [2, 3, 2], [0.1, 0.9, 0.9], people=[7])
    assert intro_path(g, 1, 2).tolist() == [1, 3, 2]
    assert intro_path(g, 1, 2, weight=None).tolist() == [1, 2]
    assert intro_path(g, 2, 2).tolist() == [2]
    assert intro_path(g, 1, 7).size == 0
    with pytest.raises(NotFoundError):
        intro_path(g, 1, 99)


def test_tie_lengths() -> None:
    g = from_ties([1, 2], [2, 3], [0.5, 0.0])
    lengths = tie_lengths(g)
    assert lengths is not None and lengths.tolist() == [2.0, 1e6]
    assert tie_lengths(g, weight=None) is None


def test_matches_networkx_dijkstra() -> None:
    rng = np.random.default_rng(5)
    nxg = nx.gnm_random_graph(60, 150, seed=5)
    for u, v in nxg.edges:
        nxg[u][v]["strength"] = float(rng.uniform(0.05, 1.0))
        nxg[u][v]["length"] = 1.0 / nxg[u][v]["strength"]
    pairs = np.array(list(nxg.edges))
    g = from_ties(pairs[:, 0], pairs[:, 1], [nxg[u][v]["strength"] for u, v in nxg.edges])
    for target in range(1, 60, 7):
        if nx.has_path(nxg, 0, target):
            expected = nx.dijkstra_path(nxg, 0, target, weight="length")
            assert intro_path(g, 0, target).tolist() == expected
