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
from weakties.parsing import Parsed, worker_pool
from weakties.progress import ProgressSink, SilentProgress
from weakties.records import Record, path_text
from weakties.sources.base import NotRead, Source
from weakties.store.db import first_row
from weakties.store.tuning import (
    INGEST_MEMORY_LIMIT,
    collector_paused,
    memory_capped,
    one_thread,
    size_bytes,
)
from weakties.store.writer import BatchCounts, write_batch
from weakties.text.addresses import canonical_name

if TYPE_CHECKING:
    from weakties.sources.registry import Survey

PEOPLE_BYTES_PER_PARTICIPANT = 20
"""The people rebuild's first memory cap, per participant row: its activity query needed
64-96 MB for 5.3M rows (an organisation log of 1.9M interactions)."""

SENT_SHARE = 0.02  # a sender of at least this share of a mailbox's sent items is its owner
RECIPIENT_SHARE = 0.30  # without sent items: a recipient of this share of the mail is its owner


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
    folder given) that nothing read, and sources that held no record at all."""

    run_id: int
    sources: list[SourceReport]
    totals: BatchCounts
    not_read: list[NotRead] = field(default_factory=list)


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
    """
    sink = progress or SilentProgress()
    run_id = _start_run(con, sources)
    totals = BatchCounts()
    reports: list[SourceReport] = []
    passed = list(not_read)
    pool = worker_pool(sources, settings)
    with collector_paused(), one_thread(con):
        with memory_capped(con, settings.memory_limit):
            try:
                parsed = Parsed(sources, pool)
                for index, source in enumerate(sources):
                    records = parsed.records(index, source)
                    report = _ingest_one(con, source, settings, sink, records)
                    if report is None:
                        passed.append(NotRead(source.path, "empty"))
                        continue
                    totals.add(report.counts)
                    reports.append(report)
            finally:
                if pool is not None:
                    pool.shutdown(cancel_futures=True)
        _rebuild_within(con, settings.memory_limit)
    _finish_run(con, run_id, totals)
    return IngestReport(run_id, reports, totals, passed)


def _ingest_one(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    settings: Settings,
    sink: ProgressSink,
    records: Iterator[Record],
) -> SourceReport | None:
    first = next(records, None)  # a source is entered in the store once it yields
    if first is None:
        return None
    source_id = register_source(con, source)
    counts = BatchCounts()
    sink.start(source.label, source.estimate())
    for batch in _batches(itertools.chain([first], records), settings.batch_size):
        counts.add(write_batch(con, source_id, batch))
        sink.advance(len(batch))
    sink.finish()
    owner, how = infer_owner(con, source_id)
    path = path_text(source.path)
    return SourceReport(source_id, source.label, source.kind, path, counts, owner, how)


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
    path = path_text(source.path.resolve())
    now = datetime.now(UTC)
    row = first_row(con.execute("SELECT source_id FROM sources WHERE path = ?", [path]))
    if row:
        con.execute("UPDATE sources SET last_ingested_at = ? WHERE source_id = ?", [now, row[0]])
        return int(row[0])
    next_id = first_row(con.execute("SELECT coalesce(max(source_id), 0) + 1 FROM sources"))
    source_id = int(next_id[0]) if next_id else 1
    con.execute(
        "INSERT INTO sources VALUES (?, ?, ?, ?, ?, ?, ?, NULL)",
        [source_id, source.kind, path, source.label, now, now, _user()],
    )
    return source_id


def infer_owner(con: duckdb.DuckDBPyConnection, source_id: int) -> tuple[list[str], str | None]:
    """Name the owner of a source: ``init --me``, else its sent mail, else its main recipient."""
    me = [r[0] for r in con.execute("SELECT address FROM me ORDER BY address").fetchall()]
    owner, how = (me, "init") if me else (_owner_from_sent(con, source_id), "inferred")
    if not owner:
        owner = _owner_from_recipients(con, source_id)
    if not owner:
        return [], None
    con.execute("BEGIN TRANSACTION")
    con.execute("DELETE FROM source_owners WHERE source_id = ?", [source_id])
    con.executemany("INSERT INTO source_owners VALUES (?, ?)", [[source_id, a] for a in owner])
    con.execute("UPDATE sources SET owner_how = ? WHERE source_id = ?", [how, source_id])
    con.execute("COMMIT")
    return owner, how


def _owner_from_sent(con: duckdb.DuckDBPyConnection, source_id: int) -> list[str]:
    """Senders of the mailbox's sent items: the main one, the frequent ones, and any
    that sent under the main one's full name (a personal address used from the same
    mail client)."""
    rows = con.execute(
        """
        SELECT p.address, count(*) AS n, sum(count(*)) OVER () AS total,
               mode(nullif(p.name, '')) AS name
        FROM items it JOIN participants p USING (interaction_id)
        WHERE it.source_id = ? AND it.is_sent AND p.role = 'from'
        GROUP BY p.address ORDER BY n DESC, p.address
        """,
        [source_id],
    ).fetchall()
    if not rows:
        return []
    main_name = canonical_name(rows[0][3] or "")
    full_name = len(main_name.split()) >= 2
    return [
        a
        for a, n, total, name in rows
        if n >= 2
        and (n >= SENT_SHARE * total or (full_name and canonical_name(name or "") == main_name))
    ]


def _owner_from_recipients(con: duckdb.DuckDBPyConnection, source_id: int) -> list[str]:
    row = first_row(
        con.execute(
            """
        WITH mail AS (
            SELECT DISTINCT it.interaction_id FROM items it JOIN interactions i
              USING (interaction_id)
            WHERE it.source_id = ? AND NOT i.bulk AND NOT i.automated
        )
        SELECT p.address, count(*) AS n, (SELECT count(*) FROM mail) AS total
        FROM mail JOIN participants p USING (interaction_id)
        WHERE p.role IN ('to', 'cc', 'bcc', 'attendee')
          AND p.address NOT IN (  -- a list's address (List-Id a.b.org -> a@b.org) is no owner
              SELECT regexp_replace(list_id, '[.]', '@') FROM interactions
              WHERE list_id IS NOT NULL)
        GROUP BY p.address ORDER BY n DESC, p.address LIMIT 1
        """,
            [source_id],
        )
    )
    if row and row[2] and row[1] >= max(2, RECIPIENT_SHARE * row[2]):
        return [str(row[0])]
    return []


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
    paths = "\n".join(path_text(s.path) for s in sources)
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


def resolve_paths(paths: Sequence[Path]) -> list[Source]:
    """Turn user paths into sources (the registry decides formats by content)."""
    return survey_paths(paths).sources


def survey_paths(paths: Sequence[Path]) -> Survey:
    """The sources for user paths, and the files in them that nothing will read."""
    from weakties.sources.registry import survey

    return survey(paths)
