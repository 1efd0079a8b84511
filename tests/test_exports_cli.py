"""Slack, X and WhatsApp exports through the command line, then the stored rows."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
FIXTURES = Path(__file__).parent / "fixtures"


def _weakties(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(SRC), TZ="UTC")
    return subprocess.run(
        [sys.executable, "-m", "weakties", "--db", str(db), *args],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip


def test_ingest_of_three_exports_lists_each_with_its_accounting(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    paths = [FIXTURES / "slack" / "acme", FIXTURES / "x" / "archive"]
    paths.append(FIXTURES / "whatsapp" / "phone")
    done = _weakties(db, "ingest", *map(str, paths))
    assert done.returncode == 0, done.stderr
    listed = json.loads(_weakties(db, "sources", "--format", "json").stdout)
    counts = {
        s["kind"]: (s["read"], s["stored"], s["duplicates"], s["quarantined"], s["automated"],
                    s["contacts"], s["owner"])
        for s in listed
    }  # fmt: skip
    assert counts["slack"] == (20, 16, 0, 4, 4, 3, "")
    assert counts["x"] == (23, 18, 2, 3, 4, 4, "ana.lima@acme.example x:1001")
    assert counts["whatsapp"][:6] == (16, 16, 0, 0, 6, 0)
    stats = json.loads(_weakties(db, "stats", "--format", "json").stdout)
    assert (
        stats["read"]
        == 59
        == (stats["interactions"] + stats["contacts"] + stats["duplicates"] + stats["quarantined"])
    )


def test_a_text_file_that_is_no_chat_is_refused_in_one_line(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("Call Ana on Monday\n")
    done = _weakties(tmp_path / "s.duckdb", "ingest", str(notes))
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1
    assert "WhatsApp" in done.stderr
