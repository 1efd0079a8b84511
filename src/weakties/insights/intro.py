"""Who can introduce me: ranked paths from the user to a person or an organisation.

A path through one introducer (two hops) is as good as its weakest leg: a warm
introducer who barely knows the target, or a target's close friend the user has not
spoken to in a year, makes a poor path. A leg's weight is the tie's strength as of the
analysis, which already falls with silence relative to the tie's own history (see
docs/tie-model.md), so a strong but stale leg weighs little. The path score is the
weakest leg; among paths with the same weakest leg, the stronger other leg wins.

Paths through two introducers (three hops) are shown after, marked low confidence,
their score halved (:data:`THREE_HOP_FACTOR`): every extra hand an introduction passes
through loses some of it (the attenuation of Dodds, Muhamad & Watts 2003's search
chains). Tiers follow the bands' strength threshold: *strong* when the weakest leg is a
strong tie, *moderate* from :data:`~weakties.insights.network.MODERATE_LEG`, *weak* below.

In a store that holds several owners' mail (a team), ``team=True`` starts from every
owner and says whose relationship each first leg is.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pyarrow as pa

from weakties.errors import InputError, NotFoundError
from weakties.graph.linkpred import common_neighbours_of
from weakties.insights import network
from weakties.insights.lookup import find_person
from weakties.insights.network import MODERATE_LEG, STRONG_LEG, Network, leg_words
from weakties.store import derived

THREE_HOP_FACTOR = 0.5
"""What a path through two introducers keeps of its weakest leg."""

PATHS_PER_TARGET = 3
"""Most paths shown to one person of a target organisation (so that one well-connected
person does not fill the list)."""


@dataclass(frozen=True, slots=True)
class Target:
    """Whom the user wants to reach: one person, or the people of an organisation."""

    label: str
    people: tuple[int, ...]
    organisation: str | None = None


@dataclass(frozen=True, slots=True)
class Path:
    """One way to reach a target person from a user."""

    user: int
    people: tuple[int, ...]  # the introducers, in order
    target: int
    legs: tuple[float, ...]
    score: float

    @property
    def hops(self) -> int:
        return len(self.people) + 1


def find_target(con: duckdb.DuckDBPyConnection, text: str) -> Target:
    """A person (address, name or id) or an organisation (domain or name)."""
    query = text.strip()
    if not query:
        raise InputError("No target given.", "Pass a person (address or name) or a company.")
    org = _organisation(con, query)
    if org is not None:
        return org
    try:
        person = find_person(con, query)
    except NotFoundError:
        raise NotFoundError(
            f"Nobody and no organisation called {query!r} is in the store.",
            "Try `weakties people --search ...`, or an e-mail domain such as acme.com.",
        ) from None
    name = con.execute("SELECT display_name FROM people WHERE person_id = ?", [person]).fetchall()
    return Target(str(name[0][0]) if name else query, (person,))


def _organisation(con: duckdb.DuckDBPyConnection, query: str) -> Target | None:
    if "@" in query:
        return None
    rows = con.execute(
        """
        SELECT o.org_domain, o.name FROM organisations o
        WHERE lower(o.org_domain) = lower($q) OR lower(o.name) = lower($q)
           OR lower(o.org_domain) = lower($q) || '.com'
        ORDER BY o.n_people DESC LIMIT 1
        """,
        {"q": query},
    ).fetchall()
    if not rows:
        return None
    domain, name = str(rows[0][0]), str(rows[0][1])
    members = con.execute(
        "SELECT person_id FROM people WHERE org_domain = ? AND NOT automated AND NOT is_owner",
        [domain],
    ).fetchall()
    if not members:
        return None
    return Target(f"{name} ({domain})", tuple(int(r[0]) for r in members), domain)


def users(con: duckdb.DuckDBPyConnection, *, as_owner: str | None, team: bool) -> list[int]:
    """Whose view the paths start from: one owner, every owner (a team), or the store's
    one owner."""
    owners = [
        int(r[0]) for r in con.execute("SELECT person_id FROM people WHERE is_owner").fetchall()
    ]
    if as_owner is not None:
        chosen = find_person(con, as_owner)
        if chosen not in owners:
            raise InputError(
                f"{as_owner!r} is not an owner of this store.",
                "Pass one of the owners (see `weakties sources`) or --team.",
            )
        return [chosen]
    if not owners:
        raise InputError(
            "This store has no owner, so there is no 'you' to start from.",
            "Name your addresses with `weakties init --me ADDRESS`.",
        )
    if team or len(owners) == 1:
        return owners
    raise InputError(
        f"This store holds {len(owners)} owners' mail.",
        "Pass --as OWNER for one owner's view, or --team for paths through any of them.",
    )


def paths(
    net: Network, user_ids: list[int], target: Target, *, limit: int | None = 10
) -> list[Path]:
    """Ranked introduction paths from any of ``user_ids`` to any person of ``target``."""
    found = [p for t in target.people for u in user_ids if u != t for p in _two_hops(net, u, t)]
    found = _best_first(found, per_target=PATHS_PER_TARGET if len(target.people) > 1 else None)
    return found[:limit] if limit else found


def _two_hops(net: Network, user: int, target: int) -> list[Path]:
    g = net.graph
    if not (g.has_person(user) and g.has_person(target)):
        return []
    middle, near, far = common_neighbours_of(g, g.vertex(user), g.vertex(target))
    people = g.person_ids[middle].tolist()
    return [
        Path(user, (int(m),), target, (a, b), min(a, b))
        for m, a, b in zip(people, near.tolist(), far.tolist(), strict=True)
    ]


def three_hops(
    con: duckdb.DuckDBPyConnection, net: Network, user_ids: list[int], target: Target
) -> tuple[list[Path], pa.Table]:
    """Paths through two introducers: one of the user's contacts, then one of the target's,
    joined by a tie of their own (looked up in the store: neither end need be near), and
    those ties (rows of ``ties_between``)."""
    firsts = {u: net.neighbours(u) for u in user_ids}
    lasts = {t: net.neighbours(t) for t in target.people}
    starts = np.unique(np.concatenate([*firsts.values(), np.empty(0, np.int64)]))
    ends = np.unique(np.concatenate([*lasts.values(), np.empty(0, np.int64)]))
    exclude = np.asarray(user_ids, dtype=np.int64)
    starts, ends = np.setdiff1d(starts, exclude), np.setdiff1d(ends, exclude)
    if not starts.size or not ends.size:
        return [], pa.table({})
    links = derived.ties_between(con, starts.tolist(), ends.tolist())
    a = links.column("person_id").to_numpy()
    b = links.column("other").to_numpy()
    middle = np.nan_to_num(links.column("strength").to_numpy(zero_copy_only=False))
    out: list[Path] = []
    for u, mine in firsts.items():
        for t, theirs in lasts.items():
            keep = np.isin(a, mine) & np.isin(b, theirs) & (a != b) & (a != t)
            for x, y, w in zip(
                a[keep].tolist(), b[keep].tolist(), middle[keep].tolist(), strict=True
            ):
                legs = (net.strength(u, x), float(w), net.strength(y, t))
                out.append(Path(u, (x, y), t, legs, min(legs) * THREE_HOP_FACTOR))
    return out, links


def with_middle_legs(net: Network, links: pa.Table, found: list[Path]) -> Network:
    """``net`` with the introducers' own ties of the three-hop paths in ``found`` (ties
    that touch neither end, so the network around the ends lacks them), so that each
    path's middle leg can be told in words."""
    wanted = {p.people for p in found if len(p.people) == 2 and net.edge(*p.people) < 0}
    if not wanted:
        return net
    a = links.column("person_id").to_numpy()
    b = links.column("other").to_numpy()
    rows = [i for i, pair in enumerate(zip(a.tolist(), b.tolist(), strict=True)) if pair in wanted]
    return network.with_ties(net, links.take(rows))


def _best_first(found: list[Path], per_target: int | None) -> list[Path]:
    found.sort(key=lambda p: (-p.score, -float(np.prod(p.legs)), p.people, p.target))
    if per_target is None:
        return found
    shown: dict[int, int] = {}
    kept = []
    for p in found:
        shown[p.target] = shown.get(p.target, 0) + 1
        if shown[p.target] <= per_target:
            kept.append(p)
    return kept


def tier(score: float) -> str:
    """strong, moderate or weak, by the path's weakest leg."""
    if score >= STRONG_LEG:
        return "strong"
    return "moderate" if score >= MODERATE_LEG else "weak"


def intro_table(
    con: duckdb.DuckDBPyConnection,
    text: str,
    *,
    as_owner: str | None = None,
    team: bool = False,
    limit: int | None = 10,
) -> pa.Table:
    """Ranked introduction paths to ``text`` (a person or an organisation) as rows."""
    derived.require_current(con, _model())
    target = find_target(con, text)
    user_ids = users(con, as_owner=as_owner, team=team)
    net = network.around(con, [*user_ids, *target.people], hops=1)
    direct = [(u, t) for u in user_ids for t in target.people if net.edge(u, t) >= 0]
    found = paths(net, user_ids, target, limit=limit)
    if limit is None or len(found) < limit:
        three, links = three_hops(con, net, user_ids, target)
        more = _best_first(three, None)[: (limit - len(found)) if limit else None]
        found += more
        net = with_middle_legs(net, links, more)
    return _rows(net, target, direct, found, speaker=user_ids[0] if len(user_ids) == 1 else None)


def _model() -> str:
    from weakties.ties import MODEL_VERSION

    return MODEL_VERSION


def _rows(
    net: Network,
    target: Target,
    direct: list[tuple[int, int]],
    found: list[Path],
    speaker: int | None,
) -> pa.Table:
    rows: list[dict[str, object]] = []
    for u, t in direct:
        rows.append(
            {
                "rank": 0, "tier": "direct", "confidence": "high", "hops": 1,
                "score": net.strength(u, t),
                "target": net.name(t), "target_id": t, "introducer": None,
                "introducer_id": None, "second_introducer": None, "through": net.name(u),
                "explanation": "already tied: " + leg_words(net, u, t, you=speaker),
            }
        )  # fmt: skip
    for rank, p in enumerate(found, 1):
        legs = [p.user, *p.people, p.target]
        words = [
            leg_words(net, legs[i + 1], legs[i + 2], you=speaker) for i in range(len(p.people))
        ]
        words.append(leg_words(net, p.user, p.people[0], you=speaker))
        rows.append(
            {
                "rank": rank, "tier": tier(p.score), "confidence": "high" if p.hops == 2 else "low",
                "hops": p.hops, "score": p.score, "target": net.name(p.target),
                "target_id": p.target, "introducer": net.name(p.people[0]),
                "introducer_id": p.people[0],
                "second_introducer": net.name(p.people[1]) if len(p.people) > 1 else None,
                "through": net.name(p.user), "explanation": "; ".join(words),
            }
        )  # fmt: skip
    return _arrow(rows)


_TYPES = {
    "rank": pa.int64(), "tier": pa.string(), "confidence": pa.string(), "hops": pa.int64(),
    "score": pa.float64(), "target": pa.string(), "target_id": pa.int64(),
    "introducer": pa.string(), "introducer_id": pa.int64(), "second_introducer": pa.string(),
    "through": pa.string(), "explanation": pa.string(),
}  # fmt: skip


def _arrow(rows: list[dict[str, object]]) -> pa.Table:
    return pa.table({k: pa.array([r[k] for r in rows], t) for k, t in _TYPES.items()})
