"""The Python API: what the CLI, the REST API and notebooks all call."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pyarrow as pa

from weakties.config import Settings
from weakties.errors import InputError
from weakties.ingest import IngestReport, ProgressSink, ingest_sources, resolve_paths
from weakties.store import connect, reads

_ADDRESS = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$")


@contextmanager
def open_store(
    settings: Settings, *, read_only: bool = False
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to the configured store, closed on exit."""
    con = connect(settings.db_path, read_only=read_only, memory_limit=settings.memory_limit)
    try:
        yield con
    finally:
        con.close()


def init(settings: Settings, me: Sequence[str]) -> list[str]:
    """Name the owner's addresses (replacing any named before); returns them normalised."""
    addresses = sorted({a.strip().strip("<>").lower() for a in me if a.strip()})
    bad = [a for a in addresses if not _ADDRESS.match(a)]
    if bad:
        raise InputError(
            f"Not an e-mail address: {bad[0]!r}.", "Give addresses like --me you@example.com."
        )
    with open_store(settings) as con:
        con.execute("BEGIN TRANSACTION")
        con.execute("DELETE FROM me")
        con.executemany("INSERT INTO me VALUES (?)", [[a] for a in addresses])
        con.execute("COMMIT")
    return addresses


def ingest(
    settings: Settings, paths: Sequence[Path], progress: ProgressSink | None = None
) -> IngestReport:
    """Read every path (mail, logs) into the store; see :mod:`weakties.ingest`."""
    sources = resolve_paths(paths)
    with open_store(settings) as con:
        return ingest_sources(con, sources, settings, progress)


def people(
    settings: Settings,
    *,
    search: str | None = None,
    include_automated: bool = False,
    limit: int | None = None,
) -> pa.Table:
    """People with counts, first/last seen, organisation and identities."""
    with open_store(settings, read_only=True) as con:
        return reads.people(con, search=search, include_automated=include_automated, limit=limit)


def quarantine(settings: Settings, *, reason: str | None = None) -> pa.Table:
    """Records set aside at ingest, with their location and reason."""
    with open_store(settings, read_only=True) as con:
        return reads.quarantine(con, reason=reason)


def sources(settings: Settings) -> pa.Table:
    """Ingested sources with owners and counts."""
    with open_store(settings, read_only=True) as con:
        return reads.sources(con)


def stats(settings: Settings) -> reads.StoreStats:
    """A summary of the store."""
    with open_store(settings, read_only=True) as con:
        return reads.stats(con)
