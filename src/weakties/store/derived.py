"""The analysis tables (``ties``, ``person_metrics``, ``communities``): written here
only, all three in one transaction per analysis, and the state a reader checks first.

An analysis may prepare its ties on another connection while the graph measures run
(:func:`stage_ties`); :func:`publish` then swaps them in with the other two tables and
the analysis's stamp in one transaction, so a reader sees the whole of one analysis or
the whole of the one before, never a mix.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import duckdb
import numpy as np
import pyarrow as pa

from weakties.errors import StoreError
from weakties.store import relationships
from weakties.store.people import people_stamp
from weakties.store.schema import DERIVED, DERIVED_VERSION

_STAGED = "_next_ties"


@dataclass(frozen=True, slots=True)
class AnalysisStamp:
    """What made the analysis tables: the model, the instant judged, and the facts."""

    model_version: str
    as_of: datetime | None
    facts: str  # people_stamp() of the facts analysed


@dataclass(frozen=True, slots=True)
class AnalysisState:
    """Whether the store's analysis can be read, and whether it is current."""

    analysed: bool
    model_version: str | None
    as_of: datetime | None
    facts_changed: bool  # facts were added (ingest, init, merge) since the analysis
    declared: bool  # the tables are of this weakties' declarations


def stage_ties(con: duckdb.DuckDBPyConnection, ties: pa.Table) -> None:
    """Write the next analysis's ties aside, committed but not yet visible as ``ties``."""
    _run(con, [f"CREATE OR REPLACE TABLE {_STAGED} {DERIVED['ties']}"], _STAGED, ties)


def publish(
    con: duckdb.DuckDBPyConnection,
    stamp: AnalysisStamp,
    *,
    metrics: pa.Table,
    communities: pa.Table,
    ties: pa.Table | None = None,
) -> None:
    """Make an analysis the store's, in one transaction: the ties (given, or staged by
    :func:`stage_ties`), person metrics, communities and the stamp."""
    con.execute("BEGIN TRANSACTION")
    try:
        if ties is None:
            con.execute("DROP TABLE ties")
            con.execute(f"ALTER TABLE {_STAGED} RENAME TO ties")
        else:
            _replace(con, "ties", ties)
        _replace(con, "person_metrics", metrics)
        _replace(con, "communities", communities)
        _fill_relationships(con)
        _fill_owner_contacts(con, stamp.as_of)
        _write_stamp(con, stamp)
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def replace_ties(con: duckdb.DuckDBPyConnection, ties: pa.Table, stamp: AnalysisStamp) -> None:
    """Replace the ties alone (the graph tables are left as they are), in one transaction."""
    con.execute("BEGIN TRANSACTION")
    try:
        _replace(con, "ties", ties)
        _fill_relationships(con)
        _fill_owner_contacts(con, stamp.as_of)
        _write_stamp(con, stamp)
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def state(con: duckdb.DuckDBPyConnection, *, facts: bool = True) -> AnalysisState:
    """The analysis the store holds, read from its stamp; with ``facts=False`` the facts
    are not compared with the analysed ones (a query over the identity tables that the
    questions answered from the analysis do not need) and ``facts_changed`` is False."""
    rows = dict(
        con.execute(
            "SELECT key, value FROM meta WHERE key LIKE 'analysis_%' OR key = 'derived_version'"
        ).fetchall()
    )
    version = rows.get("derived_version")
    declared = version is not None and int(version) == DERIVED_VERSION
    model = rows.get("analysis_model")
    as_of = rows.get("analysis_as_of")
    return AnalysisState(
        analysed=model is not None and declared,
        model_version=model,
        as_of=datetime.fromisoformat(as_of) if as_of else None,
        facts_changed=facts
        and model is not None
        and rows.get("analysis_facts") != people_stamp(con),
        declared=declared,
    )


def require_current(con: duckdb.DuckDBPyConnection, model_version: str) -> AnalysisState:
    """The analysis state (its facts not compared: see :func:`state`); :class:`StoreError`
    when there is none, or when it was made by another model or an older weakties."""
    found = state(con, facts=False)
    if not found.declared and found.model_version is not None:
        raise StoreError(
            "The store's analysis was made by an older weakties.", "Run `weakties analyze` again."
        )
    if not found.analysed:
        raise StoreError("The store has not been analysed yet.", "Run `weakties analyze` first.")
    if found.model_version != model_version:
        raise StoreError(
            f"The store was analysed with model {found.model_version}; "
            f"this weakties uses {model_version}.",
            "Run `weakties analyze` again.",
        )
    return found


def _replace(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> None:
    _run(con, [f"DELETE FROM {name}"], name, table)


def _run(con: duckdb.DuckDBPyConnection, before: list[str], name: str, table: pa.Table) -> None:
    view = f"_derived_{name}"
    for sql in before:
        con.execute(sql)
    con.register(view, table)
    try:
        con.execute(f"INSERT INTO {name} BY NAME SELECT * FROM {view}")
    finally:
        con.unregister(view)


def _write_stamp(con: duckdb.DuckDBPyConnection, stamp: AnalysisStamp) -> None:
    values = {
        "analysis_model": stamp.model_version,
        "analysis_as_of": stamp.as_of.isoformat() if stamp.as_of else "",
        "analysis_facts": stamp.facts,
    }
    rows = [[k, v] for k, v in values.items()]
    con.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", rows)


RELATIONSHIP_BANDS = ("strong", "weak", "dormant")
"""Bands of ties that are relationships: both sides took part (or the user pinned it so)."""

_RELATIONSHIP_COLUMNS = """
    person_id, other, strength, base_strength, band, recency_days, last_contact, messages,
    one_to_one_share, active_weeks, duration_days, replies, reply_latency_h, mutual_contacts
"""


def refresh_relationships(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild ``relationships`` from ``ties`` (after pins changed bands), in one
    transaction."""
    con.execute("BEGIN TRANSACTION")
    try:
        _fill_relationships(con)
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def _fill_relationships(con: duckdb.DuckDBPyConnection) -> None:
    bands = ", ".join(f"'{b}'" for b in RELATIONSHIP_BANDS)
    con.execute("DELETE FROM relationships")
    con.execute(
        f"""
        INSERT INTO relationships
        WITH r AS (
            SELECT person_a, person_b, strength, base_strength, band, recency_days,
                   last_contact, messages, one_to_one_share, active_weeks, duration_days,
                   replies_ab + replies_ba AS replies, reply_latency_h, mutual_contacts
            FROM ties WHERE band IN ({bands})
        )
        SELECT * FROM (
            SELECT person_a AS person_id, person_b AS other, * EXCLUDE (person_a, person_b)
            FROM r
            UNION ALL
            SELECT person_b, person_a, * EXCLUDE (person_a, person_b) FROM r
        ) ORDER BY person_id, other
        """
    )


def relationship_ties(con: duckdb.DuckDBPyConnection, around: list[int] | None = None) -> pa.Table:
    """The ties that are relationships (:data:`RELATIONSHIP_BANDS`), all of them or those
    touching any person in ``around`` (then ordered by ``person_id``, ``other``); once
    each, ``person_id`` one end, ``other`` the other (the end in ``around`` when only one
    is). A process that asks again of the same store reads them from memory
    (:mod:`weakties.store.relationships`)."""
    if around is None:
        return con.sql(
            f"SELECT {_RELATIONSHIP_COLUMNS} FROM relationships WHERE person_id < other"
        ).to_arrow_table()
    people = np.unique(np.asarray(around, dtype=np.int64))
    kept = _held_relationships(con)
    if kept is not None:
        return kept.around(people)
    con.register("_around", pa.table({"p": pa.array(people, pa.int64())}))
    try:
        return con.sql(
            f"""
            SELECT {_RELATIONSHIP_COLUMNS} FROM relationships r
            SEMI JOIN _around a ON r.person_id = a.p
            WHERE r.person_id < r.other OR r.other NOT IN (SELECT p FROM _around)
            ORDER BY r.person_id, r.other
            """
        ).to_arrow_table()
    finally:
        con.unregister("_around")


def ties_between(con: duckdb.DuckDBPyConnection, first: list[int], second: list[int]) -> pa.Table:
    """The relationships with one end in ``first`` (``person_id``) and the other in
    ``second`` (``other``), ordered by ``person_id``, ``other``."""
    one = np.unique(np.asarray(first, dtype=np.int64))
    two = np.unique(np.asarray(second, dtype=np.int64))
    kept = _held_relationships(con)
    if kept is not None:
        return kept.between(one, two)
    # Each relationship is held from both ends with the same values: the rows are found
    # from the smaller side's ``person_id`` (a join DuckDB turns into a filter on the
    # ordered table's scan; half the time of an introduction's largest read on 100k
    # people) and turned round when that side is ``second``.
    small, large = ("_first", "_second") if one.size <= two.size else ("_second", "_first")
    ends = "person_id, other" if small == "_first" else "other AS person_id, person_id AS other"
    con.register("_first", pa.table({"p": pa.array(one, pa.int64())}))
    con.register("_second", pa.table({"p": pa.array(two, pa.int64())}))
    try:
        return con.sql(
            f"""
            SELECT {ends}, * EXCLUDE (person_id, other) FROM (
                SELECT {_RELATIONSHIP_COLUMNS} FROM relationships r
                SEMI JOIN {small} a ON r.person_id = a.p
                SEMI JOIN {large} b ON r.other = b.p
            ) ORDER BY 1, 2
            """
        ).to_arrow_table()
    finally:
        con.unregister("_first")
        con.unregister("_second")


def _held_relationships(con: duckdb.DuckDBPyConnection) -> relationships.Held | None:
    query = f"SELECT {_RELATIONSHIP_COLUMNS} FROM relationships ORDER BY person_id, other"
    return relationships.held(con, "relationships", query)


_PEOPLE_FACTS = """
    SELECT p.person_id, p.display_name AS name, p.org_domain AS organisation,
           p.is_owner, p.automated, m.community_id, c.label AS community, m.degree
    FROM {people} p
    LEFT JOIN {metrics} m USING (person_id)
    LEFT JOIN communities c USING (community_id)
    ORDER BY p.person_id
"""


def people_facts(con: duckdb.DuckDBPyConnection, ids: list[int]) -> pa.Table:
    """Name, organisation, community and owner flag of each person in ``ids``, ordered
    by person (from memory when the process has asked before: see
    :mod:`weakties.store.relationships`)."""
    wanted = np.unique(np.asarray(ids, dtype=np.int64))
    kept = relationships.held(
        con, "people", _PEOPLE_FACTS.format(people="people", metrics="person_metrics")
    )
    if kept is not None:
        return kept.of(wanted)
    con.register("_who", pa.table({"person_id": pa.array(wanted, pa.int64())}))
    try:
        people = "(SELECT * FROM people SEMI JOIN _who USING (person_id))"
        metrics = "(SELECT * FROM person_metrics SEMI JOIN _who USING (person_id))"
        return con.sql(_PEOPLE_FACTS.format(people=people, metrics=metrics)).to_arrow_table()
    finally:
        con.unregister("_who")


def co_participants(
    con: duckdb.DuckDBPyConnection, first: list[int], second: list[int], *, most: int = 10
) -> set[int]:
    """Everyone who took part in an interaction of at most ``most`` people, not a bulk or
    automated one, that someone of ``first`` and someone of ``second`` both took part in
    (the threads they share; an announcement to the whole company is none)."""
    con.register("_first", pa.table({"person_id": pa.array(first, pa.int64())}))
    con.register("_second", pa.table({"person_id": pa.array(second, pa.int64())}))
    try:
        rows = con.execute(
            """
            WITH a AS (
                SELECT DISTINCT p.interaction_id FROM participants p
                JOIN identities i USING (address) JOIN _first f USING (person_id)
            ),
            b AS (
                SELECT DISTINCT p.interaction_id FROM participants p
                JOIN identities i USING (address) JOIN _second s USING (person_id)
            ),
            shared AS (
                SELECT interaction_id FROM a INTERSECT SELECT interaction_id FROM b
                INTERSECT SELECT interaction_id FROM interactions
                WHERE n_participants <= $most AND NOT bulk AND NOT automated
            )
            SELECT DISTINCT i.person_id FROM shared
            JOIN participants p USING (interaction_id) JOIN identities i USING (address)
            """,
            {"most": most},
        ).fetchall()
    finally:
        con.unregister("_first")
        con.unregister("_second")
    return {int(r[0]) for r in rows}


COVERAGE_DAYS = 90
"""The length of each of the two windows of account coverage before the analysis's
instant: the last 90 days, and the 90 before them for the trend."""


def coverage_windows(as_of: datetime | None) -> tuple[datetime, datetime, datetime]:
    """The start of the earlier coverage window, the start of the later one, and the end
    (the analysis's instant; now when the store has nothing to date it by)."""
    end = as_of or datetime.now(UTC)
    return end - timedelta(days=2 * COVERAGE_DAYS), end - timedelta(days=COVERAGE_DAYS), end


def _fill_owner_contacts(con: duckdb.DuckDBPyConnection, as_of: datetime | None) -> None:
    before, start, end = coverage_windows(as_of)
    counted = count_owner_contacts(con, before, end + timedelta(seconds=1), split=start)
    con.execute("DELETE FROM owner_contacts")
    if counted.num_rows:
        con.register("_counted", counted)
        try:
            con.execute(
                "INSERT INTO owner_contacts "
                "SELECT owner, person, later, sent, received, mutual FROM _counted"
            )
        finally:
            con.unregister("_counted")


def owner_contacts(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """The analysis's counts of :func:`count_owner_contacts` over its two coverage
    windows (:func:`coverage_windows`; ``later`` for the last one)."""
    return con.sql(
        "SELECT owner, person, later, sent, received, mutual FROM owner_contacts"
    ).to_arrow_table()


def count_owner_contacts(
    con: duckdb.DuckDBPyConnection, start: datetime, end: datetime, *, split: datetime | None = None
) -> pa.Table:
    """Per owner and other person, the contacts between them in ``[start, end)``: from the
    owner (``sent``), to the owner (``received``), and on mutual channels (``mutual``),
    leaving out automated and bulk interactions and automated addresses. With ``split``,
    two windows in one pass: ``later`` says whether a row counts ``[split, end)`` (else
    ``[start, split)``).

    Only the interactions an owner took part in are read (``owned``): a few thousand of
    an organisation's millions, found from the owners' few addresses."""
    from weakties.channels import names_where, sql_list

    mutual = sql_list(names_where(mutual=True))
    return con.sql(
        f"""
        WITH owned AS (
            SELECT DISTINCT interaction_id FROM participants
            WHERE role <> 'member' AND address IN (
                SELECT i.address FROM identities i JOIN people o USING (person_id)
                WHERE o.is_owner AND NOT i.automated
            )
        ),
        live AS (
            SELECT interaction_id,
                   channel IN ({mutual}) AND coalesce(duration_s, 1) > 0 AS is_mutual,
                   ts >= $split AS later
            FROM interactions
            WHERE ts >= $start AND ts < $end AND NOT automated AND NOT bulk
              AND interaction_id IN (SELECT interaction_id FROM owned)
        ),
        who AS (
            SELECT p.interaction_id, i.person_id, bool_or(p.role IN ('from', 'organizer')) AS sends
            FROM participants p JOIN identities i USING (address)
            WHERE p.interaction_id IN (SELECT interaction_id FROM live) AND NOT i.automated
              AND p.role <> 'member'
            GROUP BY ALL
        ),
        mine AS (
            SELECT w.* FROM who w JOIN people o ON o.person_id = w.person_id AND o.is_owner
        )
        SELECT m.person_id AS owner, w.person_id AS person, l.later,
               count(*) FILTER (WHERE m.sends AND NOT w.sends) AS sent,
               count(*) FILTER (WHERE w.sends AND NOT m.sends) AS received,
               count(*) FILTER (WHERE l.is_mutual) AS mutual
        FROM mine m JOIN who w ON w.interaction_id = m.interaction_id
             AND w.person_id <> m.person_id
        JOIN live l ON l.interaction_id = m.interaction_id
        GROUP BY ALL
        """,
        params={"start": start, "end": end, "split": end if split is None else split},
    ).to_arrow_table()


_OUR_ORGS = "SELECT org_domain FROM people WHERE is_owner AND org_domain IS NOT NULL"


def organisation_members(con: duckdb.DuckDBPyConnection) -> dict[str, list[int]]:
    """The people of every organisation other than the owners' own (accounts), by
    organisation; automated senders left out."""
    rows = con.execute(
        f"""
        SELECT org_domain, list(person_id ORDER BY person_id) FROM people
        WHERE org_domain IS NOT NULL AND NOT automated AND NOT is_owner
          AND org_domain NOT IN ({_OUR_ORGS})
        GROUP BY org_domain
        """
    ).fetchall()
    return {str(org): [int(p) for p in ids] for org, ids in rows}


def organisation_history(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Per organisation, how many of its people ever had a two-way tie with an owner."""
    rows = con.execute(
        f"""
        WITH owners AS (SELECT person_id FROM people WHERE is_owner),
        owner_ties AS (
            SELECT CASE WHEN t.person_a IN (SELECT person_id FROM owners)
                        THEN t.person_b ELSE t.person_a END AS other
            FROM ties t
            WHERE t.two_way AND (t.person_a IN (SELECT person_id FROM owners)
                                 OR t.person_b IN (SELECT person_id FROM owners))
        )
        SELECT p.org_domain, count(DISTINCT p.person_id) FROM owner_ties o
        JOIN people p ON p.person_id = o.other
        WHERE p.org_domain IS NOT NULL AND p.org_domain NOT IN ({_OUR_ORGS})
        GROUP BY p.org_domain
        """
    ).fetchall()
    return {str(org): int(n) for org, n in rows}


def best_teammates(con: duckdb.DuckDBPyConnection, people: list[int]) -> pa.Table:
    """For each person, the owner with the strongest tie to them: that tie's strength,
    band and last contact when two-way; people no owner is tied to have NULLs."""
    con.register("_people", pa.table({"person_id": pa.array(people, pa.int64())}))
    try:
        return con.sql(
            """
            WITH owned AS (
                SELECT CASE WHEN a.is_owner THEN t.person_b ELSE t.person_a END AS person_id,
                       CASE WHEN a.is_owner THEN a.display_name ELSE b.display_name END
                           AS teammate,
                       t.strength, t.band,
                       CASE WHEN t.two_way THEN t.last_contact END AS last_two_way
                FROM ties t
                JOIN people a ON a.person_id = t.person_a
                JOIN people b ON b.person_id = t.person_b
                WHERE a.is_owner <> b.is_owner
            ),
            best AS (
                SELECT *, row_number() OVER (
                    PARTITION BY person_id ORDER BY strength DESC, teammate) AS k
                FROM owned WHERE person_id IN (SELECT person_id FROM _people)
            )
            SELECT p.display_name AS person, p.person_id,
                   (SELECT max(c.title) FROM contacts c
                      JOIN contact_identities ci USING (contact_id)
                      JOIN identities i USING (address)
                     WHERE i.person_id = p.person_id AND c.title <> '') AS title,
                   b.teammate, b.strength, b.band, b.last_two_way
            FROM _people w JOIN people p USING (person_id)
            LEFT JOIN best b ON b.person_id = p.person_id AND b.k = 1
            """
        ).to_arrow_table()
    finally:
        con.unregister("_people")
