"""An IMAP account: weakties' whole ingest against imapclient's bare fetch of the same
headers from the same server, in the same invocation.

Starts a Dovecot of its own on localhost (tests/imap_server.py: a self-signed
certificate, a Maildir filled with ``--messages`` messages of an organisation of 200
people, 15% of them in Sent), has it index the mailbox once, then times two things,
each in a fresh child process with its peak memory:

* ``baseline``: imapclient alone: connect over TLS, log in, and per folder select it,
  search its UIDs and fetch the header fields weakties reads
  (``BODY.PEEK[HEADER.FIELDS (...)]``) in batches of 500, as weakties does;
* ``weakties``: ``weakties ingest imaps://...`` into a new store: the same fetch, the
  mail parser, keys, writing the store, owner and people rebuild, closing.

Every configuration runs ``--repeat`` times in interleaved rounds; the fastest run of
each is kept. ``ratio`` is weakties' time over the baseline's. Prints one JSON object
(or ``{"skipped": reason}`` without Dovecot 2.3 and openssl).

Usage: python bench/capture_imap.py [--messages 10000] [--repeat 3] (bench/capture.py runs it)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import ssl
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from imap_server import Dovecot, mailbox, missing  # noqa: E402

USER, PASSWORD = "bench", "bench-imap-pw-9d2e"


def baseline(url: str, cafile: str) -> int:
    """imapclient's bare fetch of every message's header fields; the messages fetched."""
    from imapclient import IMAPClient

    from weakties.sources.imap import _HEADERS, FETCH_BATCH
    from weakties.sources.registry import server_address

    address = server_address(url)
    context = ssl.create_default_context(cafile=cafile)
    fetched = 0
    with IMAPClient(address.host, address.port, ssl_context=context, timeout=60) as client:
        client.login(address.user, os.environ["WEAKTIES_IMAP_PASSWORD"])
        for _flags, _delimiter, name in client.list_folders():
            client.select_folder(name, readonly=True)
            uids = sorted(client.search("ALL"))
            for start in range(0, len(uids), FETCH_BATCH):
                fetched += len(client.fetch(uids[start : start + FETCH_BATCH], [_HEADERS]))
    return fetched


def weakties(url: str, cafile: str) -> int:
    """weakties' whole ingest of the account into a new store; the records read."""
    from weakties import api
    from weakties.config import Settings
    from weakties.sources.server import ServerOptions

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(db_path=Path(tmp) / "bench.duckdb")
        report = api.ingest(settings, [url], server=ServerOptions(cafile=Path(cafile)))
    return report.totals.read


SIDES = {"baseline": baseline, "weakties": weakties}


def child(side: str, url: str, cafile: str) -> None:
    """One timed run, in this (fresh) process: prints seconds, count and peak RSS."""
    start = time.perf_counter()
    count = SIDES[side](url, cafile)
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "count": count, "peak_mb": round(peak_mb, 1)}))


def _run_child(side: str, server: Dovecot) -> dict[str, Any]:
    env = dict(os.environ, WEAKTIES_IMAP_PASSWORD=PASSWORD)
    out = subprocess.run(
        [sys.executable, __file__, "--child", side, server.url(USER), str(server.cafile)],
        capture_output=True, text=True, check=True, env=env,
    )  # fmt: skip
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def measure(messages: int, repeat: int) -> dict[str, Any]:
    server = Dovecot({USER: PASSWORD}).start()
    try:
        for name, mail in mailbox(f"{USER} <{USER}@example.org>", messages, 11).items():
            server.put(USER, name, mail)
        _run_child("baseline", server)  # Dovecot numbers and indexes the mailbox once
        runs: dict[str, list[dict[str, Any]]] = {side: [] for side in SIDES}
        for _ in range(repeat):
            for side in runs:
                runs[side].append(_run_child(side, server))
    finally:
        server.stop()
    best = {side: min(r, key=lambda x: x["seconds"]) for side, r in runs.items()}
    return {
        "messages": messages,
        "repeat": repeat,
        "baseline": {**best["baseline"], "all_seconds": [r["seconds"] for r in runs["baseline"]]},
        "weakties": {**best["weakties"], "all_seconds": [r["seconds"] for r in runs["weakties"]]},
        "ratio": best["weakties"]["seconds"] / best["baseline"]["seconds"],
        "us_per_message": {side: 1e6 * best[side]["seconds"] / max(messages, 1) for side in SIDES},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", nargs=3, metavar=("SIDE", "URL", "CAFILE"))
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    reason = missing()
    if reason is not None:
        print(json.dumps({"skipped": reason}))
        return
    print(json.dumps(measure(args.messages, args.repeat), indent=2))


if __name__ == "__main__":
    main()
