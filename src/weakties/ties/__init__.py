"""Ties: features per pair of people, strength, band and explanation.

:func:`compute_ties` runs the one features query (:mod:`weakties.ties.features`),
scores it (:mod:`weakties.ties.strength`), explains it
(:mod:`weakties.ties.explain`), materialises it as the derived table ``ties``
stamped with :data:`MODEL_VERSION`, and applies the user's pins
(:mod:`weakties.ties.pins`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import duckdb
import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from weakties.store import derived
from weakties.store.db import arrow
from weakties.store.people import people_stamp
from weakties.ties.explain import TieRow, explain, rows
from weakties.ties.explain_columns import explain_table
from weakties.ties.features import (
    duckdb_counting,
    install_shims,
    latest_timestamp,
    tie_features_sql,
    timestamp_literal,
)
from weakties.ties.pins import apply_pins, pin_bands, pin_tie, pins, unpin_tie
from weakties.ties.strength import (
    DEFAULT_PARAMS,
    DEFAULT_RULES,
    Band,
    BandRules,
    Reference,
    Scores,
    StrengthParams,
    TieInputs,
    band,
    scores,
    strength,
)

TABLE_EXPLAIN_FROM = 2000
"""From this many ties on, explanations are built for the whole table in SQL (the same
words, see :mod:`weakties.ties.explain_columns`); below, tie by tie is quicker than
opening the in-memory engine (about 0.1 s)."""

MODEL_VERSION = "ties-2"
"""Stamped on every row of ``ties``; bumped whenever features or model change."""

__all__ = [
    "DEFAULT_PARAMS",
    "DEFAULT_RULES",
    "MODEL_VERSION",
    "Band",
    "BandRules",
    "Reference",
    "Scores",
    "StrengthParams",
    "TieInputs",
    "TieRow",
    "apply_pins",
    "band",
    "compute_ties",
    "explain",
    "explanations",
    "pin_tie",
    "pins",
    "rows",
    "score",
    "scored_ties",
    "scores",
    "strength",
    "tie_features",
    "tie_features_sql",
    "unpin_tie",
    "with_explanations",
]

FeaturesEngine = Callable[[duckdb.DuckDBPyConnection, datetime], pa.Table]
"""What computes the features table of a store's ties as of an instant."""

NAMED = """
SELECT f.*,
       COALESCE(pa.display_name, pa.primary_address, 'person ' || CAST(f.person_a AS STRING))
           AS name_a,
       COALESCE(pb.display_name, pb.primary_address, 'person ' || CAST(f.person_b AS STRING))
           AS name_b,
       COALESCE(pa.is_owner, false) AS owner_a,
       COALESCE(pb.is_owner, false) AS owner_b
FROM ({features}) f
LEFT JOIN people pa ON pa.person_id = f.person_a
LEFT JOIN people pb ON pb.person_id = f.person_b
"""


def compute_ties(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: datetime | None = None,
    params: StrengthParams = DEFAULT_PARAMS,
    rules: BandRules = DEFAULT_RULES,
) -> pa.Table:
    """Compute every tie and replace the ``ties`` table with them.

    ``as_of`` is the instant ties are judged at; interactions after it are left
    out. It defaults to the latest interaction in the store, so that a historic
    corpus is judged in its own time.
    """
    _materialise(con, scored_ties(con, as_of=as_of, params=params, rules=rules))
    return arrow(con, "SELECT * FROM ties ORDER BY person_a, person_b")


def scored_ties(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: datetime | None = None,
    params: StrengthParams = DEFAULT_PARAMS,
    rules: BandRules = DEFAULT_RULES,
    explained: bool = True,
    features: FeaturesEngine | None = None,
) -> pa.Table:
    """Every tie with its features, scores, band, explanation and pins.

    ``features`` computes the features table in another engine (Spark: see
    :mod:`weakties.ties.spark`); by default the store's DuckDB runs the query.

    What :func:`compute_ties` stores, without storing it: the analysis adds the graph's
    columns first and writes the table once. With ``explained=False`` the explanation
    column is left NULL, for the caller to fill with :func:`with_explanations` later.
    Rows come in the features query's own order, which varies from run to run: sorting
    every column of the scale-10 demo organisation's 68k ties took 0.02-0.05 s, and
    readers sort what they need (the stored table is read back ordered by pair, the
    tie graph sorts its three columns).
    """
    moment = as_of or latest_timestamp(con) or datetime.now(UTC)
    found = (features or tie_features)(con, moment)
    table = score(found, params, rules, explained=explained)
    return pin_bands(con, table)


def tie_features(con: duckdb.DuckDBPyConnection, as_of: datetime) -> pa.Table:
    """The features of every tie as of ``as_of``, with the two people's names."""
    install_shims(con)
    sql = tie_features_sql(timestamp_literal(as_of), duckdb_counting(con, as_of))
    return arrow(con, NAMED.format(features=sql))


def score(
    features: pa.Table,
    params: StrengthParams = DEFAULT_PARAMS,
    rules: BandRules = DEFAULT_RULES,
    *,
    explained: bool = True,
) -> pa.Table:
    """Append scores, model band and explanation to a features table (the explanation
    NULL with ``explained=False``: see :func:`explanations`)."""
    inputs = TieInputs.from_table(features)
    two_way = features.column("two_way").to_numpy(zero_copy_only=False).astype(np.bool_)
    s = scores(inputs, params)
    bands = band(strength=s.strength, base=s.base, decay=s.decay, two_way=two_way, rules=rules)
    table = _append(features, s, bands)
    n = table.num_rows
    said = explanations(table) if explained else pa.nulls(n, pa.string())
    table = table.append_column("band", pa.array(bands.tolist(), pa.string()))
    table = table.append_column("pinned", pa.array(np.zeros(n, dtype=bool), pa.bool_()))
    table = table.append_column("explanation", said)
    return table.append_column("model_version", pa.array([MODEL_VERSION] * n, pa.string()))


def explanations(table: pa.Table) -> pa.Array:
    """Each tie's explanation in words, from a scored ties table (its features, scores
    and ``model_band``): one SQL expression over a large table, row by row otherwise."""
    if table.num_rows >= TABLE_EXPLAIN_FROM:
        return explain_table(table)
    return pa.array([explain(row) for row in rows(table)], pa.string())


def with_explanations(table: pa.Table) -> pa.Table:
    """A scored ties table with its explanation column filled in."""
    index = table.column_names.index("explanation")
    return table.set_column(index, "explanation", explanations(table))


def _append(features: pa.Table, s: Scores, bands: NDArray[np.str_]) -> pa.Table:
    columns = {
        "time_score": s.time,
        "intensity_score": s.intensity,
        "intimacy_score": s.intimacy,
        "reciprocity_score": s.reciprocity,
        "decay": s.decay,
        "base_strength": s.base,
        "strength": s.strength,
    }
    table = features
    for name, values in columns.items():
        table = table.append_column(name, pa.array(values, pa.float64()))
    return table.append_column("model_band", pa.array(bands.tolist(), pa.string()))


def _materialise(con: duckdb.DuckDBPyConnection, table: pa.Table) -> None:
    """Replace ``ties`` with ``table`` and apply the pins."""
    as_of = table.column("as_of")[0].as_py() if table.num_rows else None
    stamp = derived.AnalysisStamp(MODEL_VERSION, as_of, people_stamp(con))
    derived.replace_ties(con, table, stamp)
    apply_pins(con)
