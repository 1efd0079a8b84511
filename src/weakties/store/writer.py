"""Writing records to the store: batched, transactional, deduplicated, accounted.

Each batch is one transaction that writes the interactions, their keys and
participants, quarantined records, and the ledger row of every record read. A
record whose location is already in the ledger was handled by an earlier run and is
skipped, so re-running an interrupted ingest ends in the same state as a run that
was never interrupted.

Speed: a batch is planned into column lists (the records themselves, or one list per
column) and handed to DuckDB as Arrow, one insert per table; tuples per row, then
transposed, and a view registered per table cost more than the inserts. With larger
batches and no primary keys on the bulk fact tables (schema v2), this stage went
from ~56 to ~30 us per Enron message.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow as pa

from weakties.records import (
    AliasEvidence,
    Contact,
    Interaction,
    Participant,
    Quarantined,
    Record,
    path_text,
)
from weakties.store.keys import contact_key, interaction_keys, stable_id
from weakties.store.seen import Seen, hashes

_STRING = pa.string()
_INT64 = pa.int64()
_INT32 = pa.int32()
_BOOL = pa.bool_()


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
class _Plan:
    """One batch's rows, kept as the objects and values each table's columns come from.

    Rows keep the order of the records (and of each record's participants), so
    a batch is stored exactly as a row-by-row writer would store it.
    """

    stored: list[Interaction] = field(default_factory=list)
    stored_ids: list[int] = field(default_factory=list)
    natural_keys: list[str] = field(default_factory=list)
    content_keys: list[str] = field(default_factory=list)
    n_people: list[int] = field(default_factory=list)
    people: list[Participant] = field(default_factory=list)
    people_ids: list[int] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    key_ids: list[int] = field(default_factory=list)
    locations: list[str] = field(default_factory=list)
    outcomes: list[str] = field(default_factory=list)
    item_ids: list[int | None] = field(default_factory=list)
    sent: list[bool] = field(default_factory=list)
    quarantined: list[Quarantined] = field(default_factory=list)
    links: dict[tuple[str, str, str], None] = field(default_factory=dict)
    contacts: list[Contact] = field(default_factory=list)
    contact_keys: list[str] = field(default_factory=list)
    # the source of each row of stored, locations, quarantined and contacts
    stored_sources: list[int] = field(default_factory=list)
    location_sources: list[int] = field(default_factory=list)
    quarantined_sources: list[int] = field(default_factory=list)
    contact_sources: list[int] = field(default_factory=list)


def write_batch(
    con: duckdb.DuckDBPyConnection,
    source_id: int,
    records: Sequence[Record],
    seen: Seen | None = None,
) -> BatchCounts:
    """Store one batch of one source in one transaction; what became of each record."""
    counts = write_records(con, [source_id] * len(records), records, seen)
    return counts.get(source_id, BatchCounts())


def write_records(
    con: duckdb.DuckDBPyConnection,
    source_ids: Sequence[int],
    records: Sequence[Record],
    seen: Seen | None = None,
    first: Callable[[duckdb.DuckDBPyConnection], None] | None = None,
) -> dict[int, BatchCounts]:
    """Store one batch in one transaction; what became of the records of each source
    (``source_ids[i]`` is the source of ``records[i]``; a batch may span sources, so
    that a folder of small files is written in few transactions).

    ``first`` runs in the transaction before anything is written (ingest registers
    the batch's new sources there, so that a source is in the store exactly when
    some of its records are). With ``seen`` (the hashes of what the store holds,
    loaded once per run), the ledger and keys are looked up only for the values it
    may hold; it learns what the batch stored once the batch is committed.
    """
    counts = {i: BatchCounts() for i in source_ids}
    for i in source_ids:
        counts[i].read += 1
    con.execute("BEGIN TRANSACTION")
    try:
        if first is not None:
            first(con)
        fresh = _unknown(con, list(zip(source_ids, records, strict=True)), seen)
        for i, _ in fresh:
            counts[i].known -= 1
        for batch_counts in counts.values():
            batch_counts.known += batch_counts.read
        plan = _plan(con, fresh, counts, seen)
        _insert(con, plan)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    if seen is not None:
        seen.locations.add(hashes(plan.locations))
        seen.keys.add(hashes(plan.keys))
    return counts


Sourced = tuple[int, Record]
"""A record with the id of its source."""


def _unknown(
    con: duckdb.DuckDBPyConnection, records: list[Sourced], seen: Seen | None
) -> list[Sourced]:
    """The records whose location is not yet in the ledger (first one wins in a batch)."""
    locations = [r.location for _, r in records]
    sql = "SELECT i.location FROM items i JOIN _batch b ON i.location = b.value"
    known = {row[0] for row in _join(con, _candidates(locations, seen, "locations"), sql)}
    fresh: list[Sourced] = []
    for sourced, location in zip(records, locations, strict=True):
        if location not in known:
            known.add(location)
            fresh.append(sourced)
    return fresh


def _candidates(values: list[str], seen: Seen | None, which: str) -> list[str]:
    """The values the store may hold: all of them without ``seen``, else those whose
    hash ``seen`` holds (``which``: its ``locations`` or its ``keys``)."""
    if seen is None or not values:
        return values
    held = seen.locations if which == "locations" else seen.keys
    maybe = held.contains(hashes(values))
    return [v for v, m in zip(values, maybe.tolist(), strict=True) if m]


def _join(con: duckdb.DuckDBPyConnection, values: list[str], sql: str) -> list[tuple[Any, ...]]:
    """The rows of ``sql``, which joins a table to the distinct ``values`` as ``_batch``.

    (Registered without ``finally``, as in :func:`_insert_links`.)
    """
    if not values:
        return []
    con.register("_batch_values", pa.table({"value": pa.array(values, _STRING)}))
    found = con.execute(f"WITH _batch AS (SELECT DISTINCT value FROM _batch_values) {sql}")
    rows = found.fetchall()
    con.unregister("_batch_values")
    return rows


def _plan(
    con: duckdb.DuckDBPyConnection,
    records: list[Sourced],
    counts: dict[int, BatchCounts],
    held: Seen | None,
) -> _Plan:
    """Decide each record's fate: stored, duplicate (of which interaction) or quarantined."""
    plan = _Plan()
    keys_of = [interaction_keys(r) if isinstance(r, Interaction) else () for _, r in records]
    wanted = [k for keys in keys_of for k in keys]
    seen = _existing_keys(con, _candidates(wanted, held, "keys"))
    cards = [contact_key(r) if isinstance(r, Contact) else "" for _, r in records]
    known_cards = _existing_contacts(con, [k for k in cards if k])
    for (source_id, record), keys, card in zip(records, keys_of, cards, strict=True):
        plan.location_sources.append(source_id)
        if isinstance(record, Quarantined):
            plan.quarantined_sources.append(source_id)
            _quarantine(plan, record, counts[source_id])
        elif isinstance(record, Contact):
            _contact(plan, record, card, known_cards, counts[source_id], source_id)
        else:
            _interaction(plan, record, keys, seen, counts[source_id], source_id)
    return plan


def _contact(
    plan: _Plan, record: Contact, key: str, known: set[str], counts: BatchCounts, source_id: int
) -> None:
    """A contact is stored once per content key; its identities are one person."""
    plan.locations.append(record.location)
    plan.item_ids.append(None)
    plan.sent.append(False)
    if key in known:
        plan.outcomes.append("duplicate")
        counts.duplicates += 1
        return
    known.add(key)
    plan.outcomes.append("stored")
    counts.stored += 1
    plan.contacts.append(record)
    plan.contact_keys.append(key)
    plan.contact_sources.append(source_id)
    first, *others = record.identities or ("",)
    for other in others:
        if other != first:
            plan.links[(first, other, f"contact-{record.kind}")] = None


def _existing_contacts(con: duckdb.DuckDBPyConnection, keys: list[str]) -> set[str]:
    sql = "SELECT c.natural_key FROM contacts c JOIN _batch b ON c.natural_key = b.value"
    return {str(row[0]) for row in _join(con, keys, sql)}


def _quarantine(plan: _Plan, record: Quarantined, counts: BatchCounts) -> None:
    plan.quarantined.append(record)
    plan.locations.append(record.location)
    plan.outcomes.append("quarantined")
    plan.item_ids.append(None)
    plan.sent.append(False)
    counts.quarantined += 1
    counts.reasons[record.reason] = counts.reasons.get(record.reason, 0) + 1


def _interaction(
    plan: _Plan,
    record: Interaction,
    keys: tuple[str, ...],
    seen: dict[str, int],
    counts: BatchCounts,
    source_id: int,
) -> None:
    existing = None
    for key in keys:
        existing = seen.get(key)
        if existing is not None:
            break
    interaction_id = existing if existing is not None else stable_id(keys[0])
    for key in keys:
        if key not in seen:
            seen[key] = interaction_id
            plan.keys.append(key)
            plan.key_ids.append(interaction_id)
    plan.locations.append(record.location)
    plan.item_ids.append(interaction_id)
    plan.sent.append(record.is_sent)
    if existing is not None:
        plan.outcomes.append("duplicate")
        counts.duplicates += 1
        return
    plan.outcomes.append("stored")
    counts.stored += 1
    counts.automated += record.automated or record.bulk
    plan.stored_sources.append(source_id)
    _stored(plan, record, interaction_id, keys)


def _stored(plan: _Plan, record: Interaction, interaction_id: int, keys: tuple[str, ...]) -> None:
    people = _unique_participants(record.participants)
    plan.stored.append(record)
    plan.stored_ids.append(interaction_id)
    plan.natural_keys.append(keys[0])
    plan.content_keys.append(next((k for k in keys if k.startswith("c:")), keys[0]))
    plan.n_people.append(len(people))
    plan.people.extend(people)
    plan.people_ids.extend([interaction_id] * len(people))
    if record.aliases:
        plan.links.update(dict.fromkeys(map(_link, record.aliases)))


def _link(alias: AliasEvidence) -> tuple[str, str, str]:
    return (alias.address, alias.other, alias.evidence)


def _unique_participants(participants: list[Participant]) -> list[Participant]:
    """One row per address; the first role wins (senders come first)."""
    addresses = {p.address for p in participants}
    if len(addresses) == len(participants):
        return participants
    seen: set[str] = set()
    unique: list[Participant] = []
    for p in participants:
        if p.address not in seen:
            seen.add(p.address)
            unique.append(p)
    return unique


def _existing_keys(con: duckdb.DuckDBPyConnection, keys: list[str]) -> dict[str, int]:
    sql = "SELECT k.key, k.interaction_id FROM interaction_keys k JOIN _batch b ON k.key = b.value"
    return {str(k): int(i) for k, i in _join(con, keys, sql)}


# -- inserting -------------------------------------------------------------------------


def _insert(con: duckdb.DuckDBPyConnection, plan: _Plan) -> None:
    """One insert per table that has rows in this batch, its columns in table order.

    Arrow relations are inserted directly: registering each as a view and dropping
    it again cost ~0.6 ms a table, more than most of the inserts.
    """
    tables = (
        ("interactions", _interactions(plan) if plan.stored else None),
        ("interaction_keys", _keys(plan) if plan.keys else None),
        ("participants", _participants(plan) if plan.people else None),
        ("quarantine", _quarantined(plan) if plan.quarantined else None),
        ("contacts", _contacts(plan) if plan.contacts else None),
        ("contact_identities", _contact_identities(plan) if plan.contacts else None),
        ("items", _items(plan) if plan.locations else None),
    )
    for table, columns in tables:
        if columns is not None:
            con.from_arrow(pa.table(columns)).insert_into(table)
    if plan.links:
        _insert_links(con, list(plan.links))


def _insert_links(con: duckdb.DuckDBPyConnection, links: list[tuple[str, str, str]]) -> None:
    """Alias links seen before are kept once (``INSERT OR IGNORE`` on the primary key).

    No ``finally`` around the registration: when the insert fails, its error is
    the one to report (an unregister in a failed transaction raises its own), and
    the next batch's registration replaces this one.
    """
    rows = pa.table(
        {
            "address": pa.array([link[0] for link in links], _STRING),
            "other": pa.array([link[1] for link in links], _STRING),
            "evidence": pa.array([link[2] for link in links], _STRING),
        }
    )
    con.register("_batch_links", rows)
    con.execute("INSERT OR IGNORE INTO identity_links SELECT * FROM _batch_links")
    con.unregister("_batch_links")


def _interactions(plan: _Plan) -> dict[str, pa.Array]:
    rows = plan.stored
    return {
        "interaction_id": pa.array(plan.stored_ids, _INT64),
        "natural_key": pa.array(plan.natural_keys, _STRING),
        "content_key": pa.array(plan.content_keys, _STRING),
        "source_id": pa.array(plan.stored_sources, _INT32),
        "channel": pa.array([r.channel for r in rows], _STRING),
        "ts": pa.array([r.timestamp for r in rows], pa.timestamp("us", tz="UTC")),
        "date_flag": pa.array([str(r.date_flag) if r.date_flag else None for r in rows], _STRING),
        "message_id": pa.array([r.message_id for r in rows], _STRING),
        "in_reply_to": pa.array([r.in_reply_to for r in rows], _STRING),
        "thread_id": pa.array([r.thread_id for r in rows], _STRING),
        "subject_hash": pa.array([r.subject_hash for r in rows], _STRING),
        "list_id": pa.array([r.list_id for r in rows], _STRING),
        "automated": pa.array([r.automated for r in rows], _BOOL),
        "bulk": pa.array([r.bulk for r in rows], _BOOL),
        "duration_s": pa.array([r.duration_s for r in rows], pa.float64()),
        "n_participants": pa.array(plan.n_people, _INT32),
        "public": pa.array([r.public for r in rows], _BOOL),
    }


def _contacts(plan: _Plan) -> dict[str, pa.Array]:
    rows = plan.contacts
    return {
        "contact_id": pa.array([stable_id(k) for k in plan.contact_keys], _INT64),
        "natural_key": pa.array(plan.contact_keys, _STRING),
        "source_id": pa.array(plan.contact_sources, _INT32),
        "kind": pa.array([str(r.kind) for r in rows], _STRING),
        "name": pa.array([r.name[:200] for r in rows], _STRING),
        "organisation": pa.array([r.organisation[:200] for r in rows], _STRING),
        "title": pa.array([r.title[:200] for r in rows], _STRING),
        "since": pa.array([r.since for r in rows], pa.timestamp("us", tz="UTC")),
    }


def _contact_identities(plan: _Plan) -> dict[str, pa.Array]:
    ids: list[int] = []
    addresses: list[str] = []
    for key, record in zip(plan.contact_keys, plan.contacts, strict=True):
        unique = list(dict.fromkeys(record.identities))
        ids.extend([stable_id(key)] * len(unique))
        addresses.extend(unique)
    return {"contact_id": pa.array(ids, _INT64), "address": pa.array(addresses, _STRING)}


def _keys(plan: _Plan) -> dict[str, pa.Array]:
    return {
        "key": pa.array(plan.keys, _STRING),
        "interaction_id": pa.array(plan.key_ids, _INT64),
    }


def _participants(plan: _Plan) -> dict[str, pa.Array]:
    people = plan.people
    return {
        "interaction_id": pa.array(plan.people_ids, _INT64),
        "address": pa.array([p.address for p in people], _STRING),
        "role": pa.array([p.role for p in people], _STRING),
        "name": pa.array([p.name[:200] for p in people], _STRING),
    }


def _quarantined(plan: _Plan) -> dict[str, pa.Array]:
    rows = plan.quarantined
    return {
        "location": pa.array([r.location for r in rows], _STRING),
        "source_id": pa.array(plan.quarantined_sources, _INT32),
        "reason": pa.array([r.reason for r in rows], _STRING),
        "detail": pa.array([path_text(r.detail[:500]) for r in rows], _STRING),
    }


def _items(plan: _Plan) -> dict[str, pa.Array]:
    return {
        "location": pa.array(plan.locations, _STRING),
        "source_id": pa.array(plan.location_sources, _INT32),
        "outcome": pa.array(plan.outcomes, _STRING),
        "interaction_id": pa.array(plan.item_ids, _INT64),
        "is_sent": pa.array(plan.sent, _BOOL),
    }
