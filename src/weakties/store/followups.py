"""The user's keep-in-touch facts: cadences, follow-ups (done, snooze), nudges shown.

Written only here. Everything is keyed by addresses (the owner's, the person's, an
organisation's domain), never by person ids, so it survives re-ingest, identity
resolution and re-analysis; readers turn addresses back into the people of the day
through ``identities``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import duckdb

from weakties.channels import names_where, sql_list

CADENCE_KINDS = ("person", "organisation", "community")


@dataclass(frozen=True, slots=True)
class Cadence:
    """Be in touch with ``target`` at least every ``days`` days."""

    kind: str  # person, organisation, community
    target: str  # an address; an organisation's domain; an address of a community member
    days: int
    set_at: datetime


@dataclass(frozen=True, slots=True)
class Followup:
    """Where one person stands for the owner: last reached out to, snoozed until, and
    how many outreaches in a row went unanswered."""

    person_id: int
    last_done: datetime | None
    snoozed_until: date | None
    snoozed_at: datetime | None
    unanswered: int


def set_cadence(
    con: duckdb.DuckDBPyConnection, owner: str, kind: str, target: str, days: int, now: datetime
) -> None:
    """Set (or replace) a cadence."""
    con.execute(
        "INSERT OR REPLACE INTO cadences VALUES (?, ?, ?, ?, ?)", [owner, kind, target, days, now]
    )


def remove_cadence(con: duckdb.DuckDBPyConnection, owner: str, kind: str, target: str) -> bool:
    """Remove a cadence; False when there was none."""
    gone = con.execute(
        "DELETE FROM cadences WHERE owner = ? AND kind = ? AND target = ? RETURNING days",
        [owner, kind, target],
    ).fetchall()
    return bool(gone)


def cadences(con: duckdb.DuckDBPyConnection, owner_id: int) -> list[Cadence]:
    """The cadences of the owner (any of their addresses), newest first."""
    rows = con.execute(
        """
        SELECT c.kind, c.target, c.days, c.set_at FROM cadences c
        JOIN identities o ON o.address = c.owner
        WHERE o.person_id = ? ORDER BY c.set_at DESC, c.kind, c.target
        """,
        [owner_id],
    ).fetchall()
    return [Cadence(str(k), str(t), int(d), s) for k, t, d, s in rows]


def record(
    con: duckdb.DuckDBPyConnection,
    owner: str,
    address: str,
    action: str,
    at: datetime,
    until: date | None = None,
) -> None:
    """Record a follow-up: ``done`` (the owner reached out) or ``snooze`` until a day."""
    con.execute("INSERT INTO followups VALUES (?, ?, ?, ?, ?)", [owner, address, action, at, until])


def followups(con: duckdb.DuckDBPyConnection, owner_id: int) -> dict[int, Followup]:
    """Each person the owner recorded a follow-up for, by person id.

    An outreach (``done``) is answered when the person later reached the owner: sent
    them something, or shared a contact on a channel where both take part (a call
    that connected, a meeting). ``unanswered`` counts the outreaches since the last
    time they did.
    """
    rows = con.execute(
        f"""
        WITH f AS (
            SELECT p.person_id, f.action, f.noted_at, f.until FROM followups f
            JOIN identities o ON o.address = f.owner
            JOIN identities p ON p.address = f.address
            WHERE o.person_id = $owner
        ),
        heard AS (
            SELECT d.person_id, max(i.ts) AS last_heard
            FROM participants s
            JOIN identities d ON d.address = s.address
            JOIN interactions i ON i.interaction_id = s.interaction_id
            JOIN participants r ON r.interaction_id = s.interaction_id
            JOIN identities du ON du.address = r.address AND du.person_id = $owner
            WHERE d.person_id IN (SELECT person_id FROM f)
              AND (s.role IN ('from', 'organizer')
                   OR (i.channel IN ({sql_list(names_where(mutual=True))})
                       AND coalesce(i.duration_s, 1) > 0))
            GROUP BY d.person_id
        )
        SELECT f.person_id,
               max(f.noted_at) FILTER (WHERE f.action = 'done'),
               arg_max(f.until, f.noted_at) FILTER (WHERE f.action = 'snooze'),
               max(f.noted_at) FILTER (WHERE f.action = 'snooze'),
               count(*) FILTER (WHERE f.action = 'done'
                                AND (h.last_heard IS NULL OR f.noted_at > h.last_heard))
        FROM f LEFT JOIN heard h USING (person_id)
        GROUP BY f.person_id
        """,
        {"owner": owner_id},
    ).fetchall()
    return {
        int(pid): Followup(int(pid), done, until, snoozed, int(unanswered))
        for pid, done, until, snoozed, unanswered in rows
    }


def done_since(con: duckdb.DuckDBPyConnection, owner_id: int, since: datetime) -> list[int]:
    """The people the owner reached out to since ``since``, latest first."""
    rows = con.execute(
        """
        SELECT p.person_id, max(f.noted_at) AS last_noted FROM followups f
        JOIN identities o ON o.address = f.owner
        JOIN identities p ON p.address = f.address
        WHERE o.person_id = ? AND f.action = 'done' AND f.noted_at >= ?
        GROUP BY p.person_id ORDER BY last_noted DESC, p.person_id
        """,
        [owner_id, since],
    ).fetchall()
    return [int(r[0]) for r in rows]


def shown_on(con: duckdb.DuckDBPyConnection, owner_id: int, day: date) -> list[int]:
    """The people nudged on ``day``, in the order they were shown."""
    rows = con.execute(
        """
        SELECT p.person_id FROM nudges_shown n
        JOIN identities o ON o.address = n.owner
        JOIN identities p ON p.address = n.address
        WHERE o.person_id = ? AND n.day = ?
        GROUP BY p.person_id ORDER BY min(n.rowid), p.person_id
        """,
        [owner_id, day],
    ).fetchall()
    return [int(r[0]) for r in rows]


def mark_shown(
    con: duckdb.DuckDBPyConnection, owner: str, day: date, shown: list[tuple[str, str]]
) -> None:
    """Record that each (address, kind) was nudged on ``day``."""
    con.executemany(
        "INSERT OR IGNORE INTO nudges_shown VALUES (?, ?, ?, ?)",
        [[owner, day, address, kind] for address, kind in shown],
    )


def primary_address(con: duckdb.DuckDBPyConnection, person_id: int) -> str | None:
    """The address a person is recorded by (their primary address)."""
    row = con.execute(
        "SELECT primary_address FROM people WHERE person_id = ?", [person_id]
    ).fetchall()
    return str(row[0][0]) if row else None
