"""Listings over the analysed store: ties, connectors, bridges, communities.

Each returns an Arrow table; adapters render it. They need ``weakties analyze``.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from weakties.errors import InputError
from weakties.insights.lookup import find_person
from weakties.store import derived
from weakties.store.db import arrow, first_row
from weakties.ties import MODEL_VERSION
from weakties.ties.explain import voiced_sql

BANDS = ("strong", "weak", "dormant", "one-way")


def require_analysis(con: duckdb.DuckDBPyConnection) -> None:
    """Raise a clear error when the analysis is missing or was made by another model."""
    derived.require_current(con, MODEL_VERSION)


def ties(
    con: duckdb.DuckDBPyConnection,
    *,
    band: str | None = None,
    person: str | None = None,
    limit: int | None = None,
) -> pa.Table:
    """Ties, strongest first, in the columns of :data:`TIE_COLUMNS`; with ``person``,
    that person's ties, each turned so that the person is ``person_a``.

    Explanations name the people, except in an owner's own view (``person`` is an
    owner of the store), which says "you" and "them".
    """
    require_analysis(con)
    if band is not None and band not in BANDS:
        raise InputError(f"Unknown band {band!r}.", f"Use one of: {', '.join(BANDS)}.")
    who = find_person(con, person) if person else None
    sql = f"""
        WITH chosen AS (
            SELECT t.*, coalesce(t.person_b = $who, false) AS turned,
                   {voiced_sql("t", "$who", "$you")} AS said
            FROM ties t
            WHERE ($band IS NULL OR t.band = $band)
              AND ($who IS NULL OR $who IN (t.person_a, t.person_b))
        ),
        sides AS (
            SELECT CASE WHEN turned THEN name_b ELSE name_a END AS person_a,
                   CASE WHEN turned THEN name_a ELSE name_b END AS person_b,
                   CASE WHEN turned THEN person_b ELSE person_a END AS id_a,
                   CASE WHEN turned THEN person_a ELSE person_b END AS id_b,
                   band, strength, said AS explanation, messages, last_contact, bridge_score,
                   overlap, pinned
            FROM chosen
        )
        SELECT s.person_a, s.person_b, s.id_a, s.id_b,
               pa.org_domain AS organisation_a, pb.org_domain AS organisation_b,
               s.band, s.strength, s.explanation, s.messages, s.last_contact,
               s.bridge_score, s.overlap, s.pinned
        FROM sides s
        LEFT JOIN people pa ON pa.person_id = s.id_a
        LEFT JOIN people pb ON pb.person_id = s.id_b
        ORDER BY s.strength DESC, s.id_a, s.id_b
        {_limit(limit)}
    """
    you = who is not None and is_owner(con, who)
    return arrow(con, sql, {"who": who, "you": you, "band": band})


def is_owner(con: duckdb.DuckDBPyConnection, person_id: int) -> bool:
    """Whether the person is one of the store's owners (``init --me``, a mailbox's)."""
    row = first_row(con.execute("SELECT is_owner FROM people WHERE person_id = ?", [person_id]))
    return bool(row and row[0])


TIE_COLUMNS = (
    "person_a", "person_b", "id_a", "id_b", "organisation_a", "organisation_b", "band",
    "strength", "explanation", "messages", "last_contact", "bridge_score", "overlap", "pinned",
)  # fmt: skip
"""The columns of :func:`ties`, with or without a person: the two people's names, ids
and organisations, the tie's band, strength (0-1) and explanation, its message count
and last contact, its bridge score and overlap (NULL for ties outside the graph), and
whether its band was pinned by hand."""


def connectors(con: duckdb.DuckDBPyConnection, *, limit: int | None = 20) -> pa.Table:
    """People ranked by brokerage: low constraint, large effective size, many communities."""
    require_analysis(con)
    return arrow(
        con,
        f"""
        SELECT p.display_name AS name, p.org_domain AS organisation,
               m.connector_score, m.communities_spanned, m.degree AS ties,
               m.effective_size, m.constraint_ AS constraint, m.betweenness,
               'spans ' || m.communities_spanned || ' communities with ' || m.degree
                 || ' ties, effective size ' || round(m.effective_size, 1)
                 || ', constraint ' || round(m.constraint_, 2) AS explanation,
               p.person_id
        FROM person_metrics m JOIN people p USING (person_id)
        WHERE NOT p.automated
        ORDER BY m.connector_score DESC, p.display_name
        {_limit(limit)}
        """,
    )


def bridges(con: duckdb.DuckDBPyConnection, *, limit: int | None = 20) -> pa.Table:
    """Ties that link communities or whose ends share few contacts, best bridges first."""
    require_analysis(con)
    return arrow(
        con,
        f"""
        SELECT t.name_a AS person_a, t.name_b AS person_b,
               t.bridge_score, t.is_bridge, t.overlap, t.mutual_contacts,
               ca.label AS community_a, cb.label AS community_b,
               t.band, t.strength, t.explanation
        FROM ties t
        JOIN person_metrics ma ON ma.person_id = t.person_a
        JOIN person_metrics mb ON mb.person_id = t.person_b
        JOIN communities ca ON ca.community_id = ma.community_id
        JOIN communities cb ON cb.community_id = mb.community_id
        WHERE t.bridge_score IS NOT NULL
        ORDER BY t.is_bridge DESC, t.bridge_score DESC, t.strength DESC
        {_limit(limit)}
        """,
    )


def communities(con: duckdb.DuckDBPyConnection, *, limit: int | None = None) -> pa.Table:
    """Communities, largest first, with readable labels."""
    require_analysis(con)
    return arrow(
        con,
        f"""
        SELECT c.community_id, c.size, c.label,
               (SELECT count(*) FROM ties t
                  JOIN person_metrics a ON a.person_id = t.person_a
                  JOIN person_metrics b ON b.person_id = t.person_b
                 WHERE a.community_id = c.community_id AND b.community_id = c.community_id)
                 AS internal_ties
        FROM communities c ORDER BY c.size DESC, c.community_id
        {_limit(limit)}
        """,
    )


def _limit(limit: int | None) -> str:
    return f"LIMIT {int(limit)}" if limit else ""
