"""Process settings for a bulk write, applied for its length and then restored.

Ingest is a long run of small statements over a store that grows as it runs; the
defaults that suit analysis (all cores, a large buffer pool, the cyclic garbage
collector) cost it time and memory that grow with the input. Each setting here is
measured on Enron (peak RSS of a whole ingest, 1x / 4x / 16x the corpus).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

INGEST_THREADS = 1
"""Ingest sends many small statements: a second DuckDB thread makes none of them
faster, but brings its own allocator arena and hash-table partitions (4x: -20 MB),
and parse workers want the cores."""

INGEST_MEMORY_LIMIT = "64MB"
"""While an ingest runs (its batches, then its people rebuild, which ingest retries
under a doubled cap should DuckDB run out of memory), DuckDB's buffer pool would keep every
block the ledger and key look-ups scan, so it grows with the store: peak RSS 190 /
214 / 290 MB at 1x / 4x / 16x under the 512 MB default, 183 / 203 / 241 MB under
this cap, at the same speed (the blocks come back from the file cache).
Uncheckpointed rows stay bounded by the WAL checkpoint threshold, well under it."""


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector, re-enabling it afterwards.

    Ingest makes millions of short-lived objects (records, keys, rows) and no
    reference cycles to speak of (ten left after all of Enron), so the collector
    only re-scans the parsers' caches: 4-6% of an Enron ingest. The analysis turns
    columns into Python lists for igraph and the explanations; on the scale-10 demo
    organisation that woke the collector ~250 times (0.09 s, two full passes), and
    paused the analysis took 1.36 / 1.53 s against 1.46 / 1.61 s (min / median of 10
    alternating runs). Reference counting still frees everything as usual.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def one_thread(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Run DuckDB on :data:`INGEST_THREADS` threads for a block, then as before."""
    threads = int(con.execute("SELECT current_setting('threads')").fetchall()[0][0])
    con.execute(f"SET threads = {INGEST_THREADS}")
    try:
        yield
    finally:
        con.execute(f"SET threads = {threads}")


@contextmanager
def memory_capped(
    con: duckdb.DuckDBPyConnection, configured: str, cap: str = INGEST_MEMORY_LIMIT
) -> Iterator[None]:
    """Cap DuckDB's memory at ``cap`` for a block, then restore ``configured`` (the
    store's limit); a smaller configured limit is kept throughout."""
    if size_bytes(cap) >= size_bytes(configured):
        yield
        return
    _set_memory_limit(con, cap)
    try:
        yield
    finally:
        _set_memory_limit(con, configured)


_UNITS = {"B": 1, "KB": 10**3, "KIB": 2**10, "MB": 10**6, "MIB": 2**20,
          "GB": 10**9, "GIB": 2**30, "TB": 10**12, "TIB": 2**40}  # fmt: skip


def size_bytes(text: str) -> float:
    """``512MB``, ``488.2 MiB``, ``1GB`` -> bytes (a bare number is bytes)."""
    text = text.strip()
    number = text.rstrip("BbIiKkMmGgTt ")
    return float(number) * _UNITS.get(text[len(number) :].strip().upper(), 1)


@contextmanager
def memory_at_least(con: duckdb.DuckDBPyConnection, limit: str) -> Iterator[None]:
    """Raise DuckDB's memory limit to ``limit`` for a block (never lower it), then
    restore the limit the connection had, as DuckDB reports it: to 0.1 of its unit,
    truncated, so a limit of 256 MB comes back within 0.2 MiB."""
    before = _memory_limit(con)
    if size_bytes(before) >= size_bytes(limit):
        yield
        return
    _set_memory_limit(con, limit)
    try:
        yield
    finally:
        _set_memory_limit(con, before)


RELEASE_FLOOR = "64MB"


def release_buffers(con: duckdb.DuckDBPyConnection) -> None:
    """Hand back the memory DuckDB keeps after a large query. Its buffer pool keeps
    what a query used, up to the memory limit, as a cache; lowering the limit to
    :data:`RELEASE_FLOOR` evicts it, and the limit is then restored. After the features
    query on 100,000 people (3.5M ties) the process held 1.8 GB more than the ties
    it had read, for the rest of the analysis. Best effort: when DuckDB cannot get
    under the floor (buffers in use), what it could free is freed and the limit is
    restored all the same."""
    before = _memory_limit(con)
    try:
        _set_memory_limit(con, RELEASE_FLOOR)
    except duckdb.Error:
        pass
    finally:
        _set_memory_limit(con, before)


def _memory_limit(con: duckdb.DuckDBPyConnection) -> str:
    return str(con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0])


def _set_memory_limit(con: duckdb.DuckDBPyConnection, limit: str) -> None:
    con.execute(f"SET memory_limit = '{limit}'")
