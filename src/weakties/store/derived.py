"""The analysis tables (``ties``, ``person_metrics``, ``communities``): written here
only, all three in one transaction per analysis, and the state a reader checks first.

An analysis may prepare its ties on another connection while the graph measures run
(:func:`stage_ties`); :func:`publish` then swaps them in with the other two tables and
the analysis's stamp in one transaction, so a reader sees the whole of one analysis or
the whole of the one before, never a mix.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb
import pyarrow as pa

from weakties.errors import StoreError
from weakties.store.db import first_row
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
        _write_stamp(con, stamp)
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def state(con: duckdb.DuckDBPyConnection) -> AnalysisState:
    """The analysis the store holds, read from its stamp."""
    rows = dict(con.execute("SELECT key, value FROM meta WHERE key LIKE 'analysis_%'").fetchall())
    version = first_row(con.execute("SELECT value FROM meta WHERE key = 'derived_version'"))
    declared = bool(version) and int(version[0]) == DERIVED_VERSION  # type: ignore[index]
    model = rows.get("analysis_model")
    as_of = rows.get("analysis_as_of")
    return AnalysisState(
        analysed=model is not None and declared,
        model_version=model,
        as_of=datetime.fromisoformat(as_of) if as_of else None,
        facts_changed=model is not None and rows.get("analysis_facts") != people_stamp(con),
        declared=declared,
    )


def require_current(con: duckdb.DuckDBPyConnection, model_version: str) -> AnalysisState:
    """The analysis state; :class:`StoreError` when there is none, or when it was made
    by another model or an older weakties."""
    found = state(con)
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
    t.person_a, t.person_b, t.strength, t.base_strength, t.band, t.recency_days,
    t.last_contact, t.messages, t.one_to_one_share, t.active_days, t.explanation
"""


def relationship_ties(con: duckdb.DuckDBPyConnection, around: list[int] | None = None) -> pa.Table:
    """The ties that are relationships (:data:`RELATIONSHIP_BANDS`), all of them or those
    touching any person in ``around``."""
    bands = ", ".join(f"'{b}'" for b in RELATIONSHIP_BANDS)
    if around is None:
        return con.sql(
            f"SELECT {_RELATIONSHIP_COLUMNS} FROM ties t WHERE t.band IN ({bands})"
        ).to_arrow_table()
    con.register("_around", pa.table({"person_id": pa.array(around, pa.int64())}))
    try:
        return con.sql(
            f"""
            SELECT {_RELATIONSHIP_COLUMNS} FROM ties t
            WHERE t.band IN ({bands})
              AND (t.person_a IN (SELECT person_id FROM _around)
                   OR t.person_b IN (SELECT person_id FROM _around))
            """
        ).to_arrow_table()
    finally:
        con.unregister("_around")


def people_facts(con: duckdb.DuckDBPyConnection, ids: list[int]) -> pa.Table:
    """Name, organisation, community and owner flag of each person in ``ids``."""
    con.register("_who", pa.table({"person_id": pa.array(ids, pa.int64())}))
    try:
        return con.sql(
            """
            SELECT p.person_id, p.display_name AS name, p.org_domain AS organisation,
                   p.is_owner, p.automated, m.community_id, c.label AS community
            FROM _who w JOIN people p USING (person_id)
            LEFT JOIN person_metrics m USING (person_id)
            LEFT JOIN communities c USING (community_id)
            """
        ).to_arrow_table()
    finally:
        con.unregister("_who")
