"""Ingest: sources -> records -> store, with accounting, owners and progress.

The core knows nothing of terminals: progress is reported through the small
:class:`~weakties.progress.ProgressSink` protocol that adapters implement.
"""

from __future__ import annotations

import getpass
import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from weakties.config import Settings
from weakties.owners import infer_owners
from weakties.parsing import Parsed, worker_pool
from weakties.progress import ProgressSink, SilentProgress
from weakties.records import Record, path_text
from weakties.sources.archives import ArchiveTally
from weakties.sources.base import NotRead, Source
from weakties.store.db import first_row
from weakties.store.reads import last_positions
from weakties.store.seen import Seen
from weakties.store.tuning import (
    INGEST_MEMORY_LIMIT,
    collector_paused,
    memory_capped,
    one_thread,
    size_bytes,
)
from weakties.store.writer import BatchCounts, write_records

if TYPE_CHECKING:
    from weakties.sources.registry import Survey
    from weakties.sources.server import ServerOptions

PEOPLE_BYTES_PER_PARTICIPANT = 20
"""The people rebuild's first memory cap, per participant row: its activity query needed
64-96 MB for 5.3M rows (an organisation log of 1.9M interactions)."""


@dataclass(slots=True)
class SourceReport:
    """What one source contributed, and whose it is."""

    source_id: int
    label: str
    kind: str
    path: str
    counts: BatchCounts
    owner: list[str] = field(default_factory=list)
    owner_how: str | None = None


@dataclass(slots=True)
class IngestReport:
    """The summary of one ingest run; ``not_read`` lists the files given (or found in a
    folder or an archive given) that nothing read, and sources that held no record at
    all; ``archives`` says of each archive how many members were read, not read and
    quarantined."""

    run_id: int
    sources: list[SourceReport]
    totals: BatchCounts
    not_read: list[NotRead] = field(default_factory=list)
    archives: list[ArchiveTally] = field(default_factory=list)


def ingest_sources(
    con: duckdb.DuckDBPyConnection,
    sources: Sequence[Source],
    settings: Settings,
    progress: ProgressSink | None = None,
    not_read: Sequence[NotRead] = (),
) -> IngestReport:
    """Store every record of ``sources``; infer owners; rebuild people.

    A source that yields no record is not entered in the store (a log with a header
    and no rows leaves no trace); it joins ``not_read`` in the report as ``empty``.
    Records are written in batches of ``settings.batch_size`` that may span sources
    (a folder of small files costs a transaction per batch, not per file), and the
    owners of all sources are inferred together once everything is written.
    """
    sink = progress or SilentProgress()
    run_id = _start_run(con, sources)
    passed = list(not_read)
    for source in sources:
        _resume(con, source)
    pool = worker_pool(sources, settings)
    with collector_paused(), one_thread(con):
        with memory_capped(con, settings.memory_limit):
            try:
                parsed = Parsed(sources, pool)
                run = RunWriter(con, settings.batch_size, Seen.load(con))
                for index, source in enumerate(sources):
                    if not _read_one(run, source, sink, parsed.records(index, source)):
                        passed.append(NotRead(source.path, "empty"))
                run.flush()
            finally:
                if pool is not None:
                    pool.shutdown(cancel_futures=True)
            reports = _reports(con, run)
            run.seen = None  # its hashes (16 bytes a stored record) are not needed again
        _rebuild_within(con, settings.memory_limit)
    totals = BatchCounts()
    for report in reports:
        totals.add(report.counts)
    _finish_run(con, run_id, totals)
    return IngestReport(run_id, reports, totals, passed)


def _read_one(
    run: RunWriter, source: Source, sink: ProgressSink, records: Iterator[Record]
) -> bool:
    """Hand every record of ``source`` to the run's writer; False when it had none."""
    first = next(records, None)  # a source is entered in the store once it yields
    if first is None and source.resumable() is None:
        return False  # (a resumable one is reported even with nothing new: read 0)
    source_id = run.place(source)
    sink.start(source.label, source.estimate())
    rest = itertools.chain([first], records) if first is not None else records
    for batch in _batches(rest, run.size):
        run.add(source_id, batch)
        sink.advance(len(batch))
    sink.finish()
    return True


def _reports(con: duckdb.DuckDBPyConnection, run: RunWriter) -> list[SourceReport]:
    """One report per source the run placed, owners inferred for all of them at once."""
    owners = infer_owners(con, run.placed)
    return [
        SourceReport(
            source_id,
            source.label,
            source.kind,
            source.url or path_text(source.path),
            run.counts.get(source_id, BatchCounts()),
            *owners.get(source_id, ([], None)),
        )
        for source_id, source in run.placed
    ]


def _resume(con: duckdb.DuckDBPyConnection, source: Source) -> None:
    """Tell a resumable source (an IMAP account) where the ledger says it stopped, so
    that it reads only what is new; the source itself never sees the store."""
    placed = source.resumable()
    if placed is not None:
        source.resume(last_positions(con, placed.prefix, placed.marker))


def _batches(records: Iterator[Record], size: int) -> Iterator[list[Record]]:
    batch: list[Record] = []
    for record in records:
        batch.append(record)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def register_source(con: duckdb.DuckDBPyConnection, source: Source) -> int:
    """The id of ``source`` in the store, adding it on first sight."""
    run = RunWriter(con, 1, None)
    source_id = run.place(source)
    con.execute("BEGIN TRANSACTION")
    run.register(con)
    con.execute("COMMIT")
    return source_id


class RunWriter:
    """Writes a run's records in batches that may span sources, registering each
    source in the transaction of its first batch, and keeps each source's counts.

    The store's sources are read once, when the run starts: one query for the run,
    not two statements and a commit per source.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, size: int, seen: Seen | None) -> None:
        self.con, self.size, self.seen = con, size, seen
        rows = con.execute("SELECT path, source_id FROM sources").fetchall()
        self.known: dict[str, int] = {str(path): int(i) for path, i in rows}
        self.next_id = max(self.known.values(), default=0) + 1
        self.placed: list[tuple[int, Source]] = []
        self.counts: dict[int, BatchCounts] = {}
        self.pending: list[tuple[int, Source]] = []  # to register with the next batch
        self.source_ids: list[int] = []
        self.records: list[Record] = []

    def place(self, source: Source) -> int:
        """The source's id: its own if the store knows its path, else the next one."""
        path = source.url or path_text(source.path.resolve())
        source_id = self.known.get(path)
        if source_id is None:
            source_id = self.known[path] = self.next_id
            self.next_id += 1
        self.placed.append((source_id, source))
        self.pending.append((source_id, source))
        return source_id

    def add(self, source_id: int, records: Sequence[Record]) -> None:
        for record in records:
            self.source_ids.append(source_id)
            self.records.append(record)
            if len(self.records) >= self.size:
                self.flush()

    def flush(self) -> None:
        """Write what is waiting (records, sources to register) in one transaction."""
        if not self.records and not self.pending:
            return
        first = self.register if self.pending else None
        counts = write_records(self.con, self.source_ids, self.records, self.seen, first)
        for source_id, batch in counts.items():
            self.counts.setdefault(source_id, BatchCounts()).add(batch)
        self.source_ids, self.records = [], []

    def register(self, con: duckdb.DuckDBPyConnection) -> None:
        """Enter the waiting sources (new ones added, known ones stamped); run inside
        the transaction of the batch that holds their first records."""
        now, user = datetime.now(UTC), _user()
        rows = [
            [i, s.kind, s.url or path_text(s.path.resolve()), s.label, now, now, user]
            for i, s in dict(self.pending).items()
        ]
        stored = {int(r[0]) for r in con.execute("SELECT source_id FROM sources").fetchall()}
        new = [r for r in rows if r[0] not in stored]
        if new:
            con.executemany("INSERT INTO sources VALUES (?, ?, ?, ?, ?, ?, ?, NULL)", new)
        again = [[now, r[0]] for r in rows if r[0] in stored]
        if again:
            con.executemany("UPDATE sources SET last_ingested_at = ? WHERE source_id = ?", again)
        self.pending = []


def _rebuild_within(con: duckdb.DuckDBPyConnection, configured: str) -> None:
    """:func:`_rebuild_derived` under the smallest buffer pool it fits in: a cap scaled to
    the store's participants (at least the ingest cap), doubled after each try that ran
    out of memory, up to ``configured``.

    Going straight from the cap to the store's limit let DuckDB take all of it: on an
    organisation log of 1.9M interactions the rebuild needs 64-96 MB, and ingest's peak
    RSS went from about 300 MB to 714 MB for it. (Each try that runs out costs its
    time, 4 s there, so the first cap is already scaled to the store's participants.)
    """
    ((rows,),) = con.execute("SELECT count(*) FROM participants").fetchall()
    cap = max(size_bytes(INGEST_MEMORY_LIMIT), PEOPLE_BYTES_PER_PARTICIPANT * rows)
    while True:
        with memory_capped(con, configured, cap=f"{int(cap)}B"):
            if _rebuild_derived(con):
                return
        if cap >= size_bytes(configured):
            return  # the last try had the store's whole limit: analyze will retry
        cap *= 2


def _rebuild_derived(con: duckdb.DuckDBPyConnection) -> bool:
    """Rebuild people from the facts, after moving the facts just written to the file.

    Until a checkpoint, DuckDB keeps the rows of recent transactions in memory; the
    rebuild's queries then need their working memory on top of them. Checkpointing
    first costs nothing in all (closing the store would do it) and lowers the peak
    (Enron 4x: 265 -> 247 MB). Returns False when DuckDB ran out of memory (nothing
    was written), so that the caller can try again with more.
    """
    from weakties.identity.rebuild import rebuild_people_if_stale

    con.execute("CHECKPOINT")
    try:
        rebuild_people_if_stale(con)
    except duckdb.OutOfMemoryException:
        return False
    return True


def _start_run(con: duckdb.DuckDBPyConnection, sources: Sequence[Source]) -> int:
    row = first_row(con.execute("SELECT coalesce(max(run_id), 0) + 1 FROM runs"))
    run_id = int(row[0]) if row else 1
    paths = "\n".join(s.url or path_text(s.path) for s in sources)
    con.execute(
        "INSERT INTO runs (run_id, started_at, ingested_by, paths) VALUES (?, ?, ?, ?)",
        [run_id, datetime.now(UTC), _user(), paths],
    )
    return run_id


def _finish_run(con: duckdb.DuckDBPyConnection, run_id: int, totals: BatchCounts) -> None:
    con.execute(
        """UPDATE runs SET finished_at = ?, n_read = ?, n_stored = ?, n_duplicates = ?,
           n_quarantined = ?, n_known = ? WHERE run_id = ?""",
        [
            datetime.now(UTC),
            totals.read,
            totals.stored,
            totals.duplicates,
            totals.quarantined,
            totals.known,
            run_id,
        ],
    )


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def resolve_paths(paths: Sequence[Path], *, region: str | None = None) -> list[Source]:
    """Turn user paths into sources (the registry decides formats by content);
    ``region`` is where they read phone numbers without a country code."""
    return survey_paths(paths, region=region).sources


def survey_paths(
    paths: Sequence[Path | str],
    *,
    region: str | None = None,
    server: ServerOptions | None = None,
) -> Survey:
    """The sources for user paths (and server addresses, read with ``server``'s
    options), the files in them that nothing will read and the archives' tallies;
    close it once its sources are read (it holds archives open)."""
    from weakties.sources.registry import survey

    return survey(paths, region=region, server=server)
