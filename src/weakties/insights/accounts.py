"""Accounts and deal coverage: who on the team knows whom at an organisation, and which
organisations hang on a single thread.

An organisation's people are those whose addresses are at its domain (never a free-mail
provider) or whose contact card names it. A person is *covered* in a window when some
owner of the store (a teammate) had two-way contact with them in it: both wrote, or they
met or spoke (see :mod:`weakties.channels`). Coverage over the last
:data:`WINDOW_DAYS` days before the analysis's ``as_of``: *dark* (no one covered),
*single-threaded* (one), *thin* (two), *covered* (three or more) — the usual account
planning reading that a deal resting on one relationship is at risk. The trend compares
with the :data:`WINDOW_DAYS` days before that.
"""

from __future__ import annotations

from collections import defaultdict

import duckdb
import pyarrow as pa

from weakties.errors import InputError
from weakties.insights.intro import find_target
from weakties.store import derived

WINDOW_DAYS = derived.COVERAGE_DAYS
CLASSES = ("dark", "single-threaded", "thin", "covered")


def coverage_class(n: int) -> str:
    """dark, single-threaded, thin or covered, for ``n`` people covered."""
    return CLASSES[min(n, 3)]


def _contacts(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """The owners' contacts in both coverage windows, as counted by the analysis."""
    from weakties.ties import MODEL_VERSION

    derived.require_current(con, MODEL_VERSION)
    return derived.owner_contacts(con)


def _covered(table: pa.Table, *, later: bool = False) -> dict[int, set[int]]:
    """Person -> the owners who had two-way contact with them (in the ``later`` window
    of :func:`~weakties.store.derived.owner_contacts`, or the earlier one)."""
    out: dict[int, set[int]] = defaultdict(set)
    for r in table.to_pylist():
        if bool(r["later"]) == later and ((r["sent"] and r["received"]) or r["mutual"]):
            out[int(r["person"])].add(int(r["owner"]))
    return out


def accounts_table(con: duckdb.DuckDBPyConnection, *, limit: int | None = None) -> pa.Table:
    """Every organisation with its coverage now and the window before, riskiest first."""
    both = _contacts(con)
    now, then = _covered(both, later=True), _covered(both)
    members = derived.organisation_members(con)
    rows = []
    for org, people in members.items():
        covered = sum(1 for p in people if now.get(p))
        earlier = sum(1 for p in people if then.get(p))
        owners = {o for p in people for o in now.get(p, ())}
        rows.append((org, len(people), covered, earlier, len(owners)))
    history = derived.organisation_history(con)
    rows.sort(key=lambda r: (history.get(r[0], 0) == 0, min(r[2], 3), r[2] - r[3], -r[1], r[0]))
    if limit:
        rows = rows[:limit]
    return pa.table(
        {
            "organisation": pa.array([r[0] for r in rows], pa.string()),
            "coverage": pa.array([coverage_class(r[2]) for r in rows], pa.string()),
            "covered_people": pa.array([r[2] for r in rows], pa.int64()),
            "previous": pa.array([r[3] for r in rows], pa.int64()),
            "trend": pa.array([r[2] - r[3] for r in rows], pa.int64()),
            "known_people": pa.array([r[1] for r in rows], pa.int64()),
            "teammates": pa.array([r[4] for r in rows], pa.int64()),
            "ever_covered": pa.array([history.get(r[0], 0) for r in rows], pa.int64()),
            "explanation": pa.array([_explain(r, history.get(r[0], 0)) for r in rows], pa.string()),
        }
    )


def _explain(row: tuple[str, int, int, int, int], ever: int) -> str:
    _, known, covered, earlier, owners = row
    people = f"{covered} of {known} known {'person' if known == 1 else 'people'}"
    text = f"{people} in two-way contact in the last {WINDOW_DAYS} days"
    if owners:
        text += f" (by {owners} teammate{'s' if owners != 1 else ''})"
    if covered != earlier:
        text += f"; {earlier} in the {WINDOW_DAYS} days before"
    if covered == 0 and ever:
        text += f"; {ever} had a two-way tie before: the account has gone dark"
    elif covered == 1:
        text += "; one relationship carries the account"
    return text


def account_table(con: duckdb.DuckDBPyConnection, text: str) -> pa.Table:
    """Everyone known at one organisation, with the teammate who knows them best."""
    target = find_target(con, text)
    if target.organisation is None:
        raise InputError(
            f"{text!r} is a person, not an organisation.",
            "Pass a company name or an e-mail domain such as acme.com.",
        )
    now = _covered(_contacts(con), later=True)
    rows = derived.best_teammates(con, list(target.people)).to_pylist()
    for r in rows:
        r["covered_now"] = bool(now.get(int(r["person_id"])))
    rows.sort(key=lambda r: (-(r["strength"] or 0.0), r["person"]))
    names = ("person", "person_id", "title", "teammate", "strength", "band", "last_two_way",
             "covered_now")  # fmt: skip
    return pa.table({n: [r.get(n) for r in rows] for n in names}) if rows else _empty()


def _empty() -> pa.Table:
    return pa.table(
        {
            "person": pa.array([], pa.string()), "person_id": pa.array([], pa.int64()),
            "title": pa.array([], pa.string()), "teammate": pa.array([], pa.string()),
            "strength": pa.array([], pa.float64()), "band": pa.array([], pa.string()),
            "last_two_way": pa.array([], pa.timestamp("us", tz="UTC")),
            "covered_now": pa.array([], pa.bool_()),
        }
    )  # fmt: skip
