"""Ingest: sources -> records -> store, with accounting, owners and progress.

The core knows nothing of terminals: progress is reported through the small
:class:`~weakties.progress.ProgressSink` protocol that adapters implement.
"""

from __future__ import annotations

import getpass
import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from weakties.config import Settings
from weakties.parsing import Parsed, worker_pool
from weakties.progress import ProgressSink, SilentProgress
from weakties.records import Record, path_text
from weakties.sources.archives import ArchiveTally
from weakties.sources.base import NotRead, Source
from weakties.store.db import first_row
from weakties.store.reads import last_positions
from weakties.store.tuning import (
    INGEST_MEMORY_LIMIT,
    collector_paused,
    memory_capped,
    one_thread,
    size_bytes,
)
from weakties.store.seen import Seen
from weakties.store.writer import BatchCounts, write_batch
from weakties.text.addresses import canonical_name

if TYPE_CHECKING:
    from weakties.sources.registry import Survey
    from weakties.sources.server import ServerOptions

PEOPLE_BYTES_PER_PARTICIPANT = 20
"""The people rebuild's first memory cap, per participant row: its activity query needed
64-96 MB for 5.3M rows (an organisation log of 1.9M interactions)."""

SENT_SHARE = 0.02  # a sender of at least this share of a mailbox's sent items is its owner
RECIPIENT_SHARE = 0.30  # without sent items: a recipient of this share of the mail is its owner
PRESENCE_SHARE = 0.5  # a calendar's owner takes part in at least this share of its meetings


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
    """
    sink = progress or SilentProgress()
    run_id = _start_run(con, sources)
    totals = BatchCounts()
    reports: list[SourceReport] = []
    passed = list(not_read)
    for source in sources:
        _resume(con, source)
    pool = worker_pool(sources, settings)
    with collector_paused(), one_thread(con):
        with memory_capped(con, settings.memory_limit):
            try:
                parsed = Parsed(sources, pool)
                seen = Seen.load(con)
                for index, source in enumerate(sources):
                    records = parsed.records(index, source)
                    report = _ingest_one(con, source, settings, sink, records, seen)
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
    seen: Seen,
) -> SourceReport | None:
    first = next(records, None)  # a source is entered in the store once it yields
    if first is None and source.resumable() is None:
        return None  # (a resumable one is reported even with nothing new: read 0)
    source_id = register_source(con, source)
    counts = BatchCounts()
    sink.start(source.label, source.estimate())
    rest = itertools.chain([first], records) if first is not None else records
    for batch in _batches(rest, settings.batch_size):
        counts.add(write_batch(con, source_id, batch, seen))
        sink.advance(len(batch))
    sink.finish()
    owner, how = infer_owner(con, source_id, source)
    path = source.url or path_text(source.path)
    return SourceReport(source_id, source.label, source.kind, path, counts, owner, how)


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
    path = source.url or path_text(source.path.resolve())
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


def infer_owner(
    con: duckdb.DuckDBPyConnection, source_id: int, source: Source | None = None
) -> tuple[list[str], str | None]:
    """Name the owner of a source: the account an archive declares; else ``init --me``;
    else what the source's :attr:`~weakties.sources.base.Source.owner_rule` infers
    from its records (for mail: its sent items, else its main recipient)."""
    rule = source.owner_rule if source is not None else "mail"
    declared = source.declared_owner() if source is not None and rule == "declared" else []
    me = [r[0] for r in con.execute("SELECT address FROM me ORDER BY address").fetchall()]
    if declared:
        owner, how = declared, "archive"
    elif me:
        owner, how = me, "init"
    else:
        owner, how = OWNER_RULES.get(rule, _no_owner)(con, source_id), "inferred"
    if not owner:
        return [], None
    con.execute("BEGIN TRANSACTION")
    con.execute("DELETE FROM source_owners WHERE source_id = ?", [source_id])
    con.executemany("INSERT INTO source_owners VALUES (?, ?)", [[source_id, a] for a in owner])
    con.execute("UPDATE sources SET owner_how = ? WHERE source_id = ?", [how, source_id])
    con.execute("COMMIT")
    return owner, how


def _owner_from_mail(con: duckdb.DuckDBPyConnection, source_id: int) -> list[str]:
    return _owner_from_sent(con, source_id) or _owner_from_recipients(con, source_id)


def _owner_of_calendar(con: duckdb.DuckDBPyConnection, source_id: int) -> list[str]:
    """A calendar's sent items if it has any, else the person in most of its meetings,
    else its main recipient."""
    return (
        _owner_from_sent(con, source_id)
        or _owner_from_presence(con, source_id)
        or _owner_from_recipients(con, source_id)
    )


def _no_owner(con: duckdb.DuckDBPyConnection, source_id: int) -> list[str]:
    return []


def _owner_in_every_chat(con: duckdb.DuckDBPyConnection, source_id: int) -> list[str]:
    """The one sender who wrote in every chat of a source of several chats (the phone's
    owner, in a folder of one phone's chat exports). A chat is a file (a location's part
    before ``#``); a message it shares with an earlier export counts for it too."""
    rows = con.execute(
        """
        WITH chats AS (
            SELECT DISTINCT split_part(it.location, '#', 1) AS chat, it.interaction_id
            FROM items it JOIN interactions i USING (interaction_id)
            WHERE it.source_id = ? AND NOT i.automated
        ),
        n AS (SELECT count(DISTINCT chat) AS n FROM chats)
        SELECT p.address FROM chats c JOIN participants p USING (interaction_id)
        WHERE p.role = 'from'
        GROUP BY p.address
        HAVING count(DISTINCT c.chat) = (SELECT n FROM n) AND (SELECT n FROM n) >= 2
        ORDER BY p.address LIMIT 2
        """,
        [source_id],
    ).fetchall()
    return [str(rows[0][0])] if len(rows) == 1 else []


OWNER_RULES: dict[str, Callable[[duckdb.DuckDBPyConnection, int], list[str]]] = {
    "mail": _owner_from_mail,
    "calendar": _owner_of_calendar,
    "every-chat": _owner_in_every_chat,
    "declared": _no_owner,  # an archive that does not name its account
    "none": _no_owner,
}
"""How each kind of source's owner is inferred from its stored records, by the source's
``owner_rule``, when neither the source itself nor ``init --me`` names it."""


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


def _owner_from_presence(con: duckdb.DuckDBPyConnection, source_id: int) -> list[str]:
    """The person who takes part, in any role, in most of a calendar's meetings.

    A calendar has no sent folder, and its owner is the organiser of some meetings
    and an attendee of others: in either role, they are in nearly all of them
    (Google lists the owner among the attendees of every meeting with guests).
    """
    row = first_row(
        con.execute(
            """
        WITH meetings AS (
            SELECT DISTINCT it.interaction_id FROM items it JOIN interactions i
              USING (interaction_id)
            WHERE it.source_id = ? AND i.channel = 'meeting'
        )
        SELECT p.address, count(*) AS n, (SELECT count(*) FROM meetings) AS total
        FROM meetings JOIN participants p USING (interaction_id)
        GROUP BY p.address ORDER BY n DESC, p.address LIMIT 1
        """,
            [source_id],
        )
    )
    if row and row[2] and row[1] >= max(2, PRESENCE_SHARE * row[2]):
        return [str(row[0])]
    return []


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
