"""Burt's constraint and effective size, betweenness, and the connectors ranking."""

from __future__ import annotations

from multiprocessing.connection import Connection

import networkx as nx
import numpy as np
import pytest

from weakties.errors import InputError
from weakties.graph import (
    TieGraph,
    betweenness,
    brokerage,
    communities_spanned,
    connectors,
    constraint,
    effective_size,
    from_ties,
)

# Two triangles 1-2-3 and 4-5-6 joined by the tie 3-4: vertices 0..5.
TWO_TRIANGLES = [(1, 2), (1, 3), (2, 3), (3, 4), (4, 5), (4, 6), (5, 6)]


def graph(edges: list[tuple[int, int]], weights: list[float] | None = None) -> TieGraph:
    pairs = np.array(edges, dtype=np.int64).reshape(-1, 2)
    w = np.ones(len(pairs)) if weights is None else np.array(weights)
    return from_ties(pairs[:, 0], pairs[:, 1], w)


def test_star_by_hand() -> None:
    g = graph([(0, 1), (0, 2), (0, 3), (0, 4)])
    # centre: four contacts with p = 1/4 and no ties among them -> 4 * (1/4)^2
    assert constraint(g) == pytest.approx([0.25, 1, 1, 1, 1])
    assert effective_size(g) == pytest.approx([4, 1, 1, 1, 1])


def test_two_triangles_by_hand() -> None:
    g = graph(TWO_TRIANGLES)
    # vertex 1: (1/2 + 1/2*1/3)^2 + (1/2 + 1/2*1/2)^2 = 4/9 + 9/16
    # vertex 3: (1/3 + 1/3*1/2)^2 * 2 + (1/3)^2 = 1/2 + 1/9, the broker: lowest
    c = constraint(g)
    assert c == pytest.approx([145 / 144, 145 / 144, 11 / 18, 11 / 18, 145 / 144, 145 / 144])
    # Borgatti: n - 2t/n; vertex 3 has n = 3 contacts with t = 1 tie among them
    assert effective_size(g) == pytest.approx([1, 1, 7 / 3, 7 / 3, 1, 1])


def test_weighted_triangle_by_hand() -> None:
    # a-b 1, b-c 2, a-c 1: p_ab = p_ac = 1/2, p_bc = 2/3, p_ba = 1/3, p_cb = 2/3, p_ca = 1/3
    g = graph([(0, 1), (1, 2), (0, 2)], [1.0, 2.0, 1.0])
    # c(a) = (1/2 + 1/2 * 2/3)^2 * 2 = 25/18
    assert constraint(g)[0] == pytest.approx(25 / 18)
    # e(a) = (1 - p_ac m_bc) + (1 - p_ab m_cb) = 1/2 + 1/2, m = weight over the row maximum
    # e(b) = (1 - p_bc m_ac) + (1 - p_ba m_ca) = (1 - 2/3) + (1 - 1/3 * 1/2) = 7/6
    assert effective_size(g)[:2] == pytest.approx([1, 7 / 6])
    # a path with weights 1 and 3 around b: (1/4)^2 + (3/4)^2
    path = graph([(0, 1), (1, 2)], [1.0, 3.0])
    assert constraint(path)[1] == pytest.approx(10 / 16)


def test_isolated_people_have_no_constraint() -> None:
    g = from_ties([1], [2], [1.0], people=[3])
    assert np.isnan(constraint(g)[2]) and np.isnan(effective_size(g)[2])
    assert constraint(g)[:2].tolist() == [1.0, 1.0]


def random_graph(seed: int, n: int = 80, m: int = 320) -> tuple[nx.Graph, TieGraph]:
    rng = np.random.default_rng(seed)
    nxg = nx.gnm_random_graph(n, m, seed=seed)
    nxg.add_edges_from(nx.complete_graph(range(6)).edges)  # some closure
    for u, v in nxg.edges:
        nxg[u][v]["weight"] = float(rng.uniform(0.05, 1.0))
        nxg[u][v]["length"] = 1.0 / nxg[u][v]["weight"]
    nxg.add_node(n)  # an isolated person
    edges = list(nxg.edges)
    weights = [nxg[u][v]["weight"] for u, v in edges]
    pairs = np.array(edges)
    return nxg, from_ties(pairs[:, 0], pairs[:, 1], weights, people=[n])


def as_array(values: dict[int, float], n: int) -> np.ndarray:
    return np.array([values[v] for v in range(n)])


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("weight", ["weight", None])
def test_matches_networkx_constraint_and_effective_size(seed: int, weight: str | None) -> None:
    nxg, g = random_graph(seed)
    n = nxg.number_of_nodes()
    expected_c = as_array(nx.constraint(nxg, weight=weight), n)
    np.testing.assert_allclose(constraint(g, weight=weight), expected_c, rtol=0, atol=1e-9)
    # networkx's whole-graph (sparse) path normalises m_jq by the wrong row's maximum
    # on weighted graphs (networkx PR #8906); its per-node path follows the definition.
    expected_e = as_array(nx.effective_size(nxg, nodes=list(nxg), weight=weight), n)
    np.testing.assert_allclose(effective_size(g, weight=weight), expected_e, rtol=0, atol=1e-9)


def test_betweenness_on_a_path_by_hand() -> None:
    g = graph([(0, 1), (1, 2), (2, 3), (3, 4)])
    # vertex 2 lies between {0,1} and {3,4}: 4 pairs; vertex 1 between 0 and {2,3,4}: 3
    # normalised by the (n-1)(n-2)/2 = 6 pairs of other vertices
    assert betweenness(g) == pytest.approx([0, 3 / 6, 4 / 6, 3 / 6, 0])


@pytest.mark.parametrize("seed", [0, 1])
def test_betweenness_matches_networkx(seed: int) -> None:
    nxg, g = random_graph(seed)
    n = nxg.number_of_nodes()
    weighted = as_array(nx.betweenness_centrality(nxg, weight="length"), n)
    np.testing.assert_allclose(betweenness(g), weighted, rtol=0, atol=1e-9)
    hops = as_array(nx.betweenness_centrality(nxg), n)
    np.testing.assert_allclose(betweenness(g, weight=None), hops, rtol=0, atol=1e-9)


def test_sampled_betweenness_estimates_the_exact_one(monkeypatch: pytest.MonkeyPatch) -> None:
    _, g = random_graph(3, n=400, m=1600)
    exact = betweenness(g)
    assert betweenness(g, pivots=g.n_vertices).tolist() == exact.tolist()
    sampled = betweenness(g, pivots=200, seed=1)
    assert sampled.mean() == pytest.approx(exact.mean(), rel=0.1)
    assert np.corrcoef(sampled, exact)[0, 1] > 0.9
    assert betweenness(g, pivots=200, seed=1).tolist() == sampled.tolist()  # deterministic
    with pytest.raises(InputError, match="pivot"):
        betweenness(g, pivots=0)
    monkeypatch.setattr(brokerage, "EXACT_BETWEENNESS_LIMIT", 100)
    monkeypatch.setattr(brokerage, "BETWEENNESS_PIVOTS", 200)
    assert betweenness(g, seed=1).tolist() == sampled.tolist()


def test_communities_spanned() -> None:
    g = from_ties(*np.array(TWO_TRIANGLES).T, np.ones(7), people=[9])
    spanned = communities_spanned(g, [0, 0, 0, 1, 1, 1, 2])
    assert spanned.tolist() == [1, 1, 2, 2, 1, 1, 0]


def test_connectors_rank_the_brokers_first() -> None:
    g = from_ties(*np.array(TWO_TRIANGLES).T, np.ones(7), people=[9])
    result = connectors(g, [0, 0, 0, 1, 1, 1, 2])
    # 3 and 4 are best on all four signals; each of them is tied, so they share ranks
    assert sorted(result.ranking()[:2].tolist()) == [2, 3]
    assert result.score[2] == result.score[3] == pytest.approx(1 - 0.5 / 6)
    assert result.ranking()[-1] == 6 and result.score[6] == 0.0
    assert result.isolated().tolist() == [False] * 6 + [True]
    assert np.all((result.score >= 0) & (result.score <= 1))


def test_connector_scores_do_not_depend_on_the_scale_of_strength() -> None:
    _, g = random_graph(4)
    pairs = np.column_stack([g.person_ids[g.source], g.person_ids[g.target]])
    scaled = from_ties(pairs[:, 0], pairs[:, 1], g.weights() * 10, people=g.person_ids)
    membership = np.arange(g.n_vertices) % 5
    one, ten = connectors(g, membership), connectors(scaled, membership)
    np.testing.assert_allclose(one.score, ten.score, atol=1e-12)


def test_betweenness_on_another_process_equals_the_one_computed_here(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(brokerage, "available_cores", lambda: 2)
    _, g = random_graph(5, n=400, m=1600)
    for pivots in (None, 50):
        here = betweenness(g, pivots=pivots, seed=2)
        pending = brokerage.betweenness_started(g, pivots=pivots, seed=2, min_work=0)
        assert pending.in_background
        assert pending.result().tolist() == here.tolist()
        assert pending.result() is pending.result()  # collected once
    membership = np.arange(g.n_vertices) % 4
    started = brokerage.betweenness_started(g, min_work=0)
    np.testing.assert_array_equal(
        connectors(g, membership, between=started).score, connectors(g, membership).score
    )


def test_small_or_single_core_betweenness_stays_here(monkeypatch: pytest.MonkeyPatch) -> None:
    _, g = random_graph(6, n=100, m=300)
    assert not brokerage.betweenness_started(g).in_background  # too small to repay it
    monkeypatch.setattr(brokerage, "available_cores", lambda: 1)
    pending = brokerage.betweenness_started(g, min_work=0)
    assert not pending.in_background
    assert pending.result().tolist() == betweenness(g).tolist()


@pytest.mark.parametrize("failure", ["dies", "raises"])
def test_a_failed_background_betweenness_is_computed_here(
    monkeypatch: pytest.MonkeyPatch, failure: str
) -> None:
    def dies(job: object, send: Connection) -> None:
        send.close()

    def raises(job: object, send: Connection) -> None:
        send.send("MemoryError()")
        send.close()

    monkeypatch.setattr(brokerage, "available_cores", lambda: 2)
    monkeypatch.setattr(brokerage, "_betweenness_child", dies if failure == "dies" else raises)
    _, g = random_graph(7, n=200, m=800)
    pending = brokerage.betweenness_started(g, min_work=0)
    assert pending.in_background
    assert pending.result().tolist() == betweenness(g).tolist()


def test_an_uncollected_background_betweenness_is_stopped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(brokerage, "available_cores", lambda: 2)
    _, g = random_graph(8, n=300, m=1200)
    pending = brokerage.betweenness_started(g, min_work=0)
    process = pending._process
    assert pending.in_background and process is not None
    pending.close()
    assert not process.is_alive()
    assert pending.result().tolist() == betweenness(g).tolist()  # then computed here
