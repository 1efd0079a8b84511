"""Crash safety: SIGKILL an ingest at several points; the rerun must end exactly where an
uninterrupted run ends."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from weakties.demo import DemoConfig, generate

SRC = Path(__file__).resolve().parents[1] / "src"
# Fact tables and derived tables; run logs and ingest timestamps legitimately differ.
TABLES = {
    "interactions": "*",
    "interaction_keys": "*",
    "participants": "*",
    "identity_links": "*",
    "items": "*",
    "quarantine": "*",
    "source_owners": "*",
    "sources": "source_id, kind, path, label, owner_how",
    "identities": "*",
    "people": "*",
    "organisations": "*",
}


def _ingest(db: Path, paths: list[Path]) -> subprocess.Popen[bytes]:
    env = dict(os.environ, PYTHONPATH=str(SRC))
    cmd = [sys.executable, "-m", "weakties", "--db", str(db), "ingest", "--batch-size", "97"]
    return subprocess.Popen(
        [*cmd, *map(str, paths)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def _dump(db: Path) -> dict[str, list[tuple[object, ...]]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {
            t: con.execute(f"SELECT {cols} FROM {t} ORDER BY ALL").fetchall()
            for t, cols in TABLES.items()
        }
    finally:
        con.close()


def _log(path: Path, rows: int) -> Path:
    rng = random.Random(5)
    lines = ["timestamp,channel,sender,recipients,duration_s"]
    for i in range(rows):
        a, b, c = (f"p{rng.randrange(300)}@org{rng.randrange(4)}.example" for _ in range(3))
        ts = 1_600_000_000 + i * 37 if i % 50 else "bad"
        lines.append(f"{ts},{rng.choice(['email', 'call', 'chat'])},{a},{b};{c},")
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    root = tmp_path_factory.mktemp("crash-inputs")
    files = generate(DemoConfig(seed=3, scale=0.5), root / "demo")
    return [files.mbox, _log(root / "events.csv", 6000)]


def _kill_within(db: Path, inputs: list[Path], after: float, fresh: bool) -> int:
    """Start an ingest and SIGKILL it ``after`` seconds in; 1 if the kill landed. When
    the store was empty (``fresh``) and the run finished first (the reference run's time
    is only a guess on a shared machine), the store is removed and the kill tried again
    with half the time, twice at most."""
    for _ in range(3 if fresh else 1):
        proc = _ingest(db, inputs)
        time.sleep(after)
        landed = proc.poll() is None
        if landed:
            proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=300)
        if landed:
            return 1
        if fresh:
            for path in (db, db.with_name(db.name + ".wal")):
                path.unlink(missing_ok=True)
        after /= 2
    return 0


def test_sigkill_at_several_points_then_rerun_equals_uninterrupted(
    inputs: list[Path], tmp_path: Path
) -> None:
    reference = tmp_path / "reference.duckdb"
    started = time.monotonic()
    proc = _ingest(reference, inputs)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err.decode()
    duration = time.monotonic() - started
    expected = _dump(reference)
    assert expected["interactions"], "the reference run stored nothing"

    kills = 0
    # Each scenario starts from an empty store, so its kills land while work remains;
    # the last one kills twice in a row, so a resumed run is itself interrupted.
    for n, fractions in enumerate(((0.3,), (0.55,), (0.8,), (0.4, 0.4))):
        crashed = tmp_path / f"crashed-{n}.duckdb"
        for i, fraction in enumerate(fractions):
            kills += _kill_within(crashed, inputs, duration * fraction, fresh=i == 0)
        proc = _ingest(crashed, inputs)
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err.decode()
        assert _dump(crashed) == expected, f"scenario {fractions} differs"
    assert kills >= 3, f"only {kills} of 5 kills landed before the ingest finished"
