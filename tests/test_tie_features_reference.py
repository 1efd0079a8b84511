"""The features query against an independent, plain-Python computation of the same
definitions (bench/reference_features.py, also the speed baseline of bench/analyze.py)."""

from __future__ import annotations

import csv
import math
import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from weakties import api
from weakties.config import Settings
from weakties.demo import DemoConfig, generate
from weakties.store import connect
from weakties.ties import tie_features
from weakties.ties.features import latest_timestamp

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import reference_features


def _log(path: Path, seed: int) -> Path:
    """A mixed log: e-mail, meetings, calls (some missed), chat; cc-less, many sizes."""
    rng = random.Random(seed)
    people = [f"p{i}@example.org" for i in range(14)]
    start = datetime(2025, 1, 1, tzinfo=UTC)
    with path.open("w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["timestamp", "channel", "sender", "recipients", "duration_s"])
        for _ in range(400):
            channel = rng.choice(["email", "email", "meeting", "call", "chat"])
            sender = rng.choice(people[:8])
            group = rng.sample([p for p in people if p != sender], rng.choice([1, 1, 2, 5, 7]))
            when = start + timedelta(minutes=rng.randrange(0, 60 * 24 * 300))
            duration = "" if channel in ("email", "chat") else str(rng.choice([0, 60, 1800]))
            out.writerow([when.isoformat(), channel, sender, ";".join(group), duration])
    return path


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("reference")
    files = generate(DemoConfig(seed=5, colleagues=60, companies=8, months=10), root / "demo")
    settings = Settings(db_path=root / "store.duckdb")
    api.ingest(settings, [files.mbox, _log(root / "log.csv", 5)])
    return settings.db_path


@pytest.mark.parametrize("after_end", [timedelta(0), timedelta(days=3 * 365)])
def test_features_query_matches_the_plain_python_definition(
    store: Path, after_end: timedelta
) -> None:
    """At the end of the store, and judged three years after it (recency then counts
    the years since every source ended)."""
    con = connect(store)
    end = latest_timestamp(con)
    assert end is not None
    as_of = end + after_end
    ours = tie_features(con, as_of).sort_by([("person_a", "ascending"), ("person_b", "ascending")])
    theirs = reference_features.tie_features(con, as_of)
    con.close()
    assert ours.num_rows == theirs.num_rows > 150
    assert sum(theirs.column("replies_ab").to_pylist()) > 50  # replies are exercised
    assert sum(theirs.column("meetings").to_pylist()) > 20  # and meetings
    assert min(theirs.column("recency_days").to_pylist()) >= after_end.days
    for name in theirs.column_names:
        a, b = ours.column(name).to_pylist(), theirs.column(name).to_pylist()
        for x, y in zip(a, b, strict=True):
            if isinstance(y, float) and math.isnan(y):
                assert x is None or math.isnan(x), name
            elif isinstance(y, float):
                assert x == pytest.approx(y, rel=1e-9, abs=1e-9), name
            else:
                assert x == y, name
