"""Reading from archives against reading the same files from a folder, in one run.

Prints one JSON object. Inputs are built in a temporary folder from the Enron maildir
(``--users`` of its mailboxes): the plain folder, a ZIP of it (deflate) and a .tgz of
it; and one big mbox (``--mbox-mb`` MB of the shared mailing-list archives, each copy
with its own Message-IDs), plain and in a ZIP. Every figure comes from a fresh child
process:

* ``read``: discovery and every record read and parsed, nothing stored (what reading
  from an archive costs shows here undiluted);
* ``ingest``: the whole ``api.ingest`` into a new store, on one core (a mailbox in an
  archive is parsed in the process that holds the archive open; a folder could also
  use worker processes, which would compare cores, not readers).

For each: records per second, the ratio to the plain folder's (or plain mbox's) in the
same round, and the child's peak RSS (``ru_maxrss``): a big mbox streams out of a ZIP in
the same memory as out of a file. Every configuration runs ``--repeat`` times in
interleaved rounds; the fastest run of each is kept. Before each child its input is read
once, so that every side reads from a warm page cache.

Usage: python bench/archives.py [--users 3] [--mbox-mb 100] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
ENRON = DATA / "enron-maildir" / "maildir"
LISTS = DATA / "mailing-lists" / "r-package-devel"


def _inputs(into: Path, users: int, mbox_mb: int) -> dict[str, Path]:
    """The folder, its ZIP and .tgz, the big mbox and its ZIP."""
    folder = into / "maildir"
    for user in sorted(p for p in ENRON.iterdir() if p.is_dir())[:users]:
        for path in user.rglob("*"):
            if path.is_file():
                target = folder / path.relative_to(ENRON)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(path.read_bytes())
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    with zipfile.ZipFile(into / "maildir.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            archive.write(path, path.relative_to(into).as_posix())
    with tarfile.open(into / "maildir.tgz", "w:gz") as archive:
        archive.add(folder, "maildir")
    mbox = _big_mbox(into / "big.mbox", mbox_mb << 20)
    with zipfile.ZipFile(into / "big.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(mbox, "Takeout/Mail/All mail Including Spam and Trash.mbox")
    return {
        "folder": folder,
        "zip": into / "maildir.zip",
        "tgz": into / "maildir.tgz",
        "mbox": mbox,
        "mbox_in_zip": into / "big.zip",
    }


def _big_mbox(path: Path, size: int) -> Path:
    """Copies of the list archives until ``size`` bytes, each copy's Message-IDs its own."""
    sources = [p.read_bytes() for p in sorted(LISTS.glob("*.txt"))]
    written, copy = 0, 0
    with path.open("wb") as out:
        while written < size:
            for data in sources:
                tag = b"<c%d." % copy
                chunk = re.sub(rb"(?im)^(message-id:\s*)<", rb"\1" + tag, data)
                out.write(chunk)
                written += len(chunk)
            copy += 1
    return path


def _run(mode: str, path: Path) -> dict[str, float]:
    """One measurement, in this (child) process (imports are not timed)."""
    from weakties import api
    from weakties.config import Settings
    from weakties.sources.registry import survey
    from weakties.store.tuning import collector_paused

    start = time.perf_counter()
    if mode == "read":
        n = 0
        with collector_paused(), survey([path]) as found:
            for source in found.sources:
                for _ in source.records():
                    n += 1
    else:
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(db_path=Path(tmp) / "bench.duckdb", workers=1)
            n = api.ingest(settings, [path]).totals.read
    return {"records": n, "seconds": time.perf_counter() - start}


def _warm(path: Path) -> None:
    for file in [path] if path.is_file() else sorted(path.rglob("*")):
        if file.is_file():
            with file.open("rb") as fh:
                while fh.read(1 << 20):
                    pass


def _child(mode: str, path: Path) -> dict[str, Any]:
    _warm(path)
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    cmd = [sys.executable, __file__, "--child", mode, str(path)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, env=env)
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"child {mode} {path} failed")
    figures: dict[str, Any] = json.loads(out)
    figures["peak_rss_mb"] = round(usage.ru_maxrss / 1024, 1)
    figures["records_per_s"] = round(figures["records"] / figures["seconds"], 1)
    return figures


def _measure(inputs: dict[str, Path], repeat: int) -> dict[str, Any]:
    configs = [(mode, name) for mode in ("read", "ingest") for name in inputs]
    rounds: dict[str, list[dict[str, Any]]] = {f"{m}_{n}": [] for m, n in configs}
    for _ in range(repeat):
        for mode, name in configs:
            rounds[f"{mode}_{name}"].append(_child(mode, inputs[name]))
    best = {}
    for key, runs in rounds.items():
        fastest = dict(min(runs, key=lambda r: float(r["seconds"])))
        fastest["all_seconds"] = [round(float(r["seconds"]), 3) for r in runs]
        best[key] = fastest
    for mode in ("read", "ingest"):
        for name, base in (("zip", "folder"), ("tgz", "folder"), ("mbox_in_zip", "mbox")):
            figures, baseline = best[f"{mode}_{name}"], best[f"{mode}_{base}"]
            assert figures["records"] == baseline["records"], (name, figures, baseline)
            figures[f"speed_vs_{base}"] = round(
                figures["records_per_s"] / baseline["records_per_s"], 2
            )
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=3)
    parser.add_argument("--mbox-mb", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", nargs=2)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_run(args.child[0], Path(args.child[1]))))
        return
    if not ENRON.is_dir():
        raise SystemExit(f"No Enron maildir at {ENRON}.")
    with tempfile.TemporaryDirectory() as tmp:
        inputs = _inputs(Path(tmp), args.users, args.mbox_mb)
        sizes = {name: _size(path) for name, path in inputs.items()}
        result = {"users": args.users, "bytes": sizes, **_measure(inputs, args.repeat)}
    print(json.dumps(result, indent=1))


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


if __name__ == "__main__":
    main()
