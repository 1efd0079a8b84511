"""`weakties analyze`: rebuild every derived table from the facts.

Steps: people (identity resolution) → ties (features, strength, bands) → the graph of
relationships → communities (Leiden) → overlap and bridges → brokerage and connectors.

Structure is measured on relationships only (:data:`GRAPH_BANDS`): ties both sides took
part in. One-way contact (a newsletter, an announcement to 349 people, mail nobody
answered) is attention, not a relationship: it never makes anyone a connector, a bridge
or a broker. It may still say where someone belongs, so a person whose ties are all
one-way is *placed* in the community their one-way ties point to
(:func:`weakties.graph.place`), without taking part in any measure.
The ties are staged on a second connection while the graph measures run; then ties,
person metrics and communities are published with the analysis's stamp in one
transaction (:mod:`weakties.store.derived`), so a later read never sees half an
analysis.
"""

from __future__ import annotations

import os
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from weakties import graph
from weakties.errors import InputError, OutOfMemoryError
from weakties.identity.rebuild import rebuild_people_if_stale
from weakties.progress import ProgressSink
from weakties.store import derived
from weakties.store.db import first_row
from weakties.store.people import people_stamp
from weakties.store.reads import ORGANISATION
from weakties.store.tuning import collector_paused, memory_at_least, release_buffers, size_bytes
from weakties.ties import MODEL_VERSION, FeaturesEngine, scored_ties, with_explanations

GRAPH_BANDS = ("strong", "weak", "dormant")
"""Ties that enter the graph, each weighted by its strength: relationships, that is ties
both sides took part in (``two_way``), or that the user pinned as one of these bands.

One-way ties stay out of communities, overlap, bridges and brokerage; they only place
people who have no relationship in the graph (see the module docstring). On SNAP
email-Eu-core (``bench/snap_communities.py``) this scores NMI 0.71 against the 42
departments over all 1,005 people (0.76 over the 776 with a reciprocated tie), where
putting every one-way tie in the graph at half weight scored 0.73: the price of never
letting unanswered mail make a connector or a bridge."""

PLACED_BY = ("one-way",)
"""Ties that may place a person outside the graph in a community."""

STEPS = ("people", "ties", "graph", "communities", "bridges", "connectors", "write")

ANALYSIS_MEMORY_LIMIT = "2GB"
"""The least the machine's share of memory for the analysis may be (see
:data:`MACHINE_SHARE`), on the smallest machines.

The store is opened with a small limit that keeps ingest's memory flat; the features
query's hash tables need more. On the scale-10 demo organisation (460k interactions)
they reach about 0.5 GB, and under a 512 MB limit the query ran about 2x slower
(2.5-3.0 s against 1.2-1.5 s, same run)."""

MACHINE_SHARE = 4
"""DuckDB may use a quarter of the machine's memory while analysing (at least
:data:`ANALYSIS_MEMORY_LIMIT`, at most :data:`MOST_MEMORY`). Not all of the features
query's operators spill to disk: on a generated organisation of 150,000 people and
7.8M interactions (5.4M ties) it ran out of memory under 2 GB, with one thread and a
spill folder too, and finished under 4 GB. The rest of the analysis (the ties as Arrow
columns, the graph) lives outside DuckDB's limit: there the process peaked at 5.7 GB
with 4 GB for DuckDB, so a quarter keeps the whole within about half the machine."""

MOST_MEMORY = 16 * 1024**3
"""The most DuckDB may use while analysing unless told (16 GiB)."""

BYTES_PER_PARTICIPANT = 200
"""The analysis's first memory limit, per participant row of the store (at least
:data:`FIRST_MEMORY`, at most the machine's share); each time DuckDB runs out, the
analysis starts again with twice the limit, up to the machine's share. Taking the whole
share at once let DuckDB keep what it did not need: the features query of a dense
organisation log (20,000 people, 1.94M interactions, 4.97M participant rows) ran in
1 GB, where the process then peaked at 1.42 GB, against 2.0 GB with 5.8 GB allowed.
Measured needs: that log fitted in 0.7 GB (141 bytes a row); 100,000 people and 4.85M
interactions (12.5M rows) did not fit in 1.5 GB and did in 2 GB (120-160 bytes a row);
150,000 people and 7.76M interactions (about 20M rows) did not fit in 2 GB and did in
4 GB (100-200 bytes a row)."""

FIRST_MEMORY = "1GiB"
"""The least the first try may use: under 512 MB the scale-10 demo organisation's features
query ran about 2x slower (see :data:`ANALYSIS_MEMORY_LIMIT`)."""


@dataclass(frozen=True, slots=True)
class AnalysisSummary:
    """What an analysis produced."""

    people: int
    ties: int
    ties_by_band: dict[str, int]
    graph_people: int  # people with a relationship: in the graph, measured
    placed_people: int  # people with one-way ties only, placed in a community
    graph_ties: int
    communities: int
    modularity: float
    resolution: float
    bridges: int
    as_of: datetime | None


def analyze(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: datetime | None = None,
    progress: ProgressSink | None = None,
    features: FeaturesEngine | None = None,
) -> AnalysisSummary:
    """Rebuild people, ties, communities, bridges and brokerage from the facts.

    ``features`` computes the tie features in another engine (Spark); the scoring and
    the graph steps are the same whichever engine did.

    An empty store is an input error: there is nothing to analyse yet; so is an
    ``as_of`` before the first interaction (the analysis in the store is left as it is).
    """
    if not _count(con, "SELECT count(*) FROM interactions"):
        raise InputError(
            "Nothing to analyse: the store holds no interactions yet.",
            "Ingest mail or an interaction log first: weakties ingest PATH.",
        )
    if as_of is not None:
        _check_as_of(con, as_of)
    *smaller, most = memory_limits(_count(con, "SELECT count(*) FROM participants"))

    def run(limit: str, again: bool) -> AnalysisSummary:
        with memory_at_least(con, limit), collector_paused():
            return _analyze(con, as_of, progress, features, again=again)

    limit = most
    try:
        for attempt, limit in enumerate(smaller):
            try:
                return run(limit, again=attempt > 0)
            except duckdb.OutOfMemoryException:
                continue  # nothing was written: the analysis publishes in one transaction
        limit = most
        return run(limit, again=bool(smaller))
    except (duckdb.OutOfMemoryException, MemoryError) as exc:  # Python's own: not retried
        raise OutOfMemoryError(
            f"The analysis ran out of memory (DuckDB may use {limit}); the store's "
            "previous analysis is kept.",
            f"Give it more with {MEMORY_ENV}=8GB on a machine that has it, or compute the "
            "tie features on Spark: weakties analyze --engine spark.",
        ) from exc


MEMORY_ENV = "WEAKTIES_MEMORY_LIMIT"
"""The environment variable that sets DuckDB's memory limit while analysing."""


def analysis_memory_limit() -> str:
    """The most DuckDB may use while analysing: ``$WEAKTIES_MEMORY_LIMIT`` (``4GB``,
    ``512MB``) when set, else a share of the machine (:data:`MACHINE_SHARE`)."""
    return _given_limit() or machine_memory_limit(machine_memory())


def _given_limit() -> str | None:
    """``$WEAKTIES_MEMORY_LIMIT`` when set (an input error when it is not a size)."""
    given = os.environ.get(MEMORY_ENV, "").strip()
    if not given:
        return None
    try:
        size_bytes(given)
    except ValueError as exc:
        raise InputError(
            f"{MEMORY_ENV}={given!r} is not a size.", "Write it like 4GB or 512MB."
        ) from exc
    return given


def memory_limits(participants: int) -> list[str]:
    """The memory limits the analysis tries in turn: ``$WEAKTIES_MEMORY_LIMIT`` alone when
    set; else one sized to the store (:data:`BYTES_PER_PARTICIPANT`), doubled until the
    machine's share, which is the last."""
    given = _given_limit()
    if given:
        return [given]
    most = machine_memory_limit(machine_memory())
    ceiling = size_bytes(most)
    size = max(size_bytes(FIRST_MEMORY), BYTES_PER_PARTICIPANT * participants)
    limits = []
    while size < ceiling:
        limits.append(f"{int(size) // 1024**2}MiB")
        size *= 2
    return [*limits, most]


def machine_memory_limit(total: int | None) -> str:
    """The analysis's memory limit on a machine of ``total`` bytes (None: unknown)."""
    floor = int(size_bytes(ANALYSIS_MEMORY_LIMIT))
    share = floor if total is None else min(max(total // MACHINE_SHARE, floor), MOST_MEMORY)
    return f"{share // 1024**2}MiB"


def machine_memory() -> int | None:
    """The memory this process may have: the machine's, or less when a control group
    (a container) caps it; None when neither can be read."""
    try:
        total: int | None = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        total = None
    for cap in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            with open(cap) as fh:
                text = fh.read().strip()
        except OSError:
            continue
        if text.isdigit():
            total = int(text) if total is None else min(total, int(text))
    return total


def _analyze(
    con: duckdb.DuckDBPyConnection,
    as_of: datetime | None,
    progress: ProgressSink | None,
    features: FeaturesEngine | None = None,
    *,
    again: bool = False,
) -> AnalysisSummary:
    step = _Steps(progress, "analyze, again with more memory" if again else "analyze")
    step("people")
    rebuild_people_if_stale(con)
    facts = people_stamp(con)
    # DuckDB work that nothing else waits for (the explanations, then the ties
    # table) runs on this thread, without the GIL, beside the graph measures.
    with ThreadPoolExecutor(max_workers=1) as background, ExitStack() as stack:
        step("ties")
        ties = scored_ties(con, as_of=as_of, explained=False, features=features)
        release_buffers(con)  # the query's cache, no longer needed, out of the graph's way
        explaining = background.submit(with_explanations, ties)
        step("graph")
        keep, g = tie_graph(ties)
        between = graph.betweenness_started(g)  # on another core when it repays one
        stack.callback(between.close)
        who = background.submit(_people_apart, con, g.person_ids)  # for the labels
        step("communities")
        found = graph.leiden(g)
        placed = place_one_way(ties, g, found)
        step("bridges")
        bridges = graph.bridge_scores(g, found.membership)
        mutual = graph.common_neighbours(g)
        writing = background.submit(_write_ties_apart, con, explaining, keep, g, bridges, mutual)
        step("connectors")
        brokerage = graph.connectors(g, found.membership, between=between)
        step("write")
        labels = _labels(g, found, who.result())
        metrics = _people_table(g, found, brokerage, placed)
        groups = _communities_table(found, labels, placed)
        writing.result()
        stamp = derived.AnalysisStamp(MODEL_VERSION, _as_of(ties) or as_of, facts)
        derived.publish(con, stamp, metrics=metrics, communities=groups)
    step.done()
    bands = ties.group_by("band").aggregate([("band", "count")]).to_pylist()
    return AnalysisSummary(
        people=_count(con, "SELECT count(*) FROM people WHERE NOT automated"),
        ties=ties.num_rows,
        ties_by_band={str(r["band"]): int(r["band_count"]) for r in bands},
        graph_people=g.n_vertices,
        placed_people=int(placed.person_ids.size),
        graph_ties=g.n_edges,
        communities=found.n_communities,
        modularity=found.modularity,
        resolution=found.resolution,
        bridges=int(bridges.is_bridge.sum()),
        as_of=_as_of(ties) or as_of,
    )


def tie_graph(ties: pa.Table) -> tuple[np.ndarray, graph.TieGraph]:
    """Which ties enter the graph (relationships: their band is in :data:`GRAPH_BANDS`),
    and the graph they make, weighted by strength.

    Edges are added in pair order whatever the order of ``ties``, so the graph, and
    what is computed on it, is the same from one run to the next.
    """
    inside = pc.is_in(ties.column("band"), value_set=pa.array(GRAPH_BANDS, pa.string()))
    keep = inside.to_numpy(zero_copy_only=False).astype(np.bool_)
    kept = ties.select(["person_a", "person_b", "strength"]).filter(inside)  # not all 49
    a, b = kept.column("person_a").to_numpy(), kept.column("person_b").to_numpy()
    order = np.lexsort((b, a))
    g = graph.from_ties(a[order], b[order], kept.column("strength").to_numpy()[order])
    return keep, g


def place_one_way(ties: pa.Table, g: graph.TieGraph, found: graph.Communities) -> graph.Placement:
    """People outside the graph of relationships placed in its communities by their
    one-way ties (:data:`PLACED_BY`), each tie's vote its strength."""
    one_way = pc.is_in(ties.column("band"), value_set=pa.array(PLACED_BY, pa.string()))
    rows = ties.select(["person_a", "person_b", "strength"]).filter(one_way)
    return graph.place(
        g,
        found.membership,
        rows.column("person_a").to_numpy(),
        rows.column("person_b").to_numpy(),
        rows.column("strength").to_numpy(),
    )


class _Steps:
    def __init__(self, sink: ProgressSink | None, label: str) -> None:
        self._sink = sink
        if sink:
            sink.start(label, len(STEPS))

    def __call__(self, name: str) -> None:
        if self._sink and name != STEPS[0]:
            self._sink.advance(1)

    def done(self) -> None:
        if self._sink:
            self._sink.advance(1)
            self._sink.finish()


def _labels(
    g: graph.TieGraph, found: graph.Communities, people: dict[int, tuple[str | None, str]]
) -> tuple[str, ...]:
    orgs = [people.get(int(p), (None, ""))[0] for p in g.person_ids]
    names = [people.get(int(p), (None, str(p)))[1] for p in g.person_ids]
    return graph.label_communities(g, found, orgs, names)


def _people_apart(
    con: duckdb.DuckDBPyConnection, ids: np.ndarray
) -> dict[int, tuple[str | None, str]]:
    """Organisation and name of each person in ``ids``, on a connection of its own (for
    another thread to run)."""
    own = con.cursor()
    try:
        own.register("_analysis_ids", pa.table({"person_id": pa.array(ids, pa.int64())}))
        rows = own.execute(
            f"SELECT p.person_id, {ORGANISATION}, p.display_name FROM people p "
            "JOIN _analysis_ids USING (person_id) "
            "LEFT JOIN organisations orgs ON orgs.org_domain = p.org_domain"
        ).fetchall()
    finally:
        own.close()
    return {int(pid): (org, str(name)) for pid, org, name in rows}


def _write_ties(
    con: duckdb.DuckDBPyConnection,
    ties: pa.Table,
    keep: np.ndarray,
    g: graph.TieGraph,
    bridges: graph.Bridges,
    mutual: np.ndarray,
) -> None:
    """Stage ``ties`` with mutual contacts, overlap and the bridge columns (NULL outside
    the graph) for the analysis to publish."""
    inside = np.flatnonzero(keep)
    edge = np.zeros(ties.num_rows, dtype=np.int64)
    edge[inside] = g.edge_ids(
        g.vertices(ties.column("person_a").to_numpy()[inside]),
        g.vertices(ties.column("person_b").to_numpy()[inside]),
    )
    missing = ~np.asarray(keep, dtype=np.bool_)

    def per_tie(values: np.ndarray, kind: pa.DataType) -> pa.Array:
        found = values[edge] if values.size else np.zeros(edge.size, dtype=values.dtype)
        return pa.array(found, kind, mask=missing)

    columns = {
        "mutual_contacts": per_tie(mutual, pa.int64()),
        "overlap": per_tie(bridges.overlap, pa.float64()),
        "bridge_score": per_tie(bridges.score, pa.float64()),
        "is_bridge": per_tie(bridges.is_bridge, pa.bool_()),
        "cross_community": per_tie(bridges.cross_community, pa.bool_()),
    }
    for name, values in columns.items():
        if name in ties.column_names:
            ties = ties.set_column(ties.column_names.index(name), name, values)
        else:
            ties = ties.append_column(name, values)
    derived.stage_ties(con, ties)


def _write_ties_apart(
    con: duckdb.DuckDBPyConnection,
    explained: Future[pa.Table],
    keep: np.ndarray,
    g: graph.TieGraph,
    bridges: graph.Bridges,
    mutual: np.ndarray,
) -> None:
    """:func:`_write_ties` of the ties being explained, on a connection of its own (for
    another thread to run)."""
    own = con.cursor()
    try:
        _write_ties(own, explained.result(), keep, g, bridges, mutual)
    finally:
        own.close()


def _people_table(
    g: graph.TieGraph,
    found: graph.Communities,
    brokerage: graph.Brokerage,
    placed: graph.Placement,
) -> pa.Table:
    """One row per person in the graph, with their measures, then one per placed person
    (a community, no ties in the graph, no measures)."""
    n, k = g.n_vertices, int(placed.person_ids.size)
    nothing = np.full(k, np.nan)

    def both(measured: np.ndarray, absent: np.ndarray, kind: pa.DataType) -> pa.Array:
        return pa.array(np.concatenate([measured, absent]), kind, from_pandas=True)

    return pa.table(
        {
            "person_id": both(g.person_ids, placed.person_ids, pa.int64()),
            "community_id": both(found.membership, placed.community, pa.int64()),
            "placed": both(np.zeros(n, np.bool_), np.ones(k, np.bool_), pa.bool_()),
            "degree": both(g.degree(), np.zeros(k, np.int64), pa.int64()),
            "constraint_": both(brokerage.constraint, nothing, pa.float64()),
            "effective_size": both(brokerage.effective_size, nothing, pa.float64()),
            "communities_spanned": both(
                brokerage.communities_spanned, np.zeros(k, np.int64), pa.int64()
            ),
            "betweenness": both(brokerage.betweenness, nothing, pa.float64()),
            "connector_score": both(brokerage.score, nothing, pa.float64()),
            "model_version": pa.array([MODEL_VERSION] * (n + k), pa.string()),
        }
    )


def _communities_table(
    found: graph.Communities, labels: tuple[str, ...], placed: graph.Placement
) -> pa.Table:
    sizes = found.sizes()
    joined = np.bincount(placed.community, minlength=sizes.size).astype(np.int64)
    return pa.table(
        {
            "community_id": pa.array(np.arange(sizes.size), pa.int64()),
            "size": pa.array(sizes + joined, pa.int64()),
            "placed": pa.array(joined, pa.int64()),
            "label": pa.array(list(labels), pa.string()),
            "model_version": pa.array([MODEL_VERSION] * sizes.size, pa.string()),
        }
    )


def _check_as_of(con: duckdb.DuckDBPyConnection, as_of: datetime) -> None:
    """An ``as_of`` before every dated interaction would judge nothing: refuse it."""
    row = first_row(
        con.execute(
            "SELECT min(ts) FROM interactions "
            "WHERE ts IS NOT NULL AND (date_flag IS NULL OR date_flag <> 'implausible')"
        )
    )
    first = row[0] if row else None
    if isinstance(first, datetime) and as_of < first:
        raise InputError(
            f"Nothing had happened by {as_of:%Y-%m-%d %H:%M}: the store's first "
            f"interaction is of {first:%Y-%m-%d}.",
            "Pass a later --as-of, or none to judge as of the latest interaction.",
        )


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = first_row(con.execute(sql))
    return int(row[0]) if row else 0


def _as_of(ties: pa.Table) -> datetime | None:
    if "as_of" not in ties.column_names or ties.num_rows == 0:
        return None
    value = ties.column("as_of")[0].as_py()
    return value if isinstance(value, datetime) else None
