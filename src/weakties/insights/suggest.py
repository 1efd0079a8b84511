"""People to meet: who a person is not yet tied to, ranked by how likely and how useful a
tie would be, each with the best introducer and why.

How likely: weighted resource allocation over the relationship graph (see
:mod:`weakties.graph.linkpred`), each tie weighing ``strength ** LIKELIHOOD_POWER``. Lü &
Zhou (2010) found that weighting the classic neighbourhood scores by tie weight raised
to a power well below one predicts new links better than either the plain or the fully
weighted score in most networks they tried — weak ties carry much of the signal. Pairs
with no common contact are ordered, far below any pair with one, by the candidate's
number of ties (preferential attachment: Newman 2001 found the chance of a new
collaboration rising with the number of collaborators).

How useful: a new tie is worth more when it reaches a community or an organisation the
person barely reaches yet (Burt 1992: non-redundant contacts). Novelty is half the
community's newness and half the organisation's, each ``1 / (1 + reach)`` with reach the
strength of the person's ties into it; the likelihood is scaled by
``1 + NOVELTY_GAIN × novelty``. The gain is the largest that keeps the ranking at least
as predictive as plain resource allocation on the email-Eu stream (bench/suggest.py:
0.5 passes, 1.0 falls just below on AUC), so usefulness reorders close candidates and
never lifts an unlikely one far above a likely one.

bench/suggest.py measures the ranking on the email-Eu stream (train on the first half,
test on the next quarter) against common neighbours, Adamic-Adar and resource allocation.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pyarrow as pa

from weakties.errors import InputError
from weakties.graph.linkpred import _ranges, adjacency, two_hop_scores, walk_blocks, wra_scores
from weakties.insights import network
from weakties.insights.network import Network, leg_words

LIKELIHOOD_POWER = 0.25
"""Exponent on tie strength in the likelihood. Lü & Zhou (2010) report the best exponent
between 0 and 1 in most of their networks; on the email-Eu stream 0.25 and 0.5 both beat
plain resource allocation on AUC, precision and HR@10 (bench/suggest.py)."""

NOVELTY_GAIN = 0.5
"""How much more a suggestion is worth when it reaches a new community and organisation."""

NEW = 0.5
"""Novelty from which an explanation says a suggestion reaches somewhere new (no more
than one strong tie there yet)."""

FALLBACK = 1e-9
"""Weight of the candidate's own number of ties: orders only pairs without a common
contact (every pair with one scores far above it)."""

COLUMNS = (
    "person", "person_id", "organisation", "community", "score", "likelihood", "novelty",
    "mutual_contacts", "introducer", "introducer_id", "path_score", "explanation",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One person to meet and why."""

    person_id: int
    score: float
    likelihood: float
    novelty: float
    mutual: int
    introducer: int | None
    path_score: float
    new_community: float  # how new the candidate's community is (1: wholly new)
    new_organisation: float


@dataclass(frozen=True, slots=True)
class Ranked:
    """The top suggestions of several people at once, as arrays (row ``i``: vertex
    ``for_vertex[i]`` may meet vertex ``vertex[i]``), each person's rows best first."""

    for_vertex: np.ndarray
    vertex: np.ndarray
    score: np.ndarray
    likelihood: np.ndarray
    novelty: np.ndarray
    mutual: np.ndarray
    introducer: np.ndarray  # vertex of the best introducer
    path_score: np.ndarray
    new_community: np.ndarray
    new_organisation: np.ndarray


def ranked(net: Network, sources: np.ndarray, *, limit: int | None = 10) -> Ranked:
    """The best people for each vertex of ``sources`` to meet (at most ``limit`` each),
    scored for all of them in one pass over the graph's rows."""
    g = net.graph
    found = wra_scores(g, sources, power=LIKELIHOOD_POWER)
    community, organisation = _novelty(net, sources, found.source, found.vertices)
    novelty = 0.5 * community + 0.5 * organisation
    score = found.scores * (1.0 + NOVELTY_GAIN * novelty)
    order = np.lexsort((g.person_ids[found.vertices], -score, found.source))
    if limit:
        grouped = found.source[order]
        rank = np.arange(order.size) - np.searchsorted(grouped, grouped, side="left")
        order = order[rank < limit]
    mine, theirs = sources[found.source[order]], found.vertices[order]
    introducer, path = best_introducers(net, mine, theirs)
    return Ranked(
        mine, theirs, score[order], found.scores[order], novelty[order], found.common[order],
        introducer, path, community[order], organisation[order],
    )  # fmt: skip


def suggestions(net: Network, person_id: int, *, limit: int | None = 10) -> list[Suggestion]:
    """The best people for ``person_id`` to meet, from the network around them."""
    g = net.graph
    if not g.has_person(person_id):
        return []
    return _listed(net, ranked(net, np.asarray([g.vertex(person_id)], dtype=np.int64), limit=limit))


def _listed(net: Network, r: Ranked) -> list[Suggestion]:
    ids = net.graph.person_ids
    via = [int(ids[x]) if x >= 0 else None for x in r.introducer.tolist()]
    columns = zip(
        ids[r.vertex].tolist(), r.score.tolist(), r.likelihood.tolist(), r.novelty.tolist(),
        r.mutual.tolist(), via, r.path_score.tolist(), r.new_community.tolist(),
        r.new_organisation.tolist(), strict=True,
    )  # fmt: skip
    return [
        Suggestion(p, score, likely, novelty, mutual, i, path, new_c, new_o)
        for p, score, likely, novelty, mutual, i, path, new_c, new_o in columns
    ]


def scores_for(net: Network, person_id: int) -> tuple[np.ndarray, np.ndarray]:
    """Every person in ``net`` other than ``person_id`` and not tied to them, with the
    suggestion score (the ranking :func:`suggestions` uses, plus the fallback that
    orders people without a common contact): for evaluation."""
    g = net.graph
    v = g.vertex(person_id)
    found = two_hop_scores(g, v, method="wra", power=LIKELIHOOD_POWER)
    degree = adjacency(g).degree.astype(np.float64)
    total = FALLBACK * degree / max(float(degree.max(initial=1.0)), 1.0)
    alone = np.zeros(found.vertices.size, dtype=np.int64)
    community, organisation = _novelty(net, np.asarray([v]), alone, found.vertices)
    novelty = 0.5 * community + 0.5 * organisation
    total[found.vertices] += found.scores * (1.0 + NOVELTY_GAIN * novelty)
    mask = np.ones(g.n_vertices, dtype=bool)
    mask[v] = False
    mask[adjacency(g).neighbours(v)] = False
    return g.person_ids[mask], total[mask]


def best_introducer(net: Network, v: int, w: int) -> tuple[int | None, float]:
    """The common contact whose weaker leg (to ``v`` and to ``w``) is strongest, and that
    leg's strength."""
    found, legs = best_introducers(net, np.asarray([v]), np.asarray([w]))
    if found[0] < 0:
        return None, 0.0
    return int(net.graph.person_ids[found[0]]), float(legs[0])


def best_introducers(net: Network, v: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`best_introducer` for each pair of vertices ``v[i]``, ``w[i]`` at once: the
    introducer's vertex (-1 for none) and the weaker leg. Among equal legs the larger
    geometric mean of the two wins, then the lower vertex."""
    adj = adjacency(net.graph)
    starts, stops = adj.indptr[v], adj.indptr[v + 1]
    first = _ranges(starts, stops)
    pair = np.repeat(np.arange(v.size), stops - starts)
    middle, near = adj.indices[first], adj.weights[first]
    edge = net.graph.edge_ids(middle, w[pair])
    tied = edge >= 0
    pair, middle, near, edge = pair[tied], middle[tied], near[tied], edge[tied]
    per_edge = np.empty(net.graph.n_edges)
    per_edge[adj.edges] = adj.weights
    far = per_edge[edge]
    legs = np.minimum(near, far)
    order = np.lexsort((-np.sqrt(near * far), -legs, pair))
    best = order[np.r_[True, pair[order][1:] != pair[order][:-1]]] if order.size else order
    introducer = np.full(v.size, -1, dtype=np.int64)
    path = np.zeros(v.size)
    introducer[pair[best]], path[pair[best]] = middle[best], legs[best]
    return introducer, path


def _novelty(
    net: Network, sources: np.ndarray, source: np.ndarray, candidates: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """How new each candidate vertex's community, and organisation, is to its source
    vertex (``sources[source[i]]`` for ``candidates[i]``): ``1 / (1 + reach)``, reach
    being the strength of the source's ties into it. A community the source has no tie
    into is wholly new (1); one strong tie already there halves what another adds (Burt
    1992: contacts in a cluster one already reaches are redundant)."""
    adj = adjacency(net.graph)
    starts, stops = adj.indptr[sources], adj.indptr[sources + 1]
    first = _ranges(starts, stops)
    owner = np.repeat(np.arange(sources.size), stops - starts)
    mine, weights = adj.indices[first], adj.weights[first]
    out = []
    for labels in (net.community, net.organisation):
        width = int(labels.max(initial=-1)) + 2  # label + 1: 0 collects the unknown (-1)
        keys, inverse = np.unique(owner * width + labels[mine] + 1, return_inverse=True)
        into = np.bincount(inverse, weights=weights, minlength=keys.size)
        wanted = source * width + labels[candidates] + 1
        at = np.searchsorted(keys, wanted).clip(max=max(keys.size - 1, 0))
        reach = np.where(keys[at] == wanted, into[at], 0.0) if keys.size else 0.0 * wanted
        known = labels[candidates] >= 0
        out.append(np.where(known, 1.0 / (1.0 + reach), 0.0))
    own = net.organisation[sources][source]  # one's own organisation is never new
    out[1] = np.where((own >= 0) & (net.organisation[candidates] == own), 0.0, out[1])
    return out[0], out[1]


def suggest_table(
    con: duckdb.DuckDBPyConnection, person_id: int, *, limit: int | None = 10, you: bool = False
) -> pa.Table:
    """:func:`suggestions` for one person, as rows with explanations (that person called
    "you" when ``you``: the user asking for themselves)."""
    net = network.around(con, [person_id], hops=2)
    speaker = person_id if you else None
    rows = suggestions(net, person_id, limit=limit)
    return _table(net, [person_id] * len(rows), rows, speaker=speaker)


def suggest_everyone(con: duckdb.DuckDBPyConnection, *, per_person: int = 5) -> pa.Table:
    """The top suggestions of every person in the relationship graph: each person's rows
    are those :func:`suggest_table` gives them, scored in blocks of people at once."""
    if per_person < 1:
        raise InputError("Ask for at least one suggestion per person.", "Pass --limit 1 or more.")
    net = network.everything(con)
    ids = net.graph.person_ids
    for_ids: list[int] = []
    rows: list[Suggestion] = []
    for block in walk_blocks(net.graph):
        found = ranked(net, block, limit=per_person)
        for_ids += ids[found.for_vertex].tolist()
        rows += _listed(net, found)
    return _table(net, for_ids, rows, speaker=None)


def _table(
    net: Network, for_ids: list[int], rows: list[Suggestion], speaker: int | None
) -> pa.Table:
    people = [net.people.get(r.person_id) for r in rows]
    via = [r.introducer if r.introducer is not None else -1 for r in rows]
    first = net.edges(for_ids, via).tolist()
    second = net.edges(via, [r.person_id for r in rows]).tolist()
    columns: dict[str, list[object]] = {
        "for_person": [net.name(f) for f in for_ids],
        "for_person_id": list(for_ids),
        "person": [net.name(r.person_id) for r in rows],
        "person_id": [r.person_id for r in rows],
        "organisation": [p.organisation if p else None for p in people],
        "community": [p.community if p else None for p in people],
        "score": [r.score for r in rows],
        "likelihood": [r.likelihood for r in rows],
        "novelty": [r.novelty for r in rows],
        "mutual_contacts": [r.mutual for r in rows],
        "introducer": [net.name(r.introducer) if r.introducer else None for r in rows],
        "introducer_id": [r.introducer for r in rows],
        "path_score": [r.path_score for r in rows],
        "explanation": [
            _explain(net, f, r, speaker, legs)
            for f, r, legs in zip(for_ids, rows, zip(first, second, strict=True), strict=True)
        ],
    }
    types = {
        "for_person_id": pa.int64(), "person_id": pa.int64(), "score": pa.float64(),
        "likelihood": pa.float64(), "novelty": pa.float64(), "mutual_contacts": pa.int64(),
        "introducer_id": pa.int64(), "path_score": pa.float64(),
    }  # fmt: skip
    return pa.table({k: pa.array(v, types.get(k, pa.string())) for k, v in columns.items()})


def _explain(
    net: Network, for_id: int, s: Suggestion, speaker: int | None, edges: tuple[int, int]
) -> str:
    common = f"{s.mutual} mutual contact{'s' if s.mutual != 1 else ''}"
    parts = [common]
    if s.introducer is not None:
        via = net.name(s.introducer)
        legs = "; ".join(
            (
                leg_words(net, for_id, s.introducer, you=speaker, edge=edges[0]),
                leg_words(net, s.introducer, s.person_id, you=speaker, edge=edges[1]),
            )
        )
        parts.append(f"best introduced by {via} ({legs})")
    who = net.people.get(s.person_id)
    opens = []
    if who is not None and s.new_community >= NEW and who.community:
        whose = "you hardly reach" if speaker is not None else f"{net.name(for_id)} hardly reaches"
        opens.append(f"a group {whose} ({who.community.split(' · ', 1)[-1]})")
    if who is not None and s.new_organisation >= NEW and who.organisation:
        opens.append(who.organisation)
    if opens:
        parts.append("opens " + " and ".join(opens))
    return "; ".join(parts)
