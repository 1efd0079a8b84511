"""Ingest speed of the captured exports (chat, social), against a bare parse of the same
files in the same run.

Prints one JSON object: per format, in records per second and best of ``--repeat``
interleaved rounds, each configuration in a fresh child process (with its peak RSS):

* ``bare``: the format's own library reading the same files and nothing else: for the
  JSON exports (Slack, X) ``json.load``/``json.loads`` of every file, for WhatsApp a
  regular expression telling each line that starts a message from one that continues
  it;
* ``read``: weakties' source alone, every record read and nothing else;
* ``whole``: ``api.ingest`` into a new store on one core (read, deduplicate, store in
  DuckDB, owners, people);
* ``whole_over_bare`` and ``read_over_bare``: the ratios of their times.

The samples in ../shared/data/export-samples are small (162 Slack records, 1,120
WhatsApp lines, 5,232 X records), so each is copied ``--scale`` times with new ids
(nothing deduplicates away) to measure speed per record rather than fixed costs.
Each format's entry is self-contained: a function that builds its scaled input, and
one that parses it bare.

Usage: python bench/capture_chats.py [--scale 10] [--repeat 3] [--formats slack,whatsapp,x]
(bench/capture.py runs it)
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT.parent / "shared" / "data" / "export-samples"


# -- Slack ----------------------------------------------------------------------------


def slack_input(target: Path, scale: int) -> Path:
    """The Slack export with its channels copied ``scale`` times under new ids."""
    sample = SAMPLES / "slack-export"
    root = target / "slack-export"
    root.mkdir()
    shutil.copy(sample / "users.json", root / "users.json")
    channels = json.loads((sample / "channels.json").read_text())
    copies = []
    for n in range(scale):
        for channel in channels:
            copy = dict(channel, id=f"{channel['id']}{n:04d}", name=f"{channel['name']}-{n}")
            shutil.copytree(sample / channel["name"], root / copy["name"])
            copies.append(copy)
    (root / "channels.json").write_text(json.dumps(copies))
    return root


def slack_bare(root: Path) -> int:
    records = 0
    for path in sorted(root.rglob("*.json")):
        with path.open("rb") as fh:
            value = json.load(fh)
        records += len(value) if path.name != "channels.json" else 0
    return records


# -- WhatsApp ---------------------------------------------------------------------------

WHATSAPP_LINE = re.compile(
    r"^[\u200e]*\[?\d{1,4}[./-]\d{1,2}[./-]\d{1,4},? \d{1,2}[:.]\d{2}(?::\d{2})?"
    r"(?:[ \u202f][AP]M)?(?:\] | - )"
)


def whatsapp_input(target: Path, scale: int) -> Path:
    """Each chat copied ``scale`` times, its senders renamed in each copy."""
    root = target / "whatsapp"
    root.mkdir()
    sender = re.compile(r"^((?:\[[^\]]*\] )|(?:[^-\[]* - ))([^:\n]{1,40}): ", re.MULTILINE)
    for chat in sorted((SAMPLES / "whatsapp").glob("*.txt")):
        text = chat.read_text(encoding="utf-8")
        for n in range(scale):
            renamed = sender.sub(lambda m, n=n: f"{m[1]}{m[2]} {n}: ", text)
            (root / f"{chat.stem}-{n}.txt").write_text(renamed, encoding="utf-8")
    return root


def whatsapp_bare(root: Path) -> int:
    messages = 0
    for path in sorted(root.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").split("\n"):
            if WHATSAPP_LINE.match(line):
                messages += 1
    return messages


# -- X ----------------------------------------------------------------------------------

X_IDS = frozenset({"id", "tweet_id", "accountId"})


def x_input(target: Path, scale: int) -> Path:
    """The archive with each data file split into ``scale`` parts, ids made new."""
    data = target / "twitter-archive" / "data"
    data.mkdir(parents=True)
    sample = SAMPLES / "twitter-archive" / "data"
    shutil.copy(sample / "manifest.js", data / "manifest.js")
    for path in sorted(sample.glob("*.js")):
        if path.name == "manifest.js":
            continue
        prefix, _, body = path.read_text(encoding="utf-8").partition("=")
        value = json.loads(body)
        for n in range(scale):
            name = path.stem if n == 0 else f"{path.stem}-part{n}"
            renamed = _x_renamed(value, n)
            text = f"{prefix.rstrip()} = {json.dumps(renamed, indent=2)}"
            (data / f"{name}.js").write_text(text, encoding="utf-8")
    return data.parent


def _x_renamed(value: Any, n: int) -> Any:
    if isinstance(value, dict):
        return {k: f"{v}{n:03d}" if k in X_IDS and isinstance(v, str) else _x_renamed(v, n)
                for k, v in value.items()}  # fmt: skip
    if isinstance(value, list):
        return [_x_renamed(v, n) for v in value]
    return value


def x_bare(root: Path) -> int:
    records = 0
    for path in sorted((root / "data").glob("*.js")):
        if path.name == "manifest.js":
            continue
        value = json.loads(path.read_bytes().split(b"=", 1)[1])
        for entry in value:  # a conversation is its messages, as weakties counts them
            conversation = entry.get("dmConversation") if isinstance(entry, dict) else None
            records += len(conversation["messages"]) if conversation else 1
    return records


FORMATS: dict[str, tuple[Callable[[Path, int], Path], Callable[[Path], int]]] = {
    "slack": (slack_input, slack_bare),
    "whatsapp": (whatsapp_input, whatsapp_bare),
    "x": (x_input, x_bare),
}


# -- running ----------------------------------------------------------------------------


def _child(fmt: str, mode: str, path: Path) -> dict[str, Any]:
    """One timed configuration, in this (fresh) process."""
    for file in path.rglob("*"):  # a warm page cache for every configuration alike
        if file.is_file():
            file.read_bytes()
    if mode != "bare":  # weakties' imports (DuckDB, Arrow, ...) are not reading
        import weakties.api
        import weakties.sources.registry  # noqa: F401
    start = time.perf_counter()
    if mode == "bare":
        records = FORMATS[fmt][1](path)
    elif mode == "read":
        records = _read(path)
    else:
        records = _whole(path)
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"records": records, "seconds": seconds, "peak_rss_mb": round(peak_mb, 1)}


def _read(path: Path) -> int:
    from weakties.sources.registry import discover
    from weakties.store.tuning import collector_paused

    with collector_paused():  # as ingest reads
        return sum(1 for source in discover([path]) for _ in source.records())


def _whole(path: Path) -> int:
    from weakties import api
    from weakties.config import Settings

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(db_path=Path(tmp) / "bench.duckdb", workers=1)
        report = api.ingest(settings, [path])
    t = report.totals
    assert t.read == t.stored + t.duplicates + t.quarantined + t.known
    return t.read


def _run(fmt: str, mode: str, path: Path) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", fmt, mode, str(path)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def _measure(fmt: str, path: Path, repeat: int) -> dict[str, Any]:
    runs: dict[str, list[dict[str, Any]]] = {"bare": [], "read": [], "whole": []}
    for _ in range(repeat):  # interleaved: the machine's noise falls on all alike
        for mode, results in runs.items():
            results.append(_run(fmt, mode, path))
    figures: dict[str, Any] = {}
    for mode, results in runs.items():
        best = min(results, key=lambda r: r["seconds"])
        figures[mode] = {
            "records": best["records"],
            "seconds": round(best["seconds"], 4),
            "records_per_s": round(best["records"] / best["seconds"]),
            "peak_rss_mb": best["peak_rss_mb"],
            "all_seconds": [round(r["seconds"], 4) for r in results],
        }
    bare = figures["bare"]["seconds"]
    figures["read_over_bare"] = round(figures["read"]["seconds"] / bare, 2)
    figures["whole_over_bare"] = round(figures["whole"]["seconds"] / bare, 2)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--child", nargs=3, metavar=("FORMAT", "MODE", "PATH"))
    args = parser.parse_args()
    if args.child:
        fmt, mode, path = args.child
        print(json.dumps(_child(fmt, mode, Path(path))))
        return
    if not SAMPLES.is_dir():
        sys.exit(f"{SAMPLES} not found: the samples live in ../shared/data")
    result: dict[str, Any] = {"scale": args.scale, "repeat": args.repeat}
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in args.formats.split(","):
            target = Path(tmp) / fmt
            target.mkdir()
            path = FORMATS[fmt][0](target, args.scale)
            result[fmt] = _measure(fmt, path, args.repeat)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
