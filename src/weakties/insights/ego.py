"""The owner's view: strongest ties, weak ties that bridge, dormant ties, connectors.

A weak tie bridges (Granovetter 1973) when it leads to people the owner is not
otherwise in touch with: its value is in the *non-redundant* contacts behind it
(Burt 1992). For each contact X of the owner we count X's own contacts, as seen in
the store (one-way contact included: a colleague copied on X's threads counts),
and how many of them the owner has no tie with. The bridging score is the
novel share, damped when there are very few novel people:
``novel / contacts × (1 − 2^(−novel / 2))``.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from weakties.insights.queries import is_owner, require_analysis
from weakties.store.db import arrow, first_row
from weakties.ties.explain import voiced_sql


@dataclass(frozen=True)
class EgoView:
    """What the owner most needs to see, each row with a one-line explanation."""

    person_id: int
    name: str
    strongest: pa.Table
    bridging_weak: pa.Table
    dormant: pa.Table
    connectors: pa.Table


def owners(con: duckdb.DuckDBPyConnection) -> list[tuple[int, str]]:
    """The store's owners (person id, name), most active first."""
    rows = con.execute(
        """
        SELECT p.person_id, p.display_name FROM people p
        LEFT JOIN person_metrics m USING (person_id)
        WHERE p.is_owner ORDER BY coalesce(m.degree, 0) DESC, p.display_name
        """
    ).fetchall()
    return [(int(pid), str(name)) for pid, name in rows]


def ego_view(con: duckdb.DuckDBPyConnection, person_id: int, *, limit: int | None = 10) -> EgoView:
    """The owner's (or anyone's) strongest, bridging weak, and dormant ties, and connectors;
    at most ``limit`` of each (None or 0: all). An owner's view says "you" and "them";
    anyone else's names the people."""
    require_analysis(con)
    name_row = first_row(
        con.execute("SELECT display_name FROM people WHERE person_id = ?", [person_id])
    )
    you = is_owner(con, person_id)  # an owner reads "you"; anyone else's view names people
    ties = arrow(con, _EGO_TIES, {"me": person_id, "you": you})  # one query; three views
    band = ties.column("band")
    bridging = pc.and_(pc.equal(band, "weak"), pc.greater(ties.column("novel_contacts"), 0))
    return EgoView(
        person_id,
        str(name_row[0]) if name_row else str(person_id),
        _top(ties, pc.equal(band, "strong"), [("strength", "descending")], limit),
        _top(ties, bridging, [("bridging", "descending"), ("strength", "descending")], limit),
        _top(ties, pc.equal(band, "dormant"), [("base_strength", "descending")], limit),
        _connectors(con, person_id, limit),
    )


def _top(
    ties: pa.Table, keep: pa.ChunkedArray, order: list[tuple[str, str]], limit: int | None
) -> pa.Table:
    chosen = ties.filter(keep).sort_by([*order, ("person", "ascending")])
    return (chosen.slice(0, limit) if limit else chosen).drop_columns(["base_strength"])


_EGO_TIES = f"""
WITH edges AS (
    SELECT person_a AS x, person_b AS y, band FROM ties
    UNION ALL SELECT person_b, person_a, band FROM ties
),
mine AS (SELECT y FROM edges WHERE x = $me AND band <> 'one-way'),
reach AS (
    SELECT e.x AS person_id, count(*) AS contacts,
           count(*) FILTER (WHERE e.y NOT IN (SELECT y FROM mine)) AS novel
    FROM edges e
    WHERE e.x IN (SELECT y FROM edges WHERE x = $me) AND e.y <> $me
    GROUP BY e.x
)
SELECT CASE WHEN t.person_a = $me THEN t.name_b ELSE t.name_a END AS person,
       p.org_domain AS organisation, t.band, t.strength,
       coalesce(r.novel / r.contacts * (1 - pow(2, -r.novel / 2)), 0) AS bridging,
       coalesce(r.novel, 0) AS novel_contacts,
       {voiced_sql("t", "$me", "$you")}
         || CASE WHEN coalesce(r.novel, 0) > 0
            THEN '; opens a path to ' || r.novel
                 || CASE WHEN r.novel = 1 THEN ' person' ELSE ' people' END
                 || ' otherwise out of reach' ELSE '' END
         AS explanation,
       p.person_id, t.base_strength
FROM ties t
JOIN people p ON p.person_id = CASE WHEN t.person_a = $me THEN t.person_b ELSE t.person_a END
LEFT JOIN reach r ON r.person_id = p.person_id
WHERE $me IN (t.person_a, t.person_b) AND NOT p.automated
"""


def _connectors(con: duckdb.DuckDBPyConnection, person_id: int, limit: int | None) -> pa.Table:
    return arrow(
        con,
        f"""
        SELECT p.display_name AS person, p.org_domain AS organisation,
               m.connector_score,
               'spans ' || m.communities_spanned || ' communities with ' || m.degree
                 || ' ties; effective size ' || round(m.effective_size, 1)
                 || ', constraint ' || round(m.constraint_, 2) AS explanation,
               p.person_id
        FROM person_metrics m JOIN people p USING (person_id)
        WHERE NOT p.automated AND p.person_id <> ? AND NOT p.is_owner
        ORDER BY m.connector_score DESC, p.display_name
        {f"LIMIT {int(limit)}" if limit else ""}
        """,
        [person_id],
    )
