"""The user's merges and splits of people, kept across ingest and every rebuild.

A verdict names two addresses, not person ids (person ids change when identities
are resolved again), and says they are one person (``same``: ``weakties merge``) or
never one person (``apart``: ``weakties split``). Resolution applies them before any
evidence: a merge is not refused by the guards against over-merging, and a split
keeps its two addresses apart whatever the evidence that merged them
(:mod:`weakties.identity.resolve`). The newest verdict on two people replaces the
older ones between their addresses.
"""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb

from weakties.errors import InputError, NotFoundError
from weakties.identity.rebuild import rebuild_people
from weakties.store.db import first_row

SAME, APART = "same", "apart"


def merge_people(
    con: duckdb.DuckDBPyConnection, person_a: int, person_b: int, anchors: tuple[str, str]
) -> None:
    """Make two people one, for good: ``anchors`` are an address of each (the ones the
    user named, or their primary addresses). Earlier splits between them are dropped.
    Rebuilds people."""
    if person_a == person_b:
        raise InputError(
            f"{anchors[0]} and {anchors[1]} are already one person.", "Name two people."
        )
    ours, theirs = addresses_of(con, person_a), addresses_of(con, person_b)
    pairs = [_pair(a, b) for a in ours for b in theirs]
    _write(con, drop=(APART, pairs), verdict=SAME, pairs=[_pair(*anchors)])


def split_person(
    con: duckdb.DuckDBPyConnection, person_id: int, address: str
) -> tuple[str, list[str]]:
    """Take ``address`` out of a person, for good: it is kept apart from each of the
    person's other addresses, and earlier merges that joined them are dropped.
    Rebuilds people; returns the address taken out (as stored) and those left."""
    addresses = addresses_of(con, person_id)
    taken = _among(address, addresses)
    others = [a for a in addresses if a != taken]
    if not others:
        raise InputError(
            f"{taken} is the only address of {_name(con, person_id)}.",
            "Split an address out of a person who has several.",
        )
    pairs = [_pair(taken, other) for other in others]
    _write(con, drop=(SAME, pairs), verdict=APART, pairs=pairs)
    return taken, others


def addresses_of(con: duckdb.DuckDBPyConnection, person_id: int) -> list[str]:
    """A person's addresses, sorted."""
    rows = con.execute(
        "SELECT address FROM identities WHERE person_id = ? ORDER BY address", [person_id]
    ).fetchall()
    return [str(r[0]) for r in rows]


def primary_address(con: duckdb.DuckDBPyConnection, person_id: int) -> str:
    """The address a person is best known by."""
    row = first_row(
        con.execute("SELECT primary_address FROM people WHERE person_id = ?", [person_id])
    )
    if row is None:
        raise NotFoundError(f"No person {person_id} in the store.", "See `weakties people`.")
    return str(row[0])


def anchor(con: duckdb.DuckDBPyConnection, text: str, person_id: int) -> str:
    """The address to key a verdict on a person by: ``text`` when it is one of theirs
    (the user named an address), else the person's primary address."""
    try:
        return _among(text, addresses_of(con, person_id))
    except InputError:
        return primary_address(con, person_id)


def _among(address: str, addresses: list[str]) -> str:
    """``address`` as the person spells it (an e-mail address in any case)."""
    text = address.strip().strip("<>").strip()
    for candidate in (text, text.lower()):
        if candidate in addresses:
            return candidate
    raise InputError(
        f"{text} is not one of this person's addresses ({', '.join(addresses)}).",
        "Name one of the addresses `weakties people` lists for them.",
    )


def _name(con: duckdb.DuckDBPyConnection, person_id: int) -> str:
    row = first_row(con.execute("SELECT display_name FROM people WHERE person_id = ?", [person_id]))
    return str(row[0]) if row else str(person_id)


def _pair(a: str, b: str) -> tuple[str, str]:
    first, second = sorted((a, b))
    return first, second


def _write(
    con: duckdb.DuckDBPyConnection,
    *,
    drop: tuple[str, list[tuple[str, str]]],
    verdict: str,
    pairs: list[tuple[str, str]],
) -> None:
    """Drop the contrary verdicts on ``drop``'s pairs and record ``verdict`` on ``pairs``
    in one transaction, then rebuild people (should that fail, the store's stamp tells
    the next ingest or analysis to rebuild them)."""
    now = datetime.now(UTC)
    con.execute("BEGIN TRANSACTION")
    try:
        contrary, dropped = drop
        if dropped:
            con.executemany(
                "DELETE FROM identity_verdicts WHERE address = ? AND other = ? AND verdict = ?",
                [[a, b, contrary] for a, b in dropped],
            )
        con.executemany(
            "INSERT OR REPLACE INTO identity_verdicts VALUES (?, ?, ?, ?)",
            [[a, b, verdict, now] for a, b in pairs],
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    rebuild_people(con)
