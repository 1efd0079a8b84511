"""Listings over the analysed store: ties, connectors, bridges, communities.

Each returns an Arrow table; adapters render it. They need ``weakties analyze``.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from weakties.errors import InputError
from weakties.insights.lookup import find_person
from weakties.store import derived
from weakties.store.db import arrow
from weakties.ties import MODEL_VERSION

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
    """Ties, strongest first; with ``person``, that person's ties seen from their side."""
    require_analysis(con)
    if band is not None and band not in BANDS:
        raise InputError(f"Unknown band {band!r}.", f"Use one of: {', '.join(BANDS)}.")
    who = find_person(con, person) if person else None
    sql = f"""
        SELECT {_SIDES if who is not None else _PAIR},
               t.band, round(t.strength, 3) AS strength, t.explanation,
               t.messages, t.last_contact, round(t.bridge_score, 3) AS bridge_score,
               round(t.overlap, 3) AS overlap, t.pinned
        FROM ties t
        WHERE (? IS NULL OR t.band = ?)
          AND (? IS NULL OR ? IN (t.person_a, t.person_b))
        ORDER BY t.strength DESC, t.person_a, t.person_b
        {_limit(limit)}
    """
    sides: list[object] = [who, who, who] if who is not None else []
    return arrow(con, sql, [*sides, band, band, who, who])


_PAIR = "t.name_a AS person_a, t.name_b AS person_b, t.person_a AS id_a, t.person_b AS id_b"
_SIDES = """CASE WHEN t.person_a = ? THEN t.name_b ELSE t.name_a END AS person,
            CASE WHEN t.person_a = ? THEN t.person_b ELSE t.person_a END AS person_id,
            (SELECT org_domain FROM people p WHERE p.person_id =
                CASE WHEN t.person_a = ? THEN t.person_b ELSE t.person_a END) AS organisation"""


def connectors(con: duckdb.DuckDBPyConnection, *, limit: int | None = 20) -> pa.Table:
    """People ranked by brokerage: low constraint, large effective size, many communities.

    Only people with relationships (reciprocated ties) broker anything: someone known
    only from one-way mail is not listed, however many people they wrote to."""
    require_analysis(con)
    return arrow(
        con,
        f"""
        SELECT p.display_name AS name, p.org_domain AS organisation,
               round(m.connector_score, 3) AS connector_score,
               m.communities_spanned, m.degree AS ties,
               round(m.effective_size, 1) AS effective_size,
               round(m.constraint_, 3) AS constraint,
               round(m.betweenness, 4) AS betweenness,
               'spans ' || m.communities_spanned || ' communities with ' || m.degree
                 || ' ties, effective size ' || round(m.effective_size, 1)
                 || ', constraint ' || round(m.constraint_, 2) AS explanation,
               p.person_id
        FROM person_metrics m JOIN people p USING (person_id)
        WHERE NOT p.automated AND m.degree > 0
        ORDER BY m.connector_score DESC, p.display_name
        {_limit(limit)}
        """,
    )


def bridges(con: duckdb.DuckDBPyConnection, *, limit: int | None = 20) -> pa.Table:
    """The bridges (``is_bridge``: relationships that link two communities and whose ends
    share no contact, or whose removal splits a group from another), best first. Their
    number is the analysis's count of bridges."""
    require_analysis(con)
    return arrow(
        con,
        f"""
        SELECT t.name_a AS person_a, t.name_b AS person_b,
               round(t.bridge_score, 3) AS bridge_score, t.is_bridge,
               round(t.overlap, 3) AS overlap, t.mutual_contacts,
               ca.label AS community_a, cb.label AS community_b,
               t.band, round(t.strength, 3) AS strength, t.explanation
        FROM ties t
        JOIN person_metrics ma ON ma.person_id = t.person_a
        JOIN person_metrics mb ON mb.person_id = t.person_b
        JOIN communities ca ON ca.community_id = ma.community_id
        JOIN communities cb ON cb.community_id = mb.community_id
        WHERE t.is_bridge
        ORDER BY t.bridge_score DESC, t.strength DESC, t.person_a, t.person_b
        {_limit(limit)}
        """,
    )


def communities(con: duckdb.DuckDBPyConnection, *, limit: int | None = None) -> pa.Table:
    """Communities, largest first, with readable labels."""
    require_analysis(con)
    return arrow(
        con,
        f"""
        SELECT c.community_id, c.size, c.placed, c.label,
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
