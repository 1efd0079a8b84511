"""The command line end to end: run `python -m weakties`, then check output and stored rows."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import duckdb
import pytest

from weakties.demo import DemoConfig, generate, load_truth

SRC = Path(__file__).resolve().parents[1] / "src"


def run(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(SRC))
    return subprocess.run(
        [sys.executable, "-m", "weakties", "--db", str(db), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


def ok(db: Path, *args: str) -> str:
    result = run(db, *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("cli")
    files = generate(DemoConfig(seed=11, scale=0.5), root / "demo")
    db = root / "store.duckdb"
    ok(db, "ingest", str(files.mbox))
    ok(db, "analyze")
    return db, files.truth


def test_ingest_stores_and_lists(demo: tuple[Path, Path]) -> None:
    db, truth_path = demo
    truth = load_truth(truth_path)
    con = duckdb.connect(str(db), read_only=True)
    stored = con.execute("SELECT count(*) FROM interactions").fetchall()[0][0]
    owners = {r[0] for r in con.execute("SELECT address FROM source_owners").fetchall()}
    con.close()
    assert stored == truth.counts.unique_messages
    assert truth.owner[0] in owners
    people = json.loads(ok(db, "people", "--format", "json", "--limit", "0"))
    assert any(p["is_owner"] for p in people)
    stats = json.loads(ok(db, "stats", "--format", "json"))
    assert stats["read"] == stats["interactions"] + stats["duplicates"] + stats["quarantined"]
    header = ok(db, "quarantine", "--format", "csv").splitlines()[0]
    assert header == "reason,location,detail,source"


def test_ties_person_and_structure(demo: tuple[Path, Path]) -> None:
    db, truth_path = demo
    truth = load_truth(truth_path)
    strong = json.loads(ok(db, "ties", "--band", "strong", "--format", "json", "--limit", "0"))
    assert strong and all(t["band"] == "strong" for t in strong)
    close = truth.close[0]
    mine = json.loads(ok(db, "ties", "--person", close, "--format", "json"))
    assert mine and all(t["id_b"] is not None for t in mine)
    assert len({t["id_a"] for t in mine}) == 1  # the person is always person_a
    assert list(mine[0]) == list(strong[0])  # the columns of `ties`, in the same order
    assert "Strongest ties" in ok(db, "person", close)
    connectors = json.loads(ok(db, "connectors", "--format", "json"))
    assert connectors == sorted(connectors, key=lambda r: -r["connector_score"])
    communities = json.loads(ok(db, "communities", "--format", "json"))
    assert sum(c["size"] for c in communities) > 0 and all(c["label"] for c in communities)
    assert json.loads(ok(db, "bridges", "--format", "json"))


def test_export_graphml_and_gexf(demo: tuple[Path, Path], tmp_path: Path) -> None:
    db, _ = demo
    for fmt in ("graphml", "gexf"):
        out = tmp_path / f"graph.{fmt}"
        ok(db, "export", str(out), "--format", fmt)
        root = ET.parse(out).getroot()
        assert root.tag.endswith("graphml" if fmt == "graphml" else "gexf")
        edges = [e for e in root.iter() if e.tag.endswith("edge")]
        assert len(edges) > 10


def test_pin_survives_analysis(demo: tuple[Path, Path]) -> None:
    db, truth_path = demo
    truth = load_truth(truth_path)
    me, other = truth.owner[0], truth.close[0]
    ok(db, "pin", me, other, "dormant")
    ok(db, "analyze")
    ties = json.loads(ok(db, "ties", "--person", other, "--format", "json", "--limit", "0"))
    pinned = [t for t in ties if t["pinned"]]
    assert len(pinned) == 1 and pinned[0]["band"] == "dormant"
    ok(db, "unpin", me, other)
    ok(db, "analyze")
    ties = json.loads(ok(db, "ties", "--person", other, "--format", "json", "--limit", "0"))
    assert not any(t["pinned"] for t in ties)


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda p: p / "missing.mbox", "no such file"),
        (lambda p: _write(p / "empty.mbox", b""), "empty"),
        (lambda p: _write(p / "photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" * 50), "binary"),
        (lambda p: _mkdir(p / "nothing"), "no mail"),
        (lambda p: _fifo(p / "pipe.mbox"), "a pipe"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, make, words: str) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "s.duckdb"
    result = run(db, "ingest", str(make(tmp_path)))
    assert result.returncode == 2
    assert words in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
    assert not db.exists()


def test_file_names_that_are_not_utf8(tmp_path: Path) -> None:
    """Linux file names are bytes: ones that are not UTF-8 are read, stored and listed
    with ``\\xNN`` escapes, and a second run knows them."""
    root = os.fsencode(tmp_path / "mail")
    box = os.path.join(root, b"box\xff")
    os.makedirs(os.path.join(box, b"cur"))
    for name, data in (
        (b"1\xfe.", MESSAGE % b"1"),
        (b"2.", MESSAGE % b"2"),
        (b"3\xfe.", b"no mail"),
    ):
        Path(os.fsdecode(os.path.join(box, b"cur", name))).write_bytes(data)
    mbox = b"".join(b"From a@b.com Mon Jan  1 00:00:00 2001\n" + MESSAGE % n for n in (b"3", b"4"))
    Path(os.fsdecode(os.path.join(root, b"old\xe9.mbox"))).write_bytes(mbox)
    db = tmp_path / "s.duckdb"
    first = ok(db, "ingest", os.fsdecode(root))
    assert "box\\xff" in first and "old\\xe9.mbox" in first
    assert "already in the store" in ok(db, "ingest", os.fsdecode(root))
    with duckdb.connect(str(db), read_only=True) as con:
        locations = [r[0] for r in con.execute("SELECT location FROM items ORDER BY 1").fetchall()]
        labels = sorted(r[0] for r in con.execute("SELECT label FROM sources").fetchall())
    assert len(locations) == 5 and labels == ["box\\xff", "old\\xe9.mbox"]
    assert sum("/box\\xff/cur/" in x for x in locations) == 3
    (quarantined,) = json.loads(ok(db, "quarantine", "--format", "json"))
    assert quarantined["location"].endswith("/box\\xff/cur/3\\xfe.")


MESSAGE = b"From: a@b.com\nTo: c@d.com\nDate: Mon, 1 Jan 2001 0%s:00:00 +0000\n\nbody\n"


def test_analyze_without_a_store_or_without_interactions(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    for words in ("No store at", "no interactions"):
        result = run(db, "analyze")
        assert result.returncode == 2 and words in result.stderr
        assert "Traceback" not in result.stderr
        if not db.exists():
            ok(db, "init", "--me", "me@example.org")  # a store with no interactions


def test_unanalysed_store_and_bad_options(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    log = _write(
        tmp_path / "log.csv", b"timestamp,channel,sender,recipients\n2024-01-01,email,a,b\n"
    )
    ok(db, "ingest", str(log))
    for args, words in (
        (("ties",), "weakties analyze"),
        (("ties", "--band", "bogus"), "weakties analyze"),
        (("person", "nobody"), "weakties analyze"),
        (("people", "--format", "xml"), "xml"),
    ):
        result = run(db, *args)
        assert result.returncode == 2, args
        assert words in result.stderr and "Traceback" not in result.stderr
    ok(db, "analyze")
    for args, words in ((("ties", "--band", "bogus"), "Unknown band"), (("person", "x"), "Nobody")):
        result = run(db, *args)
        assert result.returncode == 2 and words in result.stderr


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def _mkdir(path: Path) -> Path:
    path.mkdir()
    (path / "notes.md").write_text("# nothing\n")
    return path


def test_the_script_itself_exits_2_in_one_line(tmp_path: Path) -> None:
    """Through `python -m weakties` (what the script runs): the exit code reaches the
    shell, and stderr holds one line and no traceback."""
    lite = tmp_path / "x.sqlite"
    lite.write_bytes(b"SQLite format 3\x00" + bytes(100))
    db = tmp_path / "s.duckdb"
    for store, args in (
        (db, ("init", "--me", "")),
        (db, ("ties", "--limit", "-1")),
        (lite, ("stats",)),
        (db, ("export", str(tmp_path))),
    ):
        result = run(store, *args)
        assert result.returncode == 2, (args, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    version = run(db, "--version")
    assert version.returncode == 0 and version.stdout.startswith("weakties ")
