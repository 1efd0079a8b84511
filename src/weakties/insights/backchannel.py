"""Back channels: who can give the user a candid view of a stakeholder.

A candid view comes from someone close to the stakeholder but not in the game with
them: close, because they exchange one-to-one (not only in group threads); outside the
stakeholder's own team (their community in the graph) and, for someone at another
organisation, outside that organisation; not in the formal threads the user already
shares with the stakeholder; and reachable by the user privately, by a two-way tie of
their own or through one introducer (ranked lower).

Score: how close the candidate is to the stakeholder (tie strength scaled by how much
of their contact is one-to-one) times how open the user's channel to the candidate is
(the tie's strength, scaled the same way; through an introducer, the path's weakest
leg, halved). Both factors are needed: a stakeholder's confidant the user cannot reach,
or a friend of the user's who hardly knows the stakeholder, is no back channel.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa

from weakties.errors import InputError
from weakties.insights import network
from weakties.insights.intro import Target, find_target, users
from weakties.insights.network import Network, leg_words
from weakties.store import derived

PRIVATE_FLOOR = 0.2
"""Least share of one-to-one contact for a tie to count as a private channel."""

VIA_INTRODUCER = 0.5
"""What a channel through an introducer keeps of its weakest leg."""

STAKEHOLDERS_PER_ORGANISATION = 3
"""For an organisation, the back channels around this many of its best-connected people."""


@dataclass(frozen=True, slots=True)
class Channel:
    """A candidate back channel around one stakeholder."""

    stakeholder: int
    person: int
    closeness: float  # to the stakeholder
    access: float  # the user's way in
    via: int | None  # the introducer, when the user has no private tie of their own
    owner: int

    @property
    def score(self) -> float:
        return self.closeness * self.access


def _private(row: dict[str, Any] | None) -> float:
    """A tie's strength scaled by its one-to-one share; 0 below :data:`PRIVATE_FLOOR`."""
    if row is None:
        return 0.0
    share = float(row["one_to_one_share"] or 0.0)
    return float(row["strength"] or 0.0) * share if share >= PRIVATE_FLOOR else 0.0


def channels(
    con: duckdb.DuckDBPyConnection,
    net: Network,
    stakeholder: int,
    user_ids: list[int],
    shared: set[int],
) -> list[Channel]:
    """Back channels around ``stakeholder``, from ``net`` (the ties around the stakeholder
    and the users) and, for candidates without a private tie to a user, the store's ties
    between the users' contacts and them."""
    s = net.people.get(stakeholder)
    close: dict[int, float] = {}
    for c in net.neighbours(stakeholder).tolist():
        who = net.people.get(c)
        if who is None or c in user_ids or c in shared:
            continue
        if s is not None and not _outside(s, who, net, user_ids):
            continue
        closeness = _private(net.tie_row(stakeholder, c))
        if closeness > 0:
            close[c] = closeness
    found = [
        Channel(stakeholder, c, closeness, *best)
        for c, closeness in close.items()
        if (best := _direct(net, c, user_ids)) is not None
    ]
    missing = [c for c in close if all(ch.person != c for ch in found)]
    found += [
        Channel(stakeholder, c, close[c], access, via, owner)
        for c, (access, via, owner) in _introduced(con, net, missing, user_ids).items()
    ]
    found.sort(key=lambda ch: (-ch.score, ch.person))
    return found


def _outside(s: network.Person, c: network.Person, net: Network, user_ids: list[int]) -> bool:
    """Whether ``c`` is outside the stakeholder's team and, for someone at another
    organisation than the user's, outside that organisation."""
    if s.community_id is not None and s.community_id == c.community_id:
        return False
    ours = {net.people[u].organisation for u in user_ids if u in net.people}
    return not (s.organisation and s.organisation not in ours and c.organisation == s.organisation)


def _direct(net: Network, c: int, user_ids: list[int]) -> tuple[float, None, int] | None:
    """The user's private tie to ``c``: (its weight, no introducer, the owner)."""
    best = max(((_private(net.tie_row(u, c)), u) for u in user_ids), default=(0.0, 0))
    return (best[0], None, best[1]) if best[0] > 0 else None


def _introduced(
    con: duckdb.DuckDBPyConnection, net: Network, targets: list[int], user_ids: list[int]
) -> dict[int, tuple[float, int, int]]:
    """For each of ``targets``, the best private way in through one of the users' contacts:
    (weakest leg x :data:`VIA_INTRODUCER`, the introducer, the owner)."""
    if not targets:
        return {}
    near = {u: net.neighbours(u).tolist() for u in user_ids}
    middles = sorted({m for ms in near.values() for m in ms} - set(targets))
    links = derived.ties_between(con, middles, targets).to_pylist()
    best: dict[int, tuple[float, int, int]] = {}
    for row in links:
        m, c = int(row["person_id"]), int(row["other"])
        far = _private(row)
        for u, mine in near.items():
            if m in mine:
                leg = min(_private(net.tie_row(u, m)), far) * VIA_INTRODUCER
                if leg > 0 and leg > best.get(c, (0.0, 0, 0))[0]:
                    best[c] = (leg, m, u)
    return best


def backchannel_table(
    con: duckdb.DuckDBPyConnection,
    text: str,
    *,
    as_owner: str | None = None,
    team: bool = False,
    limit: int | None = 10,
) -> pa.Table:
    """Ranked back channels around a person or an organisation's key people."""
    from weakties.ties import MODEL_VERSION

    derived.require_current(con, MODEL_VERSION)
    target = find_target(con, text)
    user_ids = users(con, as_owner=as_owner, team=team)
    stakeholders = _stakeholders(con, target)
    if set(stakeholders) & set(user_ids):
        raise InputError("That is you.", "Name a stakeholder other than yourself.")
    net = network.around(con, [*stakeholders, *user_ids], hops=1)
    found: list[Channel] = []
    for s in stakeholders:
        shared = derived.co_participants(con, user_ids, [s])
        found.extend(channels(con, net, s, user_ids, shared))
    found.sort(key=lambda ch: (-ch.score, ch.person))
    found = _one_per_person(found)
    speaker = user_ids[0] if len(user_ids) == 1 else None
    return _table(net, found[:limit] if limit else found, speaker)


def _stakeholders(con: duckdb.DuckDBPyConnection, target: Target) -> list[int]:
    """The person, or an organisation's best-connected people (its likely decision makers:
    the most ties in the analysed graph)."""
    if target.organisation is None:
        return list(target.people)
    people = derived.people_facts(con, list(target.people)).to_pylist()
    ranked = sorted(people, key=lambda r: (-(r["degree"] or 0), r["name"]))
    return [int(r["person_id"]) for r in ranked[:STAKEHOLDERS_PER_ORGANISATION]]


def _one_per_person(found: list[Channel]) -> list[Channel]:
    seen: set[int] = set()
    kept = []
    for ch in found:
        if ch.person not in seen:
            seen.add(ch.person)
            kept.append(ch)
    return kept


def _table(net: Network, found: list[Channel], speaker: int | None) -> pa.Table:
    rows = {
        "rank": [i for i, _ in enumerate(found, 1)],
        "person": [net.name(c.person) for c in found],
        "person_id": [c.person for c in found],
        "organisation": [_org(net, c.person) for c in found],
        "stakeholder": [net.name(c.stakeholder) for c in found],
        "score": [c.score for c in found],
        "closeness": [c.closeness for c in found],
        "access": [c.access for c in found],
        "introducer": [net.name(c.via) if c.via else None for c in found],
        "through": [net.name(c.owner) for c in found],
        "explanation": [_explain(net, c, speaker) for c in found],
    }
    types = {"rank": pa.int64(), "person_id": pa.int64(), "score": pa.float64(),
             "closeness": pa.float64(), "access": pa.float64()}  # fmt: skip
    return pa.table({k: pa.array(v, types.get(k, pa.string())) for k, v in rows.items()})


def _org(net: Network, person: int) -> str | None:
    who = net.people.get(person)
    return who.organisation if who else None


def _explain(net: Network, c: Channel, speaker: int | None) -> str:
    row = net.tie_row(c.stakeholder, c.person) or {}
    name, other = net.name(c.person), net.name(c.stakeholder)
    rhythm = _rhythm(row)
    parts = [f"{name} and {other} write one-to-one {rhythm}"]
    where = _where(net, c)
    if where:
        parts.append(where)
    if c.via is None:
        parts.append(leg_words(net, c.owner, c.person, you=speaker))
    else:
        parts.append(
            f"through {net.name(c.via)}: "
            + leg_words(net, c.owner, c.via, you=speaker)
            + f"; {net.name(c.via)} and {net.name(c.person)} write one-to-one"
        )
    return "; ".join(parts)


def _rhythm(row: dict[str, Any]) -> str:
    """How often two people are in touch, from active weeks over the tie's span."""
    weeks = float(row.get("active_weeks") or 0.0)
    span = max(float(row.get("duration_days") or 0.0) / 7.0, 1.0)
    share = weeks / span
    if share >= 0.6:
        return "every week"
    if share >= 0.25:
        return "every month or so"
    return "now and then"


def _where(net: Network, c: Channel) -> str:
    p, s = net.people.get(c.person), net.people.get(c.stakeholder)
    if p is None or s is None:
        return ""
    first, second = net.name(c.person), net.name(c.stakeholder)
    if p.organisation and s.organisation and p.organisation != s.organisation:
        return f"{first} is at {p.organisation}, {second} at {s.organisation}"
    if p.community and s.community and p.community_id != s.community_id:
        return f"{first} works in another group ({p.community.split(' · ', 1)[-1]})"
    return ""
