"""Read-side queries behind the listings (people, quarantine, stats)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb
import pyarrow as pa

from weakties.store.db import arrow, first_row

ORGANISATION = "CASE WHEN p.org_domain LIKE 'org:%' THEN orgs.name ELSE p.org_domain END"
"""A person's organisation as shown: its domain, or for an organisation known only by
name (``org:<key>``, from address books and connections) that name. Needs ``people p``
joined to ``organisations orgs`` on ``org_domain``."""
DATED = "i.date_flag IS DISTINCT FROM 'implausible'"
"""Interactions whose date counts for first and last seen: a timestamp flagged
implausible at ingest (Enron's 1980-01-01) says nothing of when someone was around;
missing timestamps are NULL, which ``min`` and ``max`` skip."""


def people(
    con: duckdb.DuckDBPyConnection,
    *,
    search: str | None = None,
    include_automated: bool = False,
    limit: int | None = None,
) -> pa.Table:
    """People with interaction counts, first/last seen (plausible dates only),
    organisation and identities, and ``why`` an automated sender was set aside (the rules
    that flagged it: role, blast, one-way, list ...), or the user's verdict ("flagged by
    you", "unflagged by you"); with ``search``, those whose name or an address contains
    it (as plain text, any case: ``%`` and ``_`` are characters, not wildcards)."""
    where = ["(? OR NOT p.automated)"]
    params: list[object] = [include_automated]
    if search:
        where.append(
            "(contains(lower(p.display_name), lower(?)) OR EXISTS (SELECT 1 FROM identities s "
            "WHERE s.person_id = p.person_id AND contains(lower(s.address), lower(?))))"
        )
        params += [search, search]
    sql = f"""
        WITH seen AS (
            SELECT d.person_id, count(DISTINCT pa.interaction_id) AS interactions,
                   min(i.ts) FILTER ({DATED}) AS first_seen,
                   max(i.ts) FILTER ({DATED}) AS last_seen
            FROM identities d
            JOIN participants pa ON pa.address = d.address
            JOIN interactions i ON i.interaction_id = pa.interaction_id
            GROUP BY d.person_id
        ),
        ids AS (
            SELECT d.person_id,
                   list(d.address ORDER BY d.n_interactions DESC, d.address) AS identities,
                   string_agg(DISTINCT nullif(d.automated_why, ''), ', '
                              ORDER BY nullif(d.automated_why, '')) AS why,
                   arg_max(f.automated, f.flagged_at) AS verdict
            FROM identities d LEFT JOIN sender_flags f USING (address)
            GROUP BY d.person_id
        )
        SELECT p.person_id, p.display_name AS name, {ORGANISATION} AS organisation,
               coalesce(s.interactions, 0) AS interactions,
               s.first_seen, s.last_seen, p.automated, p.is_owner,
               CASE WHEN ids.verdict THEN 'flagged by you'
                    WHEN NOT ids.verdict THEN 'unflagged by you'
                    WHEN p.automated THEN ids.why END AS why,
               array_to_string(ids.identities, ' ') AS identities
        FROM people p LEFT JOIN seen s USING (person_id) LEFT JOIN ids USING (person_id)
        LEFT JOIN organisations orgs ON orgs.org_domain = p.org_domain
        WHERE {" AND ".join(where)}
        ORDER BY interactions DESC, name
        {_limit(limit)}
    """
    return arrow(con, sql, params)


def seen(
    con: duckdb.DuckDBPyConnection, person_id: int
) -> tuple[int, datetime | None, datetime | None]:
    """How many interactions a person took part in, and when they were first and last
    seen (plausible dates only, as in :func:`people`)."""
    row = first_row(
        con.execute(
            f"""
            SELECT count(DISTINCT pa.interaction_id), min(i.ts) FILTER ({DATED}),
                   max(i.ts) FILTER ({DATED})
            FROM identities d
            JOIN participants pa ON pa.address = d.address
            JOIN interactions i ON i.interaction_id = pa.interaction_id
            WHERE d.person_id = ?
            """,
            [person_id],
        )
    )
    return (int(row[0]), row[1], row[2]) if row else (0, None, None)


def quarantine(
    con: duckdb.DuckDBPyConnection, *, reason: str | None = None, limit: int | None = None
) -> pa.Table:
    """What was set aside, where, and why (at most ``limit`` rows; None: all)."""
    return arrow(
        con,
        f"""
        SELECT q.reason, q.location, q.detail, s.label AS source
        FROM quarantine q JOIN sources s USING (source_id)
        WHERE ? IS NULL OR q.reason = ?
        ORDER BY q.reason, q.location
        {_limit(limit)}
        """,
        [reason, reason],
    )


def sources(con: duckdb.DuckDBPyConnection, *, limit: int | None = None) -> pa.Table:
    """Each ingested source with its owner and its ledger counts (at most ``limit``):
    ``read = stored + duplicates + quarantined``; of the stored, ``automated``
    interactions (flagged automated or bulk) and ``contacts``."""
    return arrow(
        con,
        f"""
        SELECT s.source_id, s.label, s.kind, s.path,
               coalesce(string_agg(DISTINCT o.address, ' ' ORDER BY o.address), '') AS owner,
               s.owner_how,
               (SELECT count(*) FROM items i WHERE i.source_id = s.source_id) AS read,
               (SELECT count(*) FROM items i WHERE i.source_id = s.source_id
                  AND i.outcome = 'stored') AS stored,
               (SELECT count(*) FROM items i WHERE i.source_id = s.source_id
                  AND i.outcome = 'duplicate') AS duplicates,
               (SELECT count(*) FROM interactions i WHERE i.source_id = s.source_id
                  AND (i.automated OR i.bulk)) AS automated,
               (SELECT count(*) FROM contacts c WHERE c.source_id = s.source_id) AS contacts,
               (SELECT count(*) FROM items i WHERE i.source_id = s.source_id
                  AND i.outcome = 'quarantined') AS quarantined,
               s.last_ingested_at
        FROM sources s LEFT JOIN source_owners o USING (source_id)
        GROUP BY ALL ORDER BY s.source_id
        {_limit(limit)}
        """,
    )


def _limit(limit: int | None) -> str:
    return f"LIMIT {int(limit)}" if limit else ""


@dataclass(frozen=True, slots=True)
class StoreStats:
    """A summary of the store."""

    sources: int
    read: int
    interactions: int
    contacts: int  # address-book entries, workspace members, followers (stored once each)
    duplicates: int
    quarantined: int
    automated_or_bulk: int
    people: int
    automated_people: int
    identities: int
    organisations: int
    owners: int
    first: str | None
    last: str | None


def stats(con: duckdb.DuckDBPyConnection) -> StoreStats:
    """Counts over the whole store;
    ``read = interactions + contacts + duplicates + quarantined``."""
    row = first_row(
        con.execute(
            """
        SELECT
          (SELECT count(*) FROM sources),
          (SELECT count(*) FROM items),
          (SELECT count(*) FROM interactions),
          (SELECT count(*) FROM contacts),
          (SELECT count(*) FROM items WHERE outcome = 'duplicate'),
          (SELECT count(*) FROM items WHERE outcome = 'quarantined'),
          (SELECT count(*) FROM interactions WHERE automated OR bulk),
          (SELECT count(*) FROM people),
          (SELECT count(*) FROM people WHERE automated),
          (SELECT count(*) FROM identities),
          (SELECT count(*) FROM organisations),
          (SELECT count(*) FROM people WHERE is_owner),
          (SELECT strftime(min(ts), '%Y-%m-%d') FROM interactions WHERE date_flag IS NULL),
          (SELECT strftime(max(ts), '%Y-%m-%d') FROM interactions WHERE date_flag IS NULL)
        """
        )
    )
    assert row is not None
    return StoreStats(*row)


def last_positions(con: duckdb.DuckDBPyConnection, prefix: str, marker: str) -> dict[str, int]:
    """For a source whose ledger locations read ``<stream><marker><n>`` below ``prefix``
    (an IMAP folder's messages by UID), the highest ``n`` in the ledger per stream.

    Every record read is in the ledger (stored, duplicate or quarantined), so this is
    where a later run of the source resumes.
    """
    rows = con.execute(
        """
        WITH placed AS (
            SELECT location, strpos(location, $marker) AS pos FROM items
            WHERE starts_with(location, $prefix) AND strpos(location, $marker) > 0
        )
        SELECT left(location, pos - 1) AS stream,
               max(TRY_CAST(substr(location, pos + length($marker)) AS BIGINT)) AS last
        FROM placed GROUP BY stream
        """,
        {"prefix": prefix, "marker": marker},
    ).fetchall()
    return {str(stream): int(last) for stream, last in rows if last is not None}
