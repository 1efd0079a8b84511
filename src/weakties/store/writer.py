"""Writing records to the store: batched, transactional, deduplicated, accounted.

Each batch is one transaction that writes the interactions, their keys and
participants, quarantined records, and the ledger row of every record read. A
record whose location is already in the ledger was handled by an earlier run and is
skipped, so re-running an interrupted ingest ends in the same state as a run that
was never interrupted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa

from weakties.records import Interaction, Participant, Quarantined, Record
from weakties.store.keys import interaction_keys, stable_id


@dataclass(slots=True)
class BatchCounts:
    """What became of the records of one batch (or of a whole run, summed)."""

    read: int = 0
    stored: int = 0
    duplicates: int = 0
    quarantined: int = 0
    known: int = 0  # already in the ledger from an earlier run
    automated: int = 0  # stored interactions flagged automated or bulk
    reasons: dict[str, int] = field(default_factory=dict)

    def add(self, other: BatchCounts) -> None:
        self.read += other.read
        self.stored += other.stored
        self.duplicates += other.duplicates
        self.quarantined += other.quarantined
        self.known += other.known
        self.automated += other.automated
        for reason, n in other.reasons.items():
            self.reasons[reason] = self.reasons.get(reason, 0) + n


@dataclass(slots=True)
class _Rows:
    """Column lists for one batch's inserts."""

    interactions: list[tuple[object, ...]] = field(default_factory=list)
    keys: list[tuple[str, int]] = field(default_factory=list)
    participants: list[tuple[int, str, str, str]] = field(default_factory=list)
    links: list[tuple[str, str, str]] = field(default_factory=list)
    items: list[tuple[str, int, str, int | None, bool]] = field(default_factory=list)
    quarantine: list[tuple[str, int, str, str]] = field(default_factory=list)


def write_batch(
    con: duckdb.DuckDBPyConnection, source_id: int, records: Sequence[Record]
) -> BatchCounts:
    """Store one batch in one transaction and return what became of each record."""
    counts = BatchCounts(read=len(records))
    con.execute("BEGIN TRANSACTION")
    try:
        fresh = _unknown(con, records)
        counts.known = len(records) - len(fresh)
        rows = _plan(con, source_id, fresh, counts)
        _insert(con, rows)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return counts


def _unknown(con: duckdb.DuckDBPyConnection, records: Sequence[Record]) -> list[Record]:
    """The records whose location is not yet in the ledger (first one wins in a batch)."""
    locations = pa.table({"location": [r.location for r in records]})
    con.register("_batch_locations", locations)
    try:
        known = {
            row[0]
            for row in con.execute(
                "SELECT i.location FROM items i JOIN _batch_locations b USING (location)"
            ).fetchall()
        }
    finally:
        con.unregister("_batch_locations")
    fresh: list[Record] = []
    for record in records:
        if record.location not in known:
            known.add(record.location)
            fresh.append(record)
    return fresh


def _plan(
    con: duckdb.DuckDBPyConnection, source_id: int, records: list[Record], counts: BatchCounts
) -> _Rows:
    rows = _Rows()
    mail = [r for r in records if isinstance(r, Interaction)]
    keys_of = {r.location: interaction_keys(r) for r in mail}
    seen = _existing_keys(con, [k for ks in keys_of.values() for k in ks])
    for record in records:
        if isinstance(record, Quarantined):
            _quarantine(rows, source_id, record, counts)
        else:
            _interaction(rows, source_id, record, keys_of[record.location], seen, counts)
    return rows


def _quarantine(rows: _Rows, source_id: int, record: Quarantined, counts: BatchCounts) -> None:
    rows.quarantine.append((record.location, source_id, record.reason, record.detail[:500]))
    rows.items.append((record.location, source_id, "quarantined", None, False))
    counts.quarantined += 1
    counts.reasons[record.reason] = counts.reasons.get(record.reason, 0) + 1


def _interaction(
    rows: _Rows,
    source_id: int,
    record: Interaction,
    keys: tuple[str, ...],
    seen: dict[str, int],
    counts: BatchCounts,
) -> None:
    existing = None
    for key in keys:
        existing = seen.get(key)
        if existing is not None:
            break
    outcome = "duplicate" if existing is not None else "stored"
    interaction_id = existing if existing is not None else stable_id(keys[0])
    for key in keys:
        if key not in seen:
            seen[key] = interaction_id
            rows.keys.append((key, interaction_id))
    rows.items.append((record.location, source_id, outcome, interaction_id, record.is_sent))
    if existing is not None:
        counts.duplicates += 1
        return
    counts.stored += 1
    counts.automated += record.automated or record.bulk
    people = _unique_participants(record.participants)
    rows.interactions.append(_interaction_row(record, interaction_id, keys, source_id, people))
    rows.participants.extend(
        [(interaction_id, p.address, p.role, p.name[:200]) for p in people]
    )
    rows.links.extend((a.address, a.other, a.evidence) for a in record.aliases)


def _unique_participants(participants: list[Participant]) -> list[Participant]:
    """One row per address; the first role wins (senders come first)."""
    seen: set[str] = set()
    unique: list[Participant] = []
    for p in participants:
        if p.address not in seen:
            seen.add(p.address)
            unique.append(p)
    return unique


def _interaction_row(
    record: Interaction,
    interaction_id: int,
    keys: tuple[str, ...],
    source_id: int,
    people: list[Participant],
) -> tuple[object, ...]:
    content = next((k for k in keys if k.startswith("c:")), keys[0])
    return (
        interaction_id,
        keys[0],
        content,
        source_id,
        record.channel,
        record.timestamp,
        str(record.date_flag) if record.date_flag else None,
        record.message_id,
        record.in_reply_to,
        record.thread_id,
        record.subject_hash,
        record.list_id,
        record.automated,
        record.bulk,
        record.duration_s,
        len(people),
    )


def _existing_keys(con: duckdb.DuckDBPyConnection, keys: list[str]) -> dict[str, int]:
    if not keys:
        return {}
    con.register("_batch_keys", pa.table({"key": keys}))
    try:
        found = con.execute(
            "SELECT k.key, k.interaction_id FROM interaction_keys k "
            "JOIN (SELECT DISTINCT key FROM _batch_keys) b USING (key)"
        ).fetchall()
    finally:
        con.unregister("_batch_keys")
    return {str(k): int(i) for k, i in found}


_INTERACTION_SCHEMA = pa.schema(
    [
        ("interaction_id", pa.int64()),
        ("natural_key", pa.string()),
        ("content_key", pa.string()),
        ("source_id", pa.int32()),
        ("channel", pa.string()),
        ("ts", pa.timestamp("us", tz="UTC")),
        ("date_flag", pa.string()),
        ("message_id", pa.string()),
        ("in_reply_to", pa.string()),
        ("thread_id", pa.string()),
        ("subject_hash", pa.string()),
        ("list_id", pa.string()),
        ("automated", pa.bool_()),
        ("bulk", pa.bool_()),
        ("duration_s", pa.float64()),
        ("n_participants", pa.int32()),
    ]
)

_TABLES: tuple[tuple[str, str, pa.Schema], ...] = (
    ("interactions", "interactions", _INTERACTION_SCHEMA),
    (
        "keys",
        "interaction_keys",
        pa.schema([("key", pa.string()), ("interaction_id", pa.int64())]),
    ),
    (
        "participants",
        "participants",
        pa.schema(
            [
                ("interaction_id", pa.int64()),
                ("address", pa.string()),
                ("role", pa.string()),
                ("name", pa.string()),
            ]
        ),
    ),
    (
        "quarantine",
        "quarantine",
        pa.schema(
            [
                ("location", pa.string()),
                ("source_id", pa.int32()),
                ("reason", pa.string()),
                ("detail", pa.string()),
            ]
        ),
    ),
    (
        "items",
        "items",
        pa.schema(
            [
                ("location", pa.string()),
                ("source_id", pa.int32()),
                ("outcome", pa.string()),
                ("interaction_id", pa.int64()),
                ("is_sent", pa.bool_()),
            ]
        ),
    ),
)


def _insert(con: duckdb.DuckDBPyConnection, rows: _Rows) -> None:
    for attr, table, schema in _TABLES:
        data: list[tuple[object, ...]] = getattr(rows, attr)
        if data:
            _append(con, table, schema, data)
    if rows.links:
        links = pa.table(
            {
                "address": [r[0] for r in rows.links],
                "other": [r[1] for r in rows.links],
                "evidence": [r[2] for r in rows.links],
            }
        )
        con.register("_batch_links", links)
        try:
            con.execute("INSERT OR IGNORE INTO identity_links SELECT DISTINCT * FROM _batch_links")
        finally:
            con.unregister("_batch_links")


def _append(
    con: duckdb.DuckDBPyConnection, table: str, schema: pa.Schema, data: list[tuple[object, ...]]
) -> None:
    columns = list(zip(*data, strict=True))
    arrow = pa.Table.from_arrays(
        [pa.array(col, type=f.type) for col, f in zip(columns, schema, strict=True)],
        schema=schema,
    )
    con.register("_batch_rows", arrow)
    try:
        con.execute(f"INSERT INTO {table} SELECT * FROM _batch_rows")
    finally:
        con.unregister("_batch_rows")
