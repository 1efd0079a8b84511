"""The user's keep-in-touch commands: cadences, done, snooze; and the days they name.

Each turns what the user typed (a person, an organisation, a community, a period, a
date) into a fact of :mod:`weakties.store.followups`, or refuses it in one line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

import duckdb
import pyarrow as pa

from weakties.errors import InputError, NotFoundError
from weakties.insights.fading import viewer
from weakties.insights.lookup import find_person
from weakties.store import followups as facts

MAX_CADENCE_DAYS = 3650
_PERIOD = re.compile(r"^\s*(\d{1,5})\s*(d|day|days|w|week|weeks|m|month|months|y|year|years)?\s*$")
_UNIT_DAYS = {"d": 1, "w": 7, "m": 30, "y": 365}


@dataclass(frozen=True, slots=True)
class CadenceTarget:
    """What a cadence is about, as the store keys it and as the user reads it."""

    kind: str  # person, organisation, community
    target: str  # an address, a domain, an address of a community member
    label: str


def parse_period(text: str) -> int:
    """Days in ``30d``, ``2w``, ``3m`` (30 days each), ``1y`` or a bare number of days."""
    found = _PERIOD.match(text.lower())
    days = int(found.group(1)) * _UNIT_DAYS[(found.group(2) or "d")[0]] if found else 0
    if not 1 <= days <= MAX_CADENCE_DAYS:
        raise InputError(
            f"Not a cadence: {text!r}.", "Give a period such as 30d, 2w, 3m or 1y (up to 10y)."
        )
    return days


def parse_day(text: str | None, *, what: str = "date") -> date:
    """A day written YYYY-MM-DD; today (UTC) when ``text`` is None."""
    if text is None:
        return datetime.now(UTC).date()
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise InputError(f"Not a {what}: {text!r}.", "Use YYYY-MM-DD.") from exc


def cadence_target(con: duckdb.DuckDBPyConnection, text: str, *, community: bool) -> CadenceTarget:
    """An organisation (domain or name) or a person; with ``community``, a community
    (its label) or the community of a person."""
    query = text.strip()
    if not query:
        raise InputError("No one given.", "Pass a person, an organisation or a community.")
    if community:
        return _community(con, query)
    org = con.execute(
        "SELECT org_domain, name FROM organisations WHERE lower(org_domain) = lower($q) "
        "OR lower(name) = lower($q) ORDER BY n_people DESC LIMIT 1",
        {"q": query},
    ).fetchall()
    if org and "@" not in query:
        return CadenceTarget("organisation", str(org[0][0]), f"{org[0][1]} ({org[0][0]})")
    person = find_person(con, query)
    return CadenceTarget("person", _address(con, person), _name(con, person))


def set_cadence(
    con: duckdb.DuckDBPyConnection, as_owner: str | None, text: str, every: str, *,
    community: bool = False,
) -> tuple[CadenceTarget, int | None]:  # fmt: skip
    """Set a cadence (``every`` a period, or ``off`` to remove it); returns the target
    and the days (None when removed)."""
    owner = _owner(con, as_owner)
    target = cadence_target(con, text, community=community)
    if every.strip().lower() in ("off", "none", "0"):
        if not facts.remove_cadence(con, owner, target.kind, target.target):
            raise NotFoundError(
                f"There is no cadence for {target.label}.", "See `weakties cadence`."
            )
        return target, None
    days = parse_period(every)
    facts.set_cadence(con, owner, target.kind, target.target, days, datetime.now(UTC))
    return target, days


def cadences(con: duckdb.DuckDBPyConnection, as_owner: str | None) -> pa.Table:
    """The owner's cadences: kind, target, days, when set."""
    who = viewer(con, as_owner, required=True)
    assert who.person_id is not None
    rows = [
        {"kind": c.kind, "target": c.target, "days": c.days, "set_at": c.set_at}
        for c in facts.cadences(con, who.person_id)
    ]
    schema = pa.schema(
        [("kind", pa.string()), ("target", pa.string()), ("days", pa.int64()),
         ("set_at", pa.timestamp("us", tz="UTC"))]
    )  # fmt: skip
    return pa.Table.from_pylist(rows, schema=schema)


def done(
    con: duckdb.DuckDBPyConnection, as_owner: str | None, person: str, on: date | None = None
) -> str:
    """Record that the owner reached out to ``person`` (today, or ``on``); their name."""
    owner = _owner(con, as_owner)
    pid = find_person(con, person)
    when = datetime.combine(on, datetime.min.time(), UTC) if on else datetime.now(UTC)
    facts.record(con, owner, _address(con, pid), "done", when)
    return _name(con, pid)


def snooze(
    con: duckdb.DuckDBPyConnection, as_owner: str | None, person: str, until: date, today: date
) -> str:
    """Put off nudges about ``person`` until ``until`` (a later day); their name."""
    if until <= today:
        raise InputError(
            f"{until.isoformat()} is not after today ({today.isoformat()}).",
            "Snooze until a later day.",
        )
    owner = _owner(con, as_owner)
    pid = find_person(con, person)
    facts.record(con, owner, _address(con, pid), "snooze", datetime.now(UTC), until)
    return _name(con, pid)


def _owner(con: duckdb.DuckDBPyConnection, as_owner: str | None) -> str:
    who = viewer(con, as_owner, required=True)
    assert who.person_id is not None
    return _address(con, who.person_id)


def _community(con: duckdb.DuckDBPyConnection, query: str) -> CadenceTarget:
    """A community by its label (anchored on its best-connected member), or a person's."""
    rows = con.execute(
        """
        SELECT c.label, p.primary_address FROM communities c
        JOIN person_metrics m USING (community_id) JOIN people p USING (person_id)
        WHERE lower(c.label) = lower(?) AND NOT p.automated
        ORDER BY m.degree DESC, p.person_id LIMIT 1
        """,
        [query],
    ).fetchall()
    if rows:
        return CadenceTarget("community", str(rows[0][1]), f"community {rows[0][0]}")
    person = find_person(con, query)
    label = con.execute(
        "SELECT c.label FROM person_metrics m JOIN communities c USING (community_id) "
        "WHERE m.person_id = ?",
        [person],
    ).fetchall()
    if not label:
        raise InputError(
            f"{query!r} is in no community.",
            "Run `weakties analyze`, or set the cadence on the person.",
        )
    return CadenceTarget("community", _address(con, person), f"community {label[0][0]}")


def _address(con: duckdb.DuckDBPyConnection, person_id: int) -> str:
    address = facts.primary_address(con, person_id)
    if address is None:
        raise NotFoundError(f"No person {person_id} in the store.", "See `weakties people`.")
    return address


def _name(con: duckdb.DuckDBPyConnection, person_id: int) -> str:
    row = con.execute("SELECT display_name FROM people WHERE person_id = ?", [person_id]).fetchall()
    return str(row[0][0]) if row else str(person_id)
