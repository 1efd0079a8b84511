"""Do weakties' suggestions predict the ties that form next?

On the email-Eu stream (Benson et al. 2018): analyse the first half of the e-mails,
then look at the next quarter. Over people with at least three ties in the first half
who are active in the next quarter, a *new tie* is a pair with contact in the next
quarter and none in the first half. Every pair of such a person with anyone not yet in
contact with them is a candidate; each method scores every candidate:

- ``weakties``: the score ``weakties suggest`` ranks by, on the tie graph of the analysis;
- ``cn``, ``aa``, ``ra``: common neighbours, Adamic-Adar and resource allocation on the
  plain contact graph of the first half (any e-mail either way is a tie), computed in
  the same run as the baselines.

Figures per method: AUC (a new tie against a candidate that did not form, all
candidates of eligible people), precision at n (n = the number of new ties; the n best
candidate pairs overall) and HR@10 (the share of eligible people with a new tie among
their 10 best candidates). Then the introducer check: for each new tie whose two people
had common contacts, the best introduction path score as of the split, and the rate at
which candidate pairs become ties by tercile of that score.

Prints one JSON object. Usage: ``python bench/suggest.py [--keep DIR]``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from datasets import EMAIL_EU, Email, email_eu, mit_calls, sociopatterns, write_log
from weakties import api
from weakties.config import Settings
from weakties.graph import from_ties
from weakties.graph.linkpred import common_neighbours_of, two_hop_scores
from weakties.insights import network
from weakties.insights.suggest import scores_for

MIN_TIES = 3
DATA = {
    "email-eu": (email_eu, "exchange"),
    "sociopatterns": (sociopatterns, "in_person"),
    "mit-calls": (mit_calls, "call"),
}
TOP = 10


def _pairs(mails: list[Email]) -> set[tuple[int, int]]:
    found: set[tuple[int, int]] = set()
    for m in mails:
        for r in m.recipients:
            if r != m.sender:
                found.add((min(m.sender, r), max(m.sender, r)))
    return found


def _auc(pos: np.ndarray, neg: np.ndarray) -> float:
    """Mann-Whitney AUC with ties counted half."""
    scores = np.concatenate([pos, neg])
    ranks = _ranks(scores)
    n_pos, n_neg = pos.size, neg.size
    return float((ranks[:n_pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def _ranks(values: np.ndarray) -> np.ndarray:
    order = np.argsort(values, kind="mergesort")
    ranks = np.empty(values.size)
    sorted_values = values[order]
    _, first, counts = np.unique(sorted_values, return_index=True, return_counts=True)
    mean_rank = first + (counts + 1) / 2.0
    ranks[order] = np.repeat(mean_rank, counts)
    return ranks


def _metrics(
    scored: dict[int, tuple[np.ndarray, np.ndarray]],
    candidates: dict[int, np.ndarray],
    new: set[tuple[int, int]],
) -> dict[str, float]:
    """AUC, precision at n and HR@10 from each eligible person's scores over every
    candidate (node ids); a candidate missing from the scores scores 0."""
    pos_scores, neg_scores, pairs = [], [], {}
    hits = 0
    for x, cands in candidates.items():
        found_ids, found_scores = scored[x]
        values = dict(zip(found_ids.tolist(), found_scores.tolist(), strict=True))
        s = np.array([values.get(int(y), 0.0) for y in cands])
        label = np.array([(min(x, int(y)), max(x, int(y))) in new for y in cands])
        pos_scores.append(s[label])
        neg_scores.append(s[~label])
        ranked = np.argsort(-s, kind="mergesort")[:TOP]
        hits += bool(np.any(label[ranked] & (s[ranked] > 0)))
        for y, value in zip(cands.tolist(), s.tolist(), strict=True):
            key = (min(x, y), max(x, y))
            pairs[key] = max(pairs.get(key, 0.0), value)
    pos, neg = np.concatenate(pos_scores), np.concatenate(neg_scores)
    n = sum(1 for k in pairs if k in new)
    best = sorted(pairs.items(), key=lambda kv: -kv[1])[:n]
    return {
        "auc": round(_auc(pos, neg), 4),
        "precision_at_n": round(sum(1 for k, _ in best if k in new) / max(n, 1), 4),
        "hr_at_10": round(hits / max(len(candidates), 1), 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="keep the store and logs in this folder")
    parser.add_argument(
        "--data",
        choices=sorted(DATA),
        default="email-eu",
        help="email-eu (the measured set), or sociopatterns / mit-calls (out of sample)",
    )
    args = parser.parse_args()
    if not EMAIL_EU.is_dir():
        print(json.dumps({"skipped": f"no email-Eu data at {EMAIL_EU}"}))
        return
    load, channel = DATA[args.data]
    mails = load()
    half, three_q = len(mails) // 2, (3 * len(mails)) // 4
    first, second = mails[:half], mails[half:three_q]
    work = args.keep or Path(tempfile.mkdtemp(prefix="weakties-suggest-"))
    log = work / "first-half.csv"
    write_log(log, first, channel)
    settings = Settings(db_path=work / "store.duckdb")
    if settings.db_path.exists():
        settings.db_path.unlink()
    started = time.perf_counter()
    api.ingest(settings, [log])
    api.analyze(settings)
    out: dict[str, Any] = {"data": args.data, "records_first_half": len(first)}
    out["records_next_quarter"] = len(second)
    out["ingest_analyze_s"] = round(time.perf_counter() - started, 2)
    out.update(_evaluate(settings, first, second))
    print(json.dumps(out, indent=1))


def _evaluate(settings: Settings, first: list[Email], second: list[Email]) -> dict[str, Any]:
    before, after = _pairs(first), _pairs(second)
    contact = from_ties(
        np.array([a for a, _ in before]), np.array([b for _, b in before]), np.ones(len(before))
    )
    nodes = contact.person_ids
    degree = contact.degree()
    active = {p for pair in after for p in pair}
    eligible = [
        int(nodes[v])
        for v in range(nodes.size)
        if degree[v] >= MIN_TIES and int(nodes[v]) in active
    ]
    new = {
        p
        for p in after
        if p not in before and p[0] in set(nodes.tolist()) and p[1] in set(nodes.tolist())
    }
    tied: dict[int, set[int]] = {}
    for a, b in before:
        tied.setdefault(a, set()).add(b)
        tied.setdefault(b, set()).add(a)
    everyone = nodes
    candidates = {
        x: np.array([y for y in everyone.tolist() if y != x and y not in tied[x]]) for x in eligible
    }
    figures: dict[str, Any] = {"eligible_people": len(eligible), "new_ties": len(new)}
    for method in ("cn", "aa", "ra"):
        scored = {}
        for x in eligible:
            c = two_hop_scores(contact, contact.vertex(x), method=method, weight=None)
            scored[x] = (nodes[c.vertices], c.scores)
        figures[method] = _metrics(scored, candidates, new)
    figures["weakties"] = _ours(settings, eligible, candidates, new)
    return figures


def _ours(
    settings: Settings,
    eligible: list[int],
    candidates: dict[int, np.ndarray],
    new: set[tuple[int, int]],
) -> dict[str, Any]:
    """The suggestion score of ``weakties suggest``, and the introducer check."""
    with api.open_store(settings, read_only=True) as con:
        node_of = dict(
            con.execute(
                "SELECT person_id, CAST(substr(address, 4) AS BIGINT) FROM identities "
                "WHERE address LIKE 'id:%'"
            ).fetchall()
        )
        started = time.perf_counter()
        net = network.everything(con)
        loaded = time.perf_counter() - started
    person_of = {v: k for k, v in node_of.items()}
    scored = {}
    started = time.perf_counter()
    for x in eligible:
        pid = person_of.get(x)
        if pid is None or not net.graph.has_person(pid):
            scored[x] = (np.empty(0, np.int64), np.empty(0))
            continue
        ids, values = scores_for(net, pid)
        scored[x] = (np.array([node_of[int(i)] for i in ids]), values)
    scoring = time.perf_counter() - started
    figures: dict[str, Any] = _metrics(scored, candidates, new)
    figures["relationship_ties"] = net.graph.n_edges
    figures["load_s"] = round(loaded, 3)
    figures["score_s_per_person"] = round(scoring / max(len(eligible), 1), 5)
    figures["introducers"] = _introducers(net, eligible, node_of, person_of, new)
    return figures


def _introducers(
    net: Any,
    eligible: list[int],
    node_of: dict[int, int],
    person_of: dict[int, int],
    new: set[tuple[int, int]],
) -> dict[str, Any]:
    """Rate of new ties by tercile of the best introduction path's score (the weakest leg
    of the best path through one common contact), over candidate pairs with a common
    contact; and how the first-ranked introducer's weakest leg compares with the other
    common contacts' for the pairs that did form."""
    g = net.graph
    best, formed, top_leg, other_legs = [], [], [], []
    seen: set[tuple[int, int]] = set()
    for x in eligible:
        pid = person_of.get(x)
        if pid is None or not g.has_person(pid):
            continue
        v = g.vertex(pid)
        found = two_hop_scores(g, v, method="cn")
        for w in found.vertices.tolist():
            y = node_of[int(g.person_ids[w])]
            pair = (min(x, y), max(x, y))
            if pair in seen:
                continue
            seen.add(pair)
            _, near, far = common_neighbours_of(g, v, w)
            legs = np.minimum(near, far)
            best.append(float(legs.max()))
            formed.append(pair in new)
            if pair in new and legs.size > 1:
                top_leg.append(float(legs.max()))
                other_legs.append(float(np.delete(legs, int(np.argmax(legs))).mean()))
    score, label = np.array(best), np.array(formed)
    cuts = np.quantile(score, [1 / 3, 2 / 3])
    third = np.digitize(score, cuts)
    rates = [float(label[third == k].mean()) for k in range(3)]
    return {
        "candidate_pairs": int(score.size),
        "formation_rate_by_tercile": [round(r, 4) for r in rates],
        "top_over_bottom": round(rates[2] / rates[0], 2) if rates[0] else None,
        "formed_pairs_with_several_introducers": len(top_leg),
        "first_introducer_weakest_leg_mean": round(float(np.mean(top_leg)), 4) if top_leg else None,
        "other_introducers_weakest_leg_mean": round(float(np.mean(other_legs)), 4)
        if other_legs
        else None,
    }


if __name__ == "__main__":
    main()
