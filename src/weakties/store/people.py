"""The store's side of identity resolution: the facts it reads, and the derived
identity tables (identities, people, organisations) it writes.

Aggregation happens in DuckDB: Python only sees one row per (address, name)
and one per address, never the participant rows. The three tables are
replaced in one transaction, so readers see either the old or the new people.
Resolving the facts into people is :mod:`weakties.identity.rebuild`'s job; this
module knows nothing of it.
"""

from __future__ import annotations

from typing import Any

import duckdb
import pyarrow as pa

from weakties.channels import names_where, sql_list

# A regular of a list is a recipient on at least this share of the list's threads (and
# on at least LIST_MIN_THREADS of them) who never sends; resolve decides whether it is
# the list itself (no personal name) or a maintainer copied on every patch.
LIST_THREAD_SHARE = 0.5
LIST_MIN_THREADS = 3

_SENDER_ROLES = "('from', 'organizer')"

_OBSERVATIONS_SQL = f"""
SELECT address, name, count(*) AS n_seen,
       count(*) FILTER (WHERE role IN {_SENDER_ROLES}) AS n_sent, '' AS organisation
FROM participants
GROUP BY address, name
UNION ALL  -- people known from address books and connection lists, seen or not
SELECT ci.address, c.name, 0, 0, c.organisation
FROM contact_identities ci JOIN contacts c USING (contact_id)
GROUP BY ci.address, c.name, c.organisation
"""

_ACTIVITY_SQL = f"""
WITH mutual AS MATERIALIZED (  -- contact both sides took part in says nothing of broadcasts
    SELECT interaction_id FROM interactions WHERE channel IN ({sql_list(names_where(mutual=True))})
),
sent AS NOT MATERIALIZED (
    SELECT interaction_id, address AS sender
    FROM participants WHERE role IN {_SENDER_ROLES}
      AND interaction_id NOT IN (SELECT interaction_id FROM mutual)
),
received AS NOT MATERIALIZED (
    SELECT interaction_id, address AS recipient
    FROM participants WHERE role NOT IN {_SENDER_ROLES}
      AND interaction_id NOT IN (SELECT interaction_id FROM mutual)
),
width AS (
    SELECT interaction_id, count(*) AS n_recipients FROM received GROUP BY interaction_id
),
sending AS (
    SELECT s.sender AS address, count(*) AS n_sent,
           count(*) FILTER (WHERE i.automated OR (i.bulk AND i.list_id IS NULL)) AS n_flagged,
           median(coalesce(w.n_recipients, 0)) AS median_recipients
    FROM sent s JOIN interactions i USING (interaction_id)
    LEFT JOIN width w USING (interaction_id)
    GROUP BY s.sender
),
ties AS MATERIALIZED (
    SELECT DISTINCT s.sender, r.recipient FROM sent s JOIN received r USING (interaction_id)
),
reach AS (
    SELECT t.sender AS address, count(*) AS n_recipients, count(b.sender) AS n_heard_back
    FROM ties t LEFT JOIN ties b ON b.sender = t.recipient AND b.recipient = t.sender
    GROUP BY ALL
),
lists AS MATERIALIZED (
    SELECT interaction_id,
           coalesce(thread_id, subject_hash, interaction_id::VARCHAR) AS thread,
           lower(coalesce(nullif(regexp_extract(list_id, '<([^>]*)>', 1), ''), trim(list_id)))
               AS lid
    FROM interactions WHERE coalesce(list_id, '') <> ''
),
on_list AS (
    SELECT l.lid, p.address, bool_or(replace(p.address, '@', '.') = l.lid) AS named,
           count(DISTINCT thread) FILTER (WHERE p.role NOT IN {_SENDER_ROLES}) AS n
    FROM lists l JOIN participants p USING (interaction_id)
    GROUP BY ALL
),
list_addresses AS (
    SELECT o.address, bool_or(o.named) AS named,
           bool_or(o.n >= {LIST_MIN_THREADS} AND o.n >= {LIST_THREAD_SHARE} * z.n) AS usual
    FROM on_list o
    JOIN (SELECT lid, count(DISTINCT thread) AS n FROM lists GROUP BY lid) z USING (lid)
    GROUP BY ALL
),
seen AS (
    SELECT address, count(*) AS n_interactions,
           count(*) FILTER (WHERE role NOT IN {_SENDER_ROLES}) AS n_received
    FROM participants GROUP BY address
)
SELECT a.address, a.n_interactions,
       coalesce(s.n_sent, 0), coalesce(s.n_flagged, 0), coalesce(s.median_recipients, 0),
       coalesce(r.n_recipients, 0), coalesce(r.n_heard_back, 0), a.n_received,
       coalesce(l.named, false), coalesce(l.usual AND s.n_sent IS NULL, false)
FROM seen a
LEFT JOIN sending s USING (address)
LEFT JOIN reach r USING (address)
LEFT JOIN list_addresses l USING (address)
"""
"""What each address did: sent, received, reached, heard back from, lists it is on.

The writer stores an address at most once per interaction (and never stores an
interaction twice), so counts of rows are counts of distinct interactions, and a
message's recipients are its participants in a recipient role: no DISTINCT over
participant rows is needed. ``sent`` and ``received`` are scanned where used rather
than kept: as fast, and their size grows with the mail. Together that halves the
query's time and working memory (Enron 4x: 0.19 s -> 0.10 s, peak +85 MB -> +47 MB).
"""

_OWNERS_SQL = """
SELECT 'source ' || source_id, lower(trim(address)) FROM source_owners
UNION ALL
SELECT 'me', lower(trim(address)) FROM me
"""


_STAMP_SQL = """
SELECT (SELECT count(*) FROM items) || ':' || (SELECT count(*) FROM identity_links)
       || ':' || (SELECT count(*) FROM source_owners) || ':' || (SELECT count(*) FROM me)
       || ':' || (SELECT coalesce(string_agg(address, ',' ORDER BY address), '') FROM me)
       || ':' || (SELECT md5(coalesce(string_agg(address || ' ' || other || ' ' || verdict, ','
                                                 ORDER BY address, other), ''))
                  FROM identity_verdicts)
"""


def people_stamp(con: duckdb.DuckDBPyConnection) -> str:
    """What the derived identity tables depend on, as one string.

    Facts are append-only, so counts of the ledger, alias links, owners and the
    ``me`` addresses identify the state they were built from; the user's merges and
    splits, which may be replaced, are stamped by their content.
    """
    return str(con.execute(_STAMP_SQL).fetchall()[0][0])


def people_built_from(con: duckdb.DuckDBPyConnection) -> str | None:
    """The stamp of the facts the identity tables were last built from, or None."""
    built = con.execute("SELECT value FROM meta WHERE key = 'people_built_from'").fetchall()
    return str(built[0][0]) if built else None


def owner_person_ids(con: duckdb.DuckDBPyConnection) -> list[int]:
    """The person ids of the store's owners (the ``me`` addresses and mailbox owners)."""
    rows = con.execute("SELECT person_id FROM people WHERE is_owner ORDER BY person_id")
    return [int(row[0]) for row in rows.fetchall()]


def observation_rows(con: duckdb.DuckDBPyConnection) -> list[tuple[Any, ...]]:
    """One row per (address, display name): ``address, name, n_seen, n_sent,
    organisation`` (the organisation a contact names, else "")."""
    return con.execute(_OBSERVATIONS_SQL).fetchall()


def activity_rows(con: duckdb.DuckDBPyConnection) -> list[tuple[Any, ...]]:
    """One row per address, in the order of ``identity.automated.Activity``'s fields
    (VARCHAR, BIGINT, ..., DOUBLE, ..., BOOLEAN), so that rows become activities with
    no per-field conversion."""
    return con.execute(_ACTIVITY_SQL).fetchall()


def link_rows(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str]]:
    """Alias evidence the sources saw: ``address, other, evidence``."""
    rows = con.execute("SELECT address, other, evidence FROM identity_links").fetchall()
    return [(str(a), str(o), str(e)) for a, o, e in rows]


def owner_groups(con: duckdb.DuckDBPyConnection) -> list[list[str]]:
    """The addresses of each source's owner, and the ``me`` addresses, one group each."""
    groups: dict[str, list[str]] = {}
    for key, address in con.execute(_OWNERS_SQL).fetchall():
        if address:
            groups.setdefault(str(key), []).append(str(address))
    return list(groups.values())


_SENT_SQL = f"""
WITH owner AS (
    SELECT lower(trim(address)) AS address FROM source_owners
    UNION SELECT lower(trim(address)) FROM me
),
sent AS (
    SELECT p.interaction_id, p.address FROM participants p
    WHERE p.role IN {_SENDER_ROLES} AND p.address IN (SELECT address FROM owner)
)
SELECT s.address, r.address, r.name, count(*)
FROM sent s JOIN participants r USING (interaction_id)
WHERE r.role NOT IN {_SENDER_ROLES} AND r.address <> s.address
GROUP BY ALL
"""


def sent_rows(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str, int]]:
    """What the owners wrote to whom: ``sender, recipient, recipient's name, n``."""
    rows = con.execute(_SENT_SQL).fetchall()
    return [(str(s), str(r), str(name), int(n)) for s, r, name, n in rows]


def verdict_rows(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, bool]]:
    """The user's merges and splits: ``address, other, same``."""
    rows = con.execute("SELECT address, other, verdict FROM identity_verdicts").fetchall()
    return [(str(a), str(o), v == "same") for a, o, v in rows]


def write_people(
    con: duckdb.DuckDBPyConnection,
    tables: dict[str, pa.Table],
    stamp: str,
) -> None:
    """Replace identities, people and organisations, and record the facts' stamp, in
    one transaction."""
    con.execute("BEGIN TRANSACTION")
    try:
        for name in ("identities", "people", "organisations"):
            con.execute(f"DELETE FROM {name}")
            con.register("_rebuilt", tables[name])
            try:
                con.execute(f"INSERT INTO {name} BY NAME SELECT * FROM _rebuilt")
            finally:
                con.unregister("_rebuilt")
        con.execute("INSERT OR REPLACE INTO meta VALUES ('people_built_from', ?)", [stamp])
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")
