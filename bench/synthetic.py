"""A generated organisation's interaction log, at any size, for the speed benches.

People belong to teams (communities of a few to a few hundred, sizes drawn from a power
law) inside organisations (the largest is "ours"; the others are accounts, each with a
domain). Activity is heavy-tailed (a Pareto draw per person), most contact stays inside
a team, some crosses teams, a little crosses organisations. A few people of "ours" are
the owners (a team's mailboxes). Names are drawn from small pools so that names repeat
as real ones do; addresses carry no digit runs, unless ``staff_ids`` numbers every
mailbox as many organisations do (``p100000@ours.example``).

Written as a weakties interaction log (CSV) in time order, streamed, so that tens of
millions of rows take little memory. Deterministic for a seed.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

FIRST = [
    "ana",
    "bo",
    "cy",
    "dee",
    "eve",
    "fay",
    "gil",
    "hal",
    "ida",
    "jon",
    "kai",
    "lea",
    "max",
    "nia",
    "oli",
    "pam",
    "quin",
    "rae",
    "sam",
    "tia",
    "uma",
    "vic",
    "wes",
    "xia",
    "yan",
    "zoe",
    "amir",
    "bea",
    "carl",
    "dina",
    "emil",
    "fiona",
    "gus",
    "hana",
    "ivan",
    "jana",
    "karl",
    "lina",
    "mona",
    "nils",
    "omar",
    "petra",
    "rosa",
    "sven",
    "tara",
    "ugo",
    "vera",
    "willa",
    "yara",
    "zeno",
]
LAST = [
    "abara",
    "baker",
    "chen",
    "diaz",
    "evans",
    "fischer",
    "garcia",
    "haddad",
    "ito",
    "jensen",
    "kim",
    "lopez",
    "moreau",
    "novak",
    "okafor",
    "patel",
    "quinn",
    "rossi",
    "singh",
    "tanaka",
    "ueda",
    "varga",
    "weber",
    "xu",
    "yilmaz",
    "zhou",
    "andersen",
    "brooks",
    "castro",
    "dubois",
    "eriksen",
    "ferrari",
    "gomez",
    "hoffmann",
    "ivanova",
    "jovanovic",
    "kowalski",
    "larsen",
    "meyer",
    "nakamura",
    "olsen",
    "petrov",
    "ramos",
    "santos",
    "torres",
    "umar",
    "vogel",
    "walsh",
    "young",
    "zeller",
]
START = 1_700_000_000  # 2023-11-14
YEAR = 365 * 86400


@dataclass(frozen=True, slots=True)
class Shape:
    """How big an organisation to generate."""

    people: int
    interactions: int
    owners: int = 10
    organisations: int = 2000
    seed: int = 7
    staff_ids: bool = False  # p100000@ours.example instead of ana.chen.a@ours.example


def _letters(n: int) -> str:
    """A digit-free tag for a number: 0 -> a, 25 -> z, 26 -> ba ..."""
    out = ""
    while True:
        out = chr(97 + n % 26) + out
        n //= 26
        if n == 0:
            return out


def generate(shape: Shape, path: Path) -> dict[str, int]:
    """Write the log to ``path``; returns counts of people, teams, organisations, rows."""
    rng = np.random.default_rng(shape.seed)
    team_of, org_of = _structure(shape, rng)
    activity = rng.pareto(1.5, shape.people) + 1.0
    emails = _emails(shape, rng, org_of)
    by_team = _members(team_of)
    partial = path.with_suffix(".partial")
    rows = 0
    with partial.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(("timestamp", "channel", "sender", "recipients", "duration_s"))
        times = np.sort(rng.integers(START, START + YEAR, shape.interactions))
        senders = rng.choice(shape.people, shape.interactions, p=activity / activity.sum())
        for chunk in range(0, shape.interactions, 100_000):
            stop = min(chunk + 100_000, shape.interactions)
            rows += _write_chunk(
                out, rng, times[chunk:stop], senders[chunk:stop], team_of, org_of, by_team, emails
            )
    os.replace(partial, path)
    return {
        "people": shape.people,
        "teams": len(by_team),
        "organisations": int(org_of.max()) + 1,
        "rows": rows,
    }


def _structure(shape: Shape, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Each person's team and organisation: team sizes from a power law, teams dealt to
    organisations (organisation 0, ours, takes the first fifth of the teams)."""
    sizes: list[int] = []
    while sum(sizes) < shape.people:
        sizes.append(int(min(400, 3 + rng.pareto(1.3) * 6)))
    team_of = np.repeat(np.arange(len(sizes)), sizes)[: shape.people]
    rng.shuffle(team_of)
    n_teams = len(sizes)
    ours = max(1, n_teams // 5)
    team_org = np.concatenate(
        [np.zeros(ours, dtype=np.int64), 1 + rng.integers(0, shape.organisations, n_teams - ours)]
    )
    return team_of, team_org[team_of]


def _emails(shape: Shape, rng: np.random.Generator, org_of: np.ndarray) -> list[str]:
    first = rng.integers(0, len(FIRST), shape.people)
    last = rng.integers(0, len(LAST), shape.people)
    domains = ["ours" if o == 0 else "org" + _letters(int(o)) for o in org_of.tolist()]
    if shape.staff_ids:
        return [f"p{100000 + i}@{d}.example" for i, d in enumerate(domains)]
    return [
        f"{FIRST[f]}.{LAST[s]}.{_letters(i)}@{d}.example"
        for i, (f, s, d) in enumerate(zip(first, last, domains, strict=True))
    ]


def owner_addresses(shape: Shape, path: Path) -> list[str]:
    """The owners: the first ``shape.owners`` senders of ours in the log."""
    found: list[str] = []
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if "@ours." in row["sender"] and row["sender"] not in found:
                found.append(row["sender"])
                if len(found) == shape.owners:
                    break
    return found


def _members(team_of: np.ndarray) -> list[np.ndarray]:
    order = np.argsort(team_of, kind="stable")
    bounds = np.flatnonzero(np.diff(team_of[order])) + 1
    return np.split(order, bounds)


def _write_chunk(
    out: csv.writer,  # type: ignore[valid-type]
    rng: np.random.Generator,
    times: np.ndarray,
    senders: np.ndarray,
    team_of: np.ndarray,
    org_of: np.ndarray,
    by_team: list[np.ndarray],
    emails: list[str],
) -> int:
    n = times.size
    where = rng.random(n)
    sizes = np.minimum(1 + rng.geometric(0.6, n) - 1, 8)
    rows = []
    for t, s, w, k in zip(
        times.tolist(), senders.tolist(), where.tolist(), sizes.tolist(), strict=True
    ):
        if w < 0.8:
            pool = by_team[team_of[s]]
        elif w < 0.97:
            pool = by_team[int(rng.integers(0, len(by_team)))]
        else:
            pool = by_team[team_of[int(rng.integers(0, team_of.size))]]
        picks = pool[rng.integers(0, pool.size, k)]
        to = sorted({int(p) for p in picks.tolist() if p != s})
        if not to:
            continue
        rows.append((t, "email", emails[s], ";".join(emails[p] for p in to), ""))
    out.writerows(rows)  # type: ignore[attr-defined]
    return len(rows)
