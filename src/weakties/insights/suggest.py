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
from weakties.graph.linkpred import adjacency, common_neighbours_of, two_hop_scores
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


def suggestions(net: Network, person_id: int, *, limit: int | None = 10) -> list[Suggestion]:
    """The best people for ``person_id`` to meet, from the network around them."""
    g = net.graph
    if not g.has_person(person_id):
        return []
    v = g.vertex(person_id)
    found = two_hop_scores(g, v, method="wra", power=LIKELIHOOD_POWER)
    community, organisation = _novelty(net, v, found.vertices)
    novelty = 0.5 * community + 0.5 * organisation
    score = found.scores * (1.0 + NOVELTY_GAIN * novelty)
    order = np.lexsort((g.person_ids[found.vertices], -score))
    if limit:
        order = order[:limit]
    out = []
    for i in order.tolist():
        w = int(found.vertices[i])
        introducer, path = best_introducer(net, v, w)
        out.append(
            Suggestion(
                int(g.person_ids[w]),
                float(score[i]),
                float(found.scores[i]),
                float(novelty[i]),
                int(found.common[i]),
                introducer,
                path,
                float(community[i]),
                float(organisation[i]),
            )
        )
    return out


def scores_for(net: Network, person_id: int) -> tuple[np.ndarray, np.ndarray]:
    """Every person in ``net`` other than ``person_id`` and not tied to them, with the
    suggestion score (the ranking :func:`suggestions` uses, plus the fallback that
    orders people without a common contact): for evaluation."""
    g = net.graph
    v = g.vertex(person_id)
    found = two_hop_scores(g, v, method="wra", power=LIKELIHOOD_POWER)
    degree = adjacency(g).degree.astype(np.float64)
    total = FALLBACK * degree / max(float(degree.max(initial=1.0)), 1.0)
    community, organisation = _novelty(net, v, found.vertices)
    novelty = 0.5 * community + 0.5 * organisation
    total[found.vertices] += found.scores * (1.0 + NOVELTY_GAIN * novelty)
    mask = np.ones(g.n_vertices, dtype=bool)
    mask[v] = False
    mask[adjacency(g).neighbours(v)] = False
    return g.person_ids[mask], total[mask]


def best_introducer(net: Network, v: int, w: int) -> tuple[int | None, float]:
    """The common contact whose weaker leg (to ``v`` and to ``w``) is strongest, and that
    leg's strength."""
    middle, near, far = common_neighbours_of(net.graph, v, w)
    if middle.size == 0:
        return None, 0.0
    legs = np.minimum(near, far)
    best = int(np.lexsort((-np.sqrt(near * far), -legs))[0])
    return int(net.graph.person_ids[middle[best]]), float(legs[best])


def _novelty(net: Network, v: int, candidates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """How new each candidate vertex's community, and organisation, is to vertex ``v``:
    ``1 / (1 + reach)``, reach being the strength of ``v``'s ties into it. A community
    ``v`` has no tie into is wholly new (1); one strong tie already there halves what
    another adds (Burt 1992: contacts in a cluster one already reaches are redundant)."""
    adj = adjacency(net.graph)
    mine, weights = adj.neighbours(v), adj.neighbour_weights(v)
    out = []
    for labels in (net.community, net.organisation):
        into = np.zeros(int(labels.max(initial=-1)) + 2)
        np.add.at(into, labels[mine] + 1, weights)  # index 0 collects the unknown (-1)
        reach = into[labels[candidates] + 1]
        known = labels[candidates] >= 0
        out.append(np.where(known, 1.0 / (1.0 + reach), 0.0))
    if net.organisation[v] >= 0:  # one's own organisation is never new
        out[1] = np.where(net.organisation[candidates] == net.organisation[v], 0.0, out[1])
    return out[0], out[1]


def suggest_table(
    con: duckdb.DuckDBPyConnection, person_id: int, *, limit: int | None = 10, you: bool = False
) -> pa.Table:
    """:func:`suggestions` for one person, as rows with explanations (that person called
    "you" when ``you``: the user asking for themselves)."""
    net = network.around(con, [person_id], hops=2)
    speaker = person_id if you else None
    return _table(net, person_id, suggestions(net, person_id, limit=limit), speaker=speaker)


def suggest_everyone(con: duckdb.DuckDBPyConnection, *, per_person: int = 5) -> pa.Table:
    """The top suggestions of every person in the relationship graph."""
    if per_person < 1:
        raise InputError("Ask for at least one suggestion per person.", "Pass --limit 1 or more.")
    net = network.everything(con)
    tables = []
    for pid in net.graph.person_ids.tolist():
        rows = suggestions(net, int(pid), limit=per_person)
        if rows:
            tables.append(_table(net, int(pid), rows, speaker=None))
    if not tables:
        return _table(net, 0, [], speaker=None)
    return pa.concat_tables(tables)


def _table(net: Network, for_id: int, rows: list[Suggestion], speaker: int | None) -> pa.Table:
    people = [net.people.get(r.person_id) for r in rows]
    columns: dict[str, list[object]] = {
        "for_person": [net.name(for_id)] * len(rows),
        "for_person_id": [for_id] * len(rows),
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
        "explanation": [_explain(net, for_id, r, speaker) for r in rows],
    }
    types = {
        "for_person_id": pa.int64(), "person_id": pa.int64(), "score": pa.float64(),
        "likelihood": pa.float64(), "novelty": pa.float64(), "mutual_contacts": pa.int64(),
        "introducer_id": pa.int64(), "path_score": pa.float64(),
    }  # fmt: skip
    return pa.table({k: pa.array(v, types.get(k, pa.string())) for k, v in columns.items()})


def _explain(net: Network, for_id: int, s: Suggestion, speaker: int | None) -> str:
    common = f"{s.mutual} mutual contact{'s' if s.mutual != 1 else ''}"
    parts = [common]
    if s.introducer is not None:
        via = net.name(s.introducer)
        legs = "; ".join(
            (
                leg_words(net, for_id, s.introducer, you=speaker),
                leg_words(net, s.introducer, s.person_id, you=speaker),
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
