"""Full-analysis speed, scaling and memory, against networkx on the same tie graph.

Prints one JSON object. For each input, ``weakties.api.ingest`` fills a fresh store
(setup, not timed), then ``weakties.api.analyze`` is timed in a fresh child process
whose own peak RSS is read from ``os.wait4``. Every timing is from this same
invocation, so the ratios compare like with like on the same (noisy) machine:

* ``doubling_ratio`` = time(full input) / time(first half of its rows by time);
* ``speedup_vs_networkx`` = the networkx baseline's total / weakties' whole analyze.
  The baseline does the same computations as analyze, each in its own child: the tie
  features and strength (``features``: each pair's contacts added up in Python from
  the store's rows by ``bench/reference_features.py``, which follows the features
  query's definitions and is checked against it by a test; scored by weakties' own
  vectorised strength model; put in a networkx graph), then, on the ``ties`` weakties
  wrote (every band that enters weakties' graph, weight = strength): Louvain
  communities (networkx has no Leiden), Burt constraint and effective size,
  betweenness with tie length 1 / strength (pivot-sampled exactly when weakties
  samples), and the topological overlap of every tie from common neighbours and
  degrees. Each step has its share of one time budget; a step that exceeds it is
  reported as a lower bound (``">= N"``) with ``baseline_timed_out: true``. Each
  step's results are also compared with the values weakties stored
  (``max_abs_diff_vs_weakties``).
* ``speedup_vs_networkx_graph_steps_only`` compares the graph steps alone (networkx's
  graph steps against weakties' communities, bridges and connectors steps), and
  ``speedup_whole_analysis_vs_networkx_graph_steps`` the networkx graph steps alone
  against weakties' whole analyze (the strictest reading).

Reading the figures:

* Each side imports its modules before its clock starts (importing weakties' analysis
  costs about 0.06 s, 0.5 s when igraph finds matplotlib installed); weakties' timing
  includes opening the store, the baseline's does not.
* ``weakties_seconds`` is the fastest of ``--repeat`` analyses (each in a fresh child;
  on a shared two-core machine one analysis of demo-x10 took 1.3 s or 2.3 s depending
  on the neighbours, so the best of five is kept, and all are listed);
  ``weakties_steps_seconds`` splits it by analyze's own progress steps, and
  ``weakties_breakdown`` times the sub-steps one by one in a separate child.
* networkx (3.6)'s effective size for all nodes (its sparse-matrix path, which is what is
  timed) divides each tie by the largest tie of the *column* where Burt's definition,
  and networkx's own per-node path, use the row's; on weighted graphs the two disagree.
  ``per_node_check`` shows which one weakties matches, on a few random nodes.
* A child's peak RSS includes the size of the process that spawned it, so all the
  preparation runs in children and the parent stays small (``parent_peak_rss_mb``).

Inputs, each written as a generic interaction-log CSV (README, "Interaction logs"):

* ``email-eu``: the temporal SNAP email-Eu stream as e-mails (Benson's ScHoLP
  ``email-Eu`` simplices: a sender and all receivers of one timestamp). The data do
  not say which node of a simplex is the sender, nor in what order a simplex lists its
  nodes, so the first listed node is taken as the sender and the others as recipients
  (reciprocity features are therefore approximate; the timing is not affected).
  One-node simplices (mail to oneself) are skipped.
* ``demo-x10``: ``generate_events(DemoConfig(scale=10))``, the organisation-wide log
  of the demo company at ten times its size, cached under /tmp/weakties-bench/.

Usage: PYTHONPATH=src python bench/analyze.py [--inputs email-eu,demo-x10]
       [--repeat 5] [--baseline-budget 720] [--no-breakdown]
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import gzip
import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EMAIL_EU = ROOT.parent / "shared" / "data" / "snap-email-eu-core" / "scholp-email-Eu"
CACHE = Path(tempfile.gettempdir()) / "weakties-bench"
DEMO_SCALE = 10.0
INPUTS = ("email-eu", "demo-x10")
NX_STEPS = ("features", "communities", "constraint", "effective_size", "betweenness", "overlap")
GRAPH_STEPS = NX_STEPS[1:]
DENSE_LIMIT_BYTES = 2 << 30
"""networkx's all-nodes effective size builds a dense n x n float matrix; above this
size the per-node code path is run on a uniform random sample of nodes instead."""

PER_NODE_CHECK, PER_NODE_CHECK_SECONDS = 20, 10.0
"""Nodes (at most, and seconds) on which networkx's per-node effective size is checked."""

Figures = dict[str, Any]


# --- Inputs ---------------------------------------------------------------------------


def _ints(path: Path) -> list[int]:
    with gzip.open(path, "rb") as fh:
        return [int(x) for x in fh.read().split()]


def _email_eu_csv(folder: Path, out: Path) -> Figures:
    """One CSV row per e-mail (simplex): the first node sends to the others."""
    nverts = _ints(folder / "email-Eu-nverts.txt.gz")
    nodes = _ints(folder / "email-Eu-simplices.txt.gz")
    times = _ints(folder / "email-Eu-times.txt.gz")
    if len(nverts) != len(times) or sum(nverts) != len(nodes):
        raise SystemExit(f"{folder}: nverts, simplices and times do not line up")
    rows, alone, at = [], 0, 0
    for size, stamp in zip(nverts, times, strict=True):
        members = nodes[at : at + size]
        at += size
        if size < 2:
            alone += 1
            continue
        rows.append((stamp, "email", str(members[0]), ";".join(map(str, members[1:]))))
    rows.sort(key=lambda row: row[0])  # already in time order; keep it certain
    _write_csv(out, ("timestamp", "channel", "sender", "recipients"), rows)
    return {"simplices": len(nverts), "skipped_one_node_simplices": alone}


def _write_csv(path: Path, header: tuple[str, ...], rows: list[Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    with partial.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    os.replace(partial, path)


def _first_half(source: Path, out: Path) -> int:
    """Write the first half of ``source``'s rows by time; returns the full row count."""
    from weakties.sources.csvlog import parse_timestamp

    with source.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = tuple(next(reader))
        rows = list(reader)
    column = [h.strip().lower() for h in header].index("timestamp")
    rows.sort(key=lambda row: parse_timestamp(row[column]).timestamp())
    _write_csv(out, header, rows[: len(rows) // 2])
    return len(rows)


def _demo_csv() -> Path:
    """The scale-10 demo log, generated once per config and generator source."""
    from weakties.demo import DemoConfig, generate_events

    config = DemoConfig(scale=DEMO_SCALE)
    key = hashlib.sha256(repr(config).encode())
    for path in sorted((ROOT / "src" / "weakties" / "demo").glob("*.py")):
        key.update(path.read_bytes())
    folder = CACHE / f"demo-scale{DEMO_SCALE:g}-{key.hexdigest()[:12]}"
    done = folder / "events.csv"
    if not done.exists():
        work = Path(tempfile.mkdtemp(prefix="demo-", dir=CACHE))
        try:
            os.replace(generate_events(config, work), work / "events.csv")
            shutil.rmtree(folder, ignore_errors=True)
            os.replace(work, folder)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return done


def _prepare_child(name: str) -> None:
    """Write one input's full and half CSVs; print their paths and notes.

    Run as a child so that the parent stays small: a child's ``ru_maxrss`` starts from
    the size of the process it was spawned from, so a large parent would inflate every
    peak-memory figure.
    """
    CACHE.mkdir(parents=True, exist_ok=True)
    notes: Figures
    if name == "email-eu":
        if not EMAIL_EU.is_dir():
            _emit({"skipped": f"no email-Eu data at {EMAIL_EU}"})
            return
        full = CACHE / "email-eu" / "events.csv"
        notes = _email_eu_csv(EMAIL_EU, full)
        notes["source"] = str(EMAIL_EU)
        notes["sender_rule"] = "first node of each simplex (the data do not mark the sender)"
    else:
        full = _demo_csv()
        notes = {"source": f"generate_events(DemoConfig(scale={DEMO_SCALE:g})), cached at {full}"}
    half = full.with_name("events.half.csv")
    notes["n_rows"] = _first_half(full, half)
    notes["n_rows_half"] = notes["n_rows"] // 2
    _emit({"full": str(full), "half": str(half), "notes": notes})


# --- Children -------------------------------------------------------------------------


def _child(args: list[str], timeout: float | None = None) -> Figures:
    """Run this script as a child; its last JSON line, peak RSS and whether it was cut off.

    A child may print progress lines. ``timeout`` counts from the ``timing_started_at``
    it reports (a ``time.monotonic()`` reading, so that loading is not charged to the
    step), else from its start; a child still running then is killed and the last
    complete line is returned with ``timed_out: true``.
    """
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    with tempfile.TemporaryDirectory(prefix="weakties-child-") as tmp:
        path = Path(tmp) / "stdout"
        with path.open("wb") as out:
            start = time.monotonic()
            proc = subprocess.Popen(
                [sys.executable, __file__, "--child", *args], stdout=out, env=env
            )
        deadline = start + timeout if timeout else None
        began = None
        timed_out, killed_at = False, 0.0
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG if timeout else 0)
            if pid:
                break
            if deadline:
                text = path.read_text()
                if began is None and (began := _lines(text).get("timing_started_at")):
                    deadline = began + timeout if timeout else None
                if _lines(text, last=True).get("timing_done"):
                    deadline = None  # the step is timed; what follows are checks
            if deadline and time.monotonic() > deadline:
                proc.kill()
                killed_at = time.monotonic()
                _, status, usage = os.wait4(proc.pid, 0)
                timed_out = True
                break
            time.sleep(0.05)
        proc.returncode = os.waitstatus_to_exitcode(status)
        figures = _lines(path.read_text(), last=True)
    if proc.returncode and not timed_out:
        raise SystemExit(f"child {args} failed with {proc.returncode}")
    figures["peak_rss_mb"] = round(usage.ru_maxrss / 1024, 1)
    if timed_out:
        figures["timed_out"] = True
        figures["killed_at"] = killed_at
    return figures


def _lines(text: str, *, last: bool = False) -> Figures:
    """The first (or last) complete JSON line a child printed; {} if none yet."""
    lines = [line for line in text.splitlines() if line.startswith("{") and line.endswith("}")]
    if not lines:
        return {}
    found: Figures = json.loads(lines[-1] if last else lines[0])
    return found


def _emit(figures: Figures) -> None:
    print(json.dumps(figures), flush=True)


def _ingest_child(csv_path: str, db: str) -> None:
    from weakties import api
    from weakties.config import Settings

    report = api.ingest(Settings(db_path=Path(db)), [Path(csv_path)])
    t = report.totals
    _emit({"read": t.read, "stored": t.stored, "quarantined": t.quarantined})


class _StepClock:
    """A progress sink that notes when analyze moves from one step to the next, and
    the process's peak RSS so far at each of those moments."""

    def __init__(self) -> None:
        self.marks: list[float] = []
        self.peaks: list[float] = []

    def start(self, label: str, total: int | None) -> None:
        self.marks, self.peaks = [time.perf_counter()], [_peak_mb()]

    def advance(self, n: int) -> None:
        self.marks.append(time.perf_counter())
        self.peaks.append(_peak_mb())

    def finish(self) -> None:
        return None


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _analyze_child(db: str) -> None:
    from weakties import api
    from weakties.analysis import STEPS  # imported before the clock, as networkx is
    from weakties.config import Settings

    clock = _StepClock()
    start = time.perf_counter()
    summary = api.analyze(Settings(db_path=Path(db)), progress=clock)
    seconds = time.perf_counter() - start
    steps = {
        name: round(b - a, 3)
        for name, a, b in zip(STEPS, clock.marks, clock.marks[1:], strict=False)
    }
    peaks = {"before": clock.peaks[0], **dict(zip(STEPS, clock.peaks[1:], strict=False))}
    peaks["returned"] = _peak_mb()  # after the summary counts and closing the store
    _emit(
        {
            "seconds": seconds,
            "steps": steps,
            "peak_rss_mb_after_step": peaks,
            "people": summary.people,
            "ties": summary.ties,
            "graph_people": summary.graph_people,
            "graph_ties": summary.graph_ties,
            "communities": summary.communities,
            "resolution": round(summary.resolution, 4),
            "modularity": round(summary.modularity, 4),
        }
    )


@contextlib.contextmanager
def _timed(into: dict[str, float], name: str) -> Iterator[None]:
    start = time.perf_counter()
    yield
    into[name] = round(into.get(name, 0.0) + time.perf_counter() - start, 3)


def _breakdown_child(db: str) -> None:
    """analyze's sub-steps, each timed alone, calling what ``weakties.analysis`` calls.

    Runs after the timed analysis and the baseline, since it rewrites ``ties``.
    """
    from weakties import graph
    from weakties.analysis import ANALYSIS_MEMORY_LIMIT, _write_ties, tie_graph
    from weakties.config import Settings
    from weakties.graph import brokerage
    from weakties.graph import communities as leiden_module
    from weakties.identity.rebuild import rebuild_people
    from weakties.store import connect
    from weakties.store.tuning import collector_paused, memory_at_least
    from weakties.ties import TABLE_EXPLAIN_FROM, pin_bands, score, tie_features
    from weakties.ties.explain import explain, rows
    from weakties.ties.explain_columns import explain_table
    from weakties.ties.features import latest_timestamp

    t: dict[str, float] = {}
    runs = []
    run = leiden_module._run

    def counted(*args: Any) -> Any:
        start = time.perf_counter()
        out = run(*args)
        runs.append(time.perf_counter() - start)
        return out

    leiden_module._run = counted
    con = connect(Path(db), memory_limit=Settings().memory_limit)
    with _timed(t, "people"):
        rebuild_people(con)
    with memory_at_least(con, ANALYSIS_MEMORY_LIMIT), collector_paused():  # as analyze runs
        with _timed(t, "ties_features_sql"):
            features = tie_features(con, latest_timestamp(con) or datetime.now(UTC))
        with _timed(t, "ties_score_band_explain"):
            table = score(features)
        with _timed(t, "ties_of_which_explanations"):
            explain_table(table) if table.num_rows >= TABLE_EXPLAIN_FROM else [
                explain(row) for row in rows(table)
            ]
        with _timed(t, "ties_pins"):
            ties = pin_bands(con, table)
        with _timed(t, "graph_build"):
            keep, g = tie_graph(ties)
        with _timed(t, "leiden_total"):
            found = graph.leiden(g)
        with _timed(t, "triangles_listed_once"):
            n_triangles = len(graph.triangles(g))
        with _timed(t, "bridges_overlap"):
            bridges = graph.bridge_scores(g, found.membership)
        with _timed(t, "common_neighbours"):
            mutual = graph.common_neighbours(g)
        with _timed(t, "brokerage_triangle_structure"):
            structure = brokerage._structure(g, graph.WEIGHT)
        with _timed(t, "constraint"):
            brokerage._constraint(g, structure)
        with _timed(t, "effective_size"):
            brokerage._effective_size(g, structure)
        with _timed(t, "communities_spanned"):
            brokerage.communities_spanned(g, found.membership)
        with _timed(t, "betweenness"):
            brokerage.betweenness(g)
        with _timed(t, "write_ties"):
            _write_ties(con, ties, keep, g, bridges, mutual)
    con.close()
    _emit(
        {
            "seconds": t,
            "leiden_runs": len(runs),
            "leiden_seconds_per_run": round(sum(runs) / max(len(runs), 1), 3),
            "triangles": n_triangles,
            "betweenness_pivots": (
                brokerage.BETWEENNESS_PIVOTS
                if g.n_vertices > brokerage.EXACT_BETWEENNESS_LIMIT
                else "exact"
            ),
        }
    )


# --- The networkx baseline ------------------------------------------------------------


def _nx_graph(db: str) -> tuple[Any, Any]:
    """The tie graph weakties analysed, as networkx; and the open store."""
    import duckdb
    import networkx as nx

    from weakties.analysis import GRAPH_BANDS

    con = duckdb.connect(db, read_only=True)
    bands = ", ".join(f"'{b}'" for b in GRAPH_BANDS)
    ties = con.execute(
        f"SELECT person_a, person_b, strength FROM ties WHERE band IN ({bands}) "
        "ORDER BY person_a, person_b"
    ).fetchall()
    g = nx.Graph()
    g.add_weighted_edges_from(ties, weight="strength")
    return g, con


def _max_diff(ours: dict[Any, float], theirs: dict[Any, float]) -> float | None:
    """Largest absolute difference over the keys both have; NaN on one side only is inf."""
    import math

    diffs = [
        0.0 if math.isnan(v) and math.isnan(ours[k]) else abs(ours[k] - v)
        for k, v in theirs.items()
        if k in ours
    ]
    return round(max(math.inf if math.isnan(d) else d for d in diffs), 12) if diffs else None


def _metric(con: Any, column: str) -> dict[int, float]:
    rows = con.execute(f"SELECT person_id, {column} FROM person_metrics").fetchall()
    return {int(p): float("nan") if v is None else float(v) for p, v in rows}


def _per_node_check(g: Any, ours: dict[int, float], all_nodes: dict[int, float]) -> Figures:
    """networkx's per-node effective size on a few random nodes, against both results.

    networkx 3.6's all-nodes path (sparse matrices) divides each weight by its column's
    largest weight where the definition, and its own per-node path, use the row's; on a
    weighted graph the two disagree. This shows which one weakties matches.
    """
    import random

    import networkx as nx

    nodes = list(g)
    random.Random(1).shuffle(nodes)
    start, reference = time.perf_counter(), {}
    for v in nodes[:PER_NODE_CHECK]:
        reference.update(nx.effective_size(g, nodes=[v], weight="strength"))
        if time.perf_counter() - start > PER_NODE_CHECK_SECONDS:
            break
    return {
        "nodes": len(reference),
        "max_abs_diff_vs_weakties": _max_diff(ours, reference),
        "max_abs_diff_vs_networkx_all_nodes": _max_diff(all_nodes, reference),
    }


def _nx_child(step: str, db: str, soft_budget: str) -> None:
    """One baseline step, timed; then its results are checked against weakties'."""
    from weakties.graph.paths import MIN_STRENGTH

    if step == "features":
        _nx_features(db)
        return
    g, con = _nx_graph(db)
    out: Figures = {"nodes": g.number_of_nodes(), "edges": g.number_of_edges()}
    if step == "betweenness":
        for _, _, data in g.edges(data=True):
            data["length"] = 1.0 / max(data["strength"], MIN_STRENGTH)
    out["timing_started_at"] = time.monotonic()  # what a timeout is counted from
    _emit(out)
    start = time.perf_counter()
    values = _nx_step(step, g, float(soft_budget), start, out)
    if "seconds" not in out:
        out["seconds"] = time.perf_counter() - start
    _emit({**out, "timing_done": True})
    out.update(_nx_check(step, g, con, values, "extrapolated_from_nodes" in out))
    con.close()
    _emit(out)


def _nx_features(db: str) -> None:
    """Tie features and strength the way a networkx tool gets them, timed; then checked.

    ``reference_features`` adds up each pair's contacts in Python from the rows of the
    store; weakties' own scoring (vectorised numpy, plus the explanations) turns them
    into strength and bands; the ties become a networkx graph. The check compares
    every tie's message counts, active weeks, recency and strength with the ``ties``
    weakties wrote.
    """
    import duckdb
    import networkx as nx
    import pyarrow as pa

    import reference_features
    from weakties.ties import score

    con = duckdb.connect(db, read_only=True)
    (as_of,) = con.execute("SELECT max(as_of) FROM ties").fetchall()[0]
    out: Figures = {"timing_started_at": time.monotonic()}
    _emit(out)
    start = time.perf_counter()
    features = reference_features.tie_features(con, as_of)
    people = {
        pid: (name or address or f"person {pid}", bool(owner))
        for pid, name, address, owner in con.execute(
            "SELECT person_id, display_name, primary_address, is_owner FROM people"
        ).fetchall()
    }
    for end in ("a", "b"):
        ids = features.column(f"person_{end}").to_pylist()
        found = [people.get(pid, (f"person {pid}", False)) for pid in ids]
        features = features.append_column(f"name_{end}", pa.array([f[0] for f in found]))
        features = features.append_column(f"owner_{end}", pa.array([f[1] for f in found]))
    ties = score(features)
    g = nx.Graph()
    g.add_edges_from(
        (a, b, {"strength": s, "band": band})
        for a, b, s, band in zip(
            *(ties.column(c).to_pylist() for c in ("person_a", "person_b", "strength", "band")),
            strict=True,
        )
    )
    out["seconds"] = time.perf_counter() - start
    out.update({"nodes": g.number_of_nodes(), "edges": g.number_of_edges()})
    _emit({**out, "timing_done": True})
    stored = {
        (a, b): row
        for a, b, *row in con.execute(
            "SELECT person_a, person_b, messages_ab, messages_ba, active_weeks, recency_days, "
            "strength FROM ties"
        ).fetchall()
    }
    mine = zip(
        *(
            ties.column(c).to_pylist()
            for c in ("person_a", "person_b", "messages_ab", "messages_ba", "active_weeks",
                      "recency_days", "strength")
        ),
        strict=True,
    )  # fmt: skip
    worst = 0.0
    for a, b, *row in mine:
        theirs = stored.get((a, b))
        worst = max([worst] + ([abs(x - y) for x, y in zip(row, theirs, strict=True)]
                               if theirs else [float("inf")]))  # fmt: skip
    out["ties_vs_weakties"] = {"rows": ties.num_rows, "stored_rows": len(stored)}
    out["max_abs_diff_vs_weakties"] = worst
    con.close()
    _emit(out)


def _nx_step(step: str, g: Any, soft_budget: float, start: float, out: Figures) -> Any:
    """The timed networkx computation of one step.

    Constraint and effective size go through networkx's all-nodes code path. Where
    that path's dense n x n matrix would pass ``DENSE_LIMIT_BYTES``, the per-node path
    runs on nodes in a seeded random order until ``soft_budget`` s are spent, and
    the time is extrapolated linearly to all nodes (``extrapolated_from_nodes``).
    """
    import random

    import networkx as nx

    from weakties.graph.brokerage import BETWEENNESS_PIVOTS, EXACT_BETWEENNESS_LIMIT

    n = g.number_of_nodes()
    if step == "communities":
        return nx.community.louvain_communities(g, weight="strength", seed=0)
    if step == "betweenness":
        k = BETWEENNESS_PIVOTS if n > EXACT_BETWEENNESS_LIMIT else None
        out["pivots"] = k or "exact"
        return nx.betweenness_centrality(g, k=k, weight="length", seed=0)
    if step == "overlap":
        degree = dict(g.degree())
        overlap = {}
        for u, v in g.edges():
            shared = sum(1 for _ in nx.common_neighbors(g, u, v))
            denominator = (degree[u] - 1) + (degree[v] - 1) - shared
            overlap[min(u, v), max(u, v)] = shared / denominator if denominator > 0 else 0.0
        return overlap
    measure = getattr(nx, step)
    if step == "constraint" or n * n * 8 * 3 <= DENSE_LIMIT_BYTES:
        return measure(g, weight="strength")
    nodes = list(g)
    random.Random(0).shuffle(nodes)
    values: dict[int, float] = {}
    for v in nodes:
        values.update(measure(g, nodes=[v], weight="strength"))
        elapsed = time.perf_counter() - start
        if len(values) % 50 == 0:
            _emit({**out, "seconds": elapsed * n / len(values)})
        if elapsed > soft_budget:
            break
    out["seconds"] = (time.perf_counter() - start) * n / len(values)
    if len(values) < n:
        out["extrapolated_from_nodes"] = len(values)
    return values


def _nx_check(step: str, g: Any, con: Any, values: Any, sampled: bool) -> Figures:
    """How far networkx's results are from those weakties stored."""
    from weakties.graph import nmi
    from weakties.graph.brokerage import EXACT_BETWEENNESS_LIMIT

    if step == "communities":
        ours = _metric(con, "community_id")
        label = {v: k for k, members in enumerate(values) for v in members}
        people = sorted(label)
        agreement = nmi([label[p] for p in people], [ours[p] for p in people])
        return {"communities": len(values), "nmi_vs_weakties_leiden": round(agreement, 4)}
    if step == "betweenness":
        if g.number_of_nodes() > EXACT_BETWEENNESS_LIMIT:
            return {}  # both sampled pivots, each its own: not comparable value by value
        return {"max_abs_diff_vs_weakties": _max_diff(_metric(con, "betweenness"), values)}
    if step == "overlap":
        rows = con.execute(
            "SELECT person_a, person_b, overlap FROM ties WHERE overlap IS NOT NULL"
        ).fetchall()
        ours = {(min(a, b), max(a, b)): float(o) for a, b, o in rows}
        return {"max_abs_diff_vs_weakties": _max_diff(ours, values)}
    column = "constraint_" if step == "constraint" else step
    metric = _metric(con, column)
    found: Figures = {"max_abs_diff_vs_weakties": _max_diff(metric, values)}
    if step == "effective_size" and not sampled:
        found["per_node_check"] = _per_node_check(g, metric, values)
    return found


class _Budget:
    """Seconds for the whole networkx baseline, shared out step by step.

    A step may use what is left, less a reserve of ``RESERVE`` of an even share for
    each step still to come; what a fast step leaves over goes to the later ones.
    """

    RESERVE = 0.5
    FLOOR = 5.0

    def __init__(self, total: float, steps: int) -> None:
        self.total, self.left, self.steps = total, total, steps

    def allowance(self) -> float:
        reserve = self.RESERVE * self.total / self.steps * (self.steps - 1)
        return max(self.left - reserve, self.FLOOR)

    def spend(self, seconds: float) -> None:
        self.left -= seconds
        self.steps -= 1


def _baseline(db: Path, budget: _Budget) -> Figures:
    """Every networkx step in its own child, each within its share of ``budget``."""
    steps: Figures = {}
    for step in NX_STEPS:
        allowed = budget.allowance()
        soft = allowed * 0.8  # per-node sampling stops here, leaving time to finish
        figures = _child(["nx", step, str(db), str(soft)], timeout=allowed)
        began = figures.pop("timing_started_at", None)
        if figures.get("timed_out"):
            # Only the time the step itself ran is a lower bound on its full run; an
            # extrapolation printed on the way is not, so it is dropped.
            figures.pop("extrapolated_from_nodes", None)
            figures["seconds"] = figures["killed_at"] - began if began else 0.0
            figures["lower_bound"] = True
        figures.pop("killed_at", None)
        budget.spend(allowed if figures.get("timed_out") else figures["seconds"])
        figures["seconds"] = round(figures["seconds"], 3)
        figures["budget_s"] = round(allowed, 1)
        steps[step] = figures
    return steps


# --- Main -----------------------------------------------------------------------------


def _bound(seconds: float, lower: bool) -> float | str:
    return f">= {seconds:.3f}" if lower else round(seconds, 3)


def _analyze_best(db: Path, repeat: int) -> Figures:
    """The fastest of ``repeat`` analyses (each in a fresh child); peak RSS is the largest."""
    runs = [_child(["analyze", str(db)]) for _ in range(repeat)]
    best = min(runs, key=lambda r: r["seconds"])
    best["peak_rss_mb"] = max(r["peak_rss_mb"] for r in runs)
    best["all_seconds"] = [round(r["seconds"], 3) for r in runs]
    return best


def _one_input(name: str, args: argparse.Namespace, budget: _Budget) -> Figures | str:
    prepared = _child(["prepare", name])
    if "skipped" in prepared:
        print(f"{name} skipped: {prepared['skipped']}", file=sys.stderr)
        return f"skipped: {prepared['skipped']}"
    full_csv, half_csv, result = prepared["full"], prepared["half"], prepared["notes"]
    with tempfile.TemporaryDirectory(prefix="weakties-analyze-") as tmp:
        runs: dict[str, Figures] = {}
        for size, path in (("half", half_csv), ("full", full_csv)):
            db = Path(tmp) / f"{size}.duckdb"
            ingested = _child(["ingest", str(path), str(db)])
            runs[size] = _analyze_best(db, args.repeat)
            runs[size]["ingest"] = ingested
        full, half = runs["full"], runs["half"]
        db = Path(tmp) / "full.duckdb"
        nx_steps = _baseline(db, budget)
        breakdown = None if args.no_breakdown else _child(["breakdown", str(db)])
    result.update(
        {
            "n_interactions": full["ingest"]["stored"],
            "n_quarantined": full["ingest"]["quarantined"],
            "n_people": full["people"],
            "n_ties": full["ties"],
            "n_graph_people": full["graph_people"],
            "n_graph_ties": full["graph_ties"],
            "n_communities": full["communities"],
            "leiden_resolution": full["resolution"],
            "weakties_seconds": round(full["seconds"], 3),
            "weakties_seconds_half": round(half["seconds"], 3),
            "doubling_ratio": round(full["seconds"] / half["seconds"], 3),
            "weakties_peak_rss_mb": full["peak_rss_mb"],
            "weakties_peak_rss_mb_half": half["peak_rss_mb"],
            "weakties_steps_seconds": full["steps"],
            "weakties_steps_seconds_half": half["steps"],
            "weakties_peak_rss_mb_after_step": full["peak_rss_mb_after_step"],
            "half": {
                "n_interactions": half["ingest"]["stored"],
                "n_people": half["people"],
                "n_ties": half["ties"],
                "n_graph_ties": half["graph_ties"],
            },
        }
    )
    if args.repeat > 1:
        result["weakties_all_seconds"] = full["all_seconds"]
        result["weakties_all_seconds_half"] = half["all_seconds"]
    lower = any(s.get("lower_bound") for s in nx_steps.values())
    total = sum(s["seconds"] for s in nx_steps.values())
    nx_graph = sum(nx_steps[k]["seconds"] for k in GRAPH_STEPS)
    graph_steps = sum(full["steps"].get(k, 0.0) for k in ("communities", "bridges", "connectors"))
    result["networkx_seconds"] = {
        **{k: _bound(s["seconds"], bool(s.get("lower_bound"))) for k, s in nx_steps.items()},
        "total": _bound(total, lower),
    }
    result["networkx_peak_rss_mb"] = max(s["peak_rss_mb"] for s in nx_steps.values())
    result["baseline_timed_out"] = lower
    result["speedup_vs_networkx"] = _bound(total / full["seconds"], lower)
    result["speedup_vs_networkx_graph_steps_only"] = _bound(nx_graph / graph_steps, lower)
    result["speedup_whole_analysis_vs_networkx_graph_steps"] = _bound(
        nx_graph / full["seconds"], lower
    )
    result["networkx_steps"] = nx_steps
    if breakdown is not None:
        result["weakties_breakdown"] = breakdown
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--inputs", default=",".join(INPUTS))
    parser.add_argument("--repeat", type=int, default=5, help="analyses per size (best kept)")
    parser.add_argument(
        "--baseline-budget", type=float, default=720.0, help="networkx seconds, all inputs"
    )
    parser.add_argument("--no-breakdown", action="store_true")
    parser.add_argument("--child", nargs="*")
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        children: dict[str, Callable[..., None]] = {
            "prepare": _prepare_child,
            "ingest": _ingest_child,
            "analyze": _analyze_child,
            "breakdown": _breakdown_child,
            "nx": _nx_child,
        }
        children[kind](*rest)
        return
    names = [n for n in args.inputs.split(",") if n]
    unknown = set(names) - set(INPUTS)
    if unknown:
        raise SystemExit(f"unknown input(s) {sorted(unknown)}; choose from {INPUTS}")
    budget = _Budget(args.baseline_budget, len(names) * len(NX_STEPS))
    started = time.monotonic()
    result: Figures = {
        "cores": os.cpu_count() or 1,
        "versions": {p: metadata.version(p) for p in ("networkx", "igraph", "duckdb")},
        "baseline_budget_s": args.baseline_budget,
        "inputs": {name: _one_input(name, args, budget) for name in names},
    }
    result["bench_wall_seconds"] = round(time.monotonic() - started, 1)
    parent = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result["parent_peak_rss_mb"] = round(parent, 1)  # a floor under every child's figure
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
