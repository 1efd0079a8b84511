"""Capture formats (address books, ...): weakties' whole ingest against the format's own
library parsing the same files, in the same invocation.

Prints one JSON object. For each format, a corpus is made from the real samples in
``../shared/data/export-samples`` repeated to a measurable size, each copy made
distinct (so that nothing is deduplicated away), and two things are timed, each in a
fresh child process with its peak memory:

* ``baseline``: the library alone parsing every file (for vCards, vobject's
  ``readComponents`` over each file, as text; a file it cannot read to the end counts
  the cards it gave before failing);
* ``weakties``: the whole ingest of the same folder: discovery, parsing, keys, writing
  the store, people rebuild, closing.

Every configuration runs ``--repeat`` times in interleaved rounds; the fastest run of
each is kept. ``ratio`` is weakties' time over the baseline's.

Usage: python bench/capture_contacts.py [--copies 100] [--repeat 3] (bench/capture.py runs it)
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT.parent / "shared" / "data" / "export-samples"


def make_vcards(out: Path, copies: int) -> int:
    """``copies`` distinct copies of the vCard samples in ``out``; returns the cards."""
    files = sorted((SAMPLES / "vcard").glob("*.vcf"))
    cards = 0
    for i in range(copies):
        for f in files:
            data = f.read_bytes().replace(b"@", f".c{i}@".encode())
            data = data.replace(b"555", str(100 + i % 900).encode())  # numbers of their own
            (out / f"{i:04d}-{f.name}").write_bytes(data)
            cards += len(re.findall(rb"(?im)^begin:vcard", data))
    return cards


def baseline_vcards(folder: Path) -> int:
    """vobject parsing every file; the cards it returned."""
    import vobject

    parsed = 0
    for path in sorted(folder.iterdir()):
        text = path.read_bytes().decode("utf-8", "replace")
        try:
            for _card in vobject.readComponents(text, allowQP=True):
                parsed += 1
        except Exception:  # noqa: BLE001 - the baseline counts what it got before failing
            continue
    return parsed


def weakties_ingest(folder: Path) -> int:
    """weakties' whole ingest of ``folder`` into a new store; the records read."""
    from weakties import api
    from weakties.config import Settings

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(db_path=Path(tmp) / "bench.duckdb", phone_region="US")
        report = api.ingest(settings, [folder])
    return report.totals.read


FORMATS: dict[str, dict[str, Any]] = {
    "vcard": {"make": make_vcards, "baseline": baseline_vcards, "weakties": weakties_ingest},
}


def child(fmt: str, side: str, folder: Path) -> None:
    """One timed run, in this (fresh) process: prints seconds, count and peak RSS."""
    run = FORMATS[fmt][side]
    start = time.perf_counter()
    count = run(folder)
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "count": count, "peak_mb": round(peak_mb, 1)}))


def _run_child(fmt: str, side: str, folder: Path) -> dict[str, Any]:
    for path in folder.iterdir():  # a warm page cache for whichever side runs first
        path.read_bytes()
    out = subprocess.run(
        [sys.executable, __file__, "--child", fmt, side, str(folder)],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def measure(fmt: str, copies: int, repeat: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cards = FORMATS[fmt]["make"](folder, copies)
        size = sum(p.stat().st_size for p in folder.iterdir())
        runs: dict[str, list[dict[str, Any]]] = {"baseline": [], "weakties": []}
        for _ in range(repeat):
            for side in runs:
                runs[side].append(_run_child(fmt, side, folder))
    best = {side: min(r, key=lambda x: x["seconds"]) for side, r in runs.items()}
    return {
        "files": copies * len(list((SAMPLES / fmt).glob("*"))),
        "records": cards,
        "bytes": size,
        "baseline": {**best["baseline"], "all_seconds": [r["seconds"] for r in runs["baseline"]]},
        "weakties": {**best["weakties"], "all_seconds": [r["seconds"] for r in runs["weakties"]]},
        "ratio": best["weakties"]["seconds"] / best["baseline"]["seconds"],
        "us_per_record": {
            side: 1e6 * best[side]["seconds"] / max(cards, 1) for side in ("baseline", "weakties")
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", nargs=3, metavar=("FORMAT", "SIDE", "FOLDER"))
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], Path(args.child[2]))
        return
    if not SAMPLES.is_dir():
        print(json.dumps({"skipped": f"{SAMPLES} is absent"}))
        return
    figures = {fmt: measure(fmt, args.copies, args.repeat) for fmt in FORMATS}
    print(json.dumps({"copies": args.copies, "repeat": args.repeat, **figures}, indent=2))


if __name__ == "__main__":
    main()
