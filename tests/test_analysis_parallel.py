"""The analysis does some work beside its main thread (explanations and the ties table
on a DuckDB thread, betweenness on a forked process); its tables are the same as when
everything runs in order on one core."""

from __future__ import annotations

import gc
import math
import random
import shutil
from pathlib import Path

import numpy as np
import pytest

from weakties import api, ties
from weakties.analysis import tie_graph
from weakties.config import Settings
from weakties.graph import brokerage
from weakties.store import connect
from weakties.store.db import arrow
from weakties.ties.explain import explain, rows

TABLES = ("ties", "person_metrics", "communities")


def _log(path: Path) -> Path:
    rng = random.Random(11)
    people = [f"p{i}@team{i % 4}.example" for i in range(40)]
    lines = ["timestamp,channel,sender,recipients,duration_s"]
    for day in range(1, 200):
        for _ in range(6):
            sender, *others = rng.sample(people, rng.choice((2, 2, 3, 6)))
            channel = rng.choice(("email", "email", "chat", "meeting", "call"))
            lines.append(
                f"2025-{1 + day // 31:02d}-{1 + day % 28:02d}T{rng.randrange(8, 18):02d}:00:00Z,"
                f"{channel},{sender},{';'.join(others)},{rng.choice((0, 60, 1800))}"
            )
    path.write_text("\n".join(lines) + "\n")
    return path


def _same(x: object, y: object) -> bool:
    """Equal, floats to 1e-12 (DuckDB's parallel sums add in no fixed order)."""
    if isinstance(x, float) and isinstance(y, float):
        return math.isclose(x, y, rel_tol=1e-12, abs_tol=1e-12) or (x != x and y != y)
    return x == y


def _tables(db: Path) -> dict[str, list[tuple[object, ...]]]:
    con = connect(db)
    try:
        return {
            name: con.execute(f"SELECT * FROM {name} ORDER BY ALL").fetchall() for name in TABLES
        }
    finally:
        con.close()


def test_parallel_analysis_writes_what_the_serial_one_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = tmp_path / "base.duckdb"
    api.ingest(Settings(db_path=base), [_log(tmp_path / "log.csv")])
    serial, parallel = tmp_path / "serial.duckdb", tmp_path / "parallel.duckdb"
    shutil.copy(base, serial)
    shutil.copy(base, parallel)
    monkeypatch.setattr(ties, "TABLE_EXPLAIN_FROM", 10)  # the SQL explanations as well

    monkeypatch.setattr(brokerage, "available_cores", lambda: 1)
    api.analyze(Settings(db_path=serial))
    monkeypatch.setattr(brokerage, "available_cores", lambda: 2)
    monkeypatch.setattr(brokerage, "BACKGROUND_MIN_WORK", 0)
    started: list[bool] = []
    original = brokerage.PendingBetweenness.__init__

    def spy(self: brokerage.PendingBetweenness, job: object, min_work: int) -> None:
        original(self, job, min_work)  # type: ignore[arg-type]
        started.append(self.in_background)

    monkeypatch.setattr(brokerage.PendingBetweenness, "__init__", spy)
    api.analyze(Settings(db_path=parallel))

    assert started == [True]
    one, other = _tables(serial), _tables(parallel)
    assert all(one[name] for name in TABLES)
    for name in TABLES:
        assert len(one[name]) == len(other[name])
        for a, b in zip(one[name], other[name], strict=True):
            assert [_same(x, y) for x, y in zip(a, b, strict=True)] == [True] * len(a), (a, b)
    con = connect(parallel)
    stored = arrow(con, "SELECT * FROM ties ORDER BY person_a, person_b")
    con.close()
    assert stored.num_rows > 100
    said = stored.column("explanation").to_pylist()
    assert None not in said
    assert said == [explain(row) for row in rows(stored)]


class _Watch:
    """A progress sink that notes, at each step, whether the collector is running."""

    def __init__(self) -> None:
        self.collecting: list[bool] = []

    def start(self, label: str, total: int | None) -> None:
        self.collecting.append(gc.isenabled())

    def advance(self, n: int) -> None:
        self.collecting.append(gc.isenabled())

    def finish(self) -> None:
        return None


def test_the_analysis_runs_with_the_collector_paused(tmp_path: Path) -> None:
    settings = Settings(db_path=tmp_path / "s.duckdb")
    api.ingest(settings, [_log(tmp_path / "log.csv")])
    watch = _Watch()
    assert gc.isenabled()
    api.analyze(settings, progress=watch)
    assert len(watch.collecting) > 3 and not any(watch.collecting)
    assert gc.isenabled()  # and resumed after


def test_the_tie_graph_is_the_same_whatever_the_order_of_the_ties(tmp_path: Path) -> None:
    settings = Settings(db_path=tmp_path / "s.duckdb")
    api.ingest(settings, [_log(tmp_path / "log.csv")])
    con = connect(settings.db_path)
    try:
        given = ties.scored_ties(con, explained=False)
    finally:
        con.close()
    shuffled = given.take(np.random.default_rng(3).permutation(given.num_rows))
    keep, g = tie_graph(given)
    keep_shuffled, h = tie_graph(shuffled)
    assert g.n_edges > 100 and g.n_edges == h.n_edges
    assert np.array_equal(g.person_ids, h.person_ids)
    assert np.array_equal(g.source, h.source) and np.array_equal(g.target, h.target)
    assert np.array_equal(g.weights(), h.weights())
    assert int(keep.sum()) == int(keep_shuffled.sum()) == g.n_edges
