"""Ingest speed of the capture sources beyond mail, each against its library's bare
parse of the same files in the same run.

Prints one JSON object with one entry per source. Every figure comes from a fresh
child process of this invocation; each configuration runs ``--repeat`` times (default
3) in interleaved rounds and the fastest run is kept, with every run's time listed.
Peak memory is the child's maximum resident set size.

``calendar``: the iCalendar files of ``export-samples/ics`` (a real Google calendar of
4,778 events among them).

* ``bare``: what the libraries alone do with the files: icalendar parses each file
  and recurring-ical-events expands every series up to the same horizon weakties
  uses, 90 days after the calendar's export (``of(calendar).between(...)``), each
  occurrence made a component (a file the library refuses, one whose events lack
  DTSTART, counts nothing);
* ``weakties``: the whole ingest (``api.ingest`` into a new store): discovery,
  reading, expansion, people, keys, writing, owners and people's rebuild.

``ratio`` is weakties' time over the bare parse's: the target is at most 2.

Usage: python bench/capture_calendar.py [--repeat 3] (bench/capture.py runs it)
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT.parent / "shared" / "data" / "export-samples"


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- calendar --------------------------------------------------------------------------


def _calendar_files() -> list[Path]:
    return sorted((SAMPLES / "ics").glob("*.ics"))


def calendar_bare() -> dict[str, float]:
    import icalendar
    import recurring_ical_events

    from weakties.sources.ics import exported, horizon

    now = datetime.now(UTC)
    start = time.perf_counter()
    n = 0
    for path in _calendar_files():
        for calendar in icalendar.Calendar.from_ical(path.read_bytes(), multiple=True):
            end = horizon(min(now, exported(calendar) or now))
            try:
                query = recurring_ical_events.of(calendar, skip_bad_series=True)
                n += len(query.between(datetime(1900, 1, 1, tzinfo=UTC), end))
            except (KeyError, ValueError):
                continue  # events without DTSTART fail the library's whole calendar
    return {"records": n, "seconds": time.perf_counter() - start, "peak_mb": _peak_mb()}


def calendar_weakties() -> dict[str, float]:
    from weakties import api
    from weakties.config import Settings

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(db_path=Path(tmp) / "bench.duckdb", workers=1)
        start = time.perf_counter()
        report = api.ingest(settings, [SAMPLES / "ics"])
        seconds = time.perf_counter() - start
    t = report.totals
    return {
        "records": t.read,
        "seconds": seconds,
        "stored": t.stored,
        "quarantined": t.quarantined,
        "peak_mb": _peak_mb(),
    }


CHILDREN: dict[str, Callable[[], dict[str, Any]]] = {
    "calendar-bare": calendar_bare,
    "calendar-weakties": calendar_weakties,
}


def calendar_entry(repeat: int) -> dict[str, Any]:
    runs = _interleaved(["calendar-bare", "calendar-weakties"], repeat)
    bare, ours = _best(runs["calendar-bare"]), _best(runs["calendar-weakties"])
    return {
        "files": len(_calendar_files()),
        "bare": _rate(bare),
        "weakties": _rate(ours),
        "ratio": round(ours["seconds"] / bare["seconds"], 2),
    }


ENTRIES: dict[str, Callable[[int], dict[str, Any]]] = {"calendar": calendar_entry}
"""One entry per source: its name and the function that measures it."""


# -- running ---------------------------------------------------------------------------


def _child(name: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", name],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _interleaved(names: list[str], repeat: int) -> dict[str, list[dict[str, Any]]]:
    runs: dict[str, list[dict[str, Any]]] = {n: [] for n in names}
    for _ in range(repeat):
        for name in names:
            runs[name].append(_child(name))
    return runs


def _best(runs: list[dict[str, Any]]) -> dict[str, Any]:
    best = dict(min(runs, key=lambda r: r["seconds"]))
    best["all_seconds"] = [round(r["seconds"], 3) for r in runs]
    return best


def _rate(run: dict[str, Any]) -> dict[str, Any]:
    out = {k: (round(v, 3) if isinstance(v, float) else v) for k, v in run.items()}
    out["records_per_s"] = round(run["records"] / run["seconds"], 1)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=sorted(ENTRIES), action="append")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", choices=sorted(CHILDREN))
    args = parser.parse_args()
    if args.child:
        print(json.dumps(CHILDREN[args.child]()))
        return
    names = args.only or sorted(ENTRIES)
    print(json.dumps({name: ENTRIES[name](args.repeat) for name in names}, indent=1))


if __name__ == "__main__":
    main()
