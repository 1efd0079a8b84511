"""Generic interaction logs: CSV, TSV or Parquet, one row per interaction.

Columns (header names, any order, case-insensitive):

``timestamp``  ISO 8601 (a zone-less time is UTC) or Unix seconds
``channel``    email, meeting, call, sms, chat, in_person, ... (a lower-case word)
``sender``     an e-mail address or an opaque id
``recipients`` one or more addresses/ids separated by ``;``
``duration_s`` optional, seconds (meetings, calls)
``thread_id``  optional
``interaction_id`` optional; a stable id makes re-ingesting overlapping logs exact

A row that cannot be read is quarantined with its row number and the reason.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from weakties.errors import InputError
from weakties.records import Interaction, Participant, Quarantined, Record, Role
from weakties.sources.base import Source

REQUIRED = ("timestamp", "channel", "sender", "recipients")
OPTIONAL = ("duration_s", "thread_id", "interaction_id")
_CHANNEL = re.compile(r"^[a-z][a-z0-9_\-]{0,31}$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


class LogSource(Source):
    """A CSV/TSV/Parquet interaction log; one source, one owner (or none)."""

    kind = "log"

    def __init__(self, path: Path, label: str | None = None) -> None:
        super().__init__(path, label)
        self._location = str(path.resolve())

    def records(self) -> Iterator[Record]:
        seen: dict[str, int] = {}
        row = 0
        for batch in self._batches():
            columns = {name: batch.column(name).to_pylist() for name in batch.schema.names}
            for i in range(batch.num_rows):
                row += 1
                values = {name: _text(columns[name][i]) for name in columns}
                yield self._record(values, row, seen)

    def _batches(self) -> Iterator[pa.RecordBatch]:
        if self.path.suffix.lower() == ".parquet":
            yield from _parquet_batches(self.path)
        else:
            yield from _csv_batches(self.path)

    def _record(self, values: dict[str, str], row: int, seen: dict[str, int]) -> Record:
        location = f"{self._location}#row{row}"
        try:
            return _interaction(values, location, seen)
        except ValueError as exc:
            reason, _, detail = str(exc).partition(":")
            return Quarantined(location, reason, detail.strip())


def _interaction(values: dict[str, str], location: str, seen: dict[str, int]) -> Interaction:
    timestamp = parse_timestamp(values["timestamp"])
    channel = values["channel"].strip().lower().replace(" ", "_")
    if not _CHANNEL.match(channel):
        raise ValueError(f"bad-channel: {values['channel'][:40]!r}")
    sender = normalise_id(values["sender"])
    if not sender:
        raise ValueError("no-sender: the sender column is empty")
    recipients = [r for r in (normalise_id(x) for x in values["recipients"].split(";")) if r]
    recipients = [r for r in dict.fromkeys(recipients) if r != sender]
    if not recipients:
        raise ValueError("no-recipients: no recipient other than the sender")
    role = Role.ORGANIZER if channel == "meeting" else Role.FROM
    to_role = Role.ATTENDEE if channel == "meeting" else Role.TO
    people = [Participant(role, sender)] + [Participant(to_role, r) for r in recipients]
    external = values.get("interaction_id", "").strip() or _row_key(values, seen)
    return Interaction(
        location=location,
        channel=channel,
        timestamp=timestamp,
        participants=people,
        thread_id=values.get("thread_id", "").strip() or None,
        duration_s=_duration(values.get("duration_s", "")),
        external_id=external,
    )


def _row_key(values: dict[str, str], seen: dict[str, int]) -> str:
    """A key for a row without an id: its content plus its rank among identical rows.

    Identical rows in one log stay distinct interactions (two e-mails in the same
    second), while ingesting the same log twice adds nothing.
    """
    content = "\x1f".join(values.get(c, "") for c in (*REQUIRED, "duration_s", "thread_id"))
    digest = hashlib.blake2b(content.encode(), digest_size=12).hexdigest()
    rank = seen.get(digest, 0)
    seen[digest] = rank + 1
    return f"row:{digest}:{rank}"


def parse_timestamp(text: str) -> datetime:
    """ISO 8601 or Unix seconds to an aware UTC datetime; ValueError if neither."""
    text = text.strip()
    if not text:
        raise ValueError("bad-timestamp: empty")
    try:
        if _NUMBER.match(text):
            return datetime.fromtimestamp(float(text), tz=UTC)
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (ValueError, OverflowError, OSError) as exc:
        raise ValueError(f"bad-timestamp: {text[:40]!r}") from exc
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def normalise_id(text: str) -> str:
    """An address is lower-cased; an opaque id is kept as given, trimmed."""
    text = text.strip().strip("<>\"'").strip()
    return text.lower() if "@" in text else text


def _duration(text: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError as exc:
        raise ValueError(f"bad-duration: {text[:40]!r}") from exc
    if value < 0 or value != value:
        raise ValueError(f"bad-duration: {text[:40]!r}")
    return value


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _check_columns(names: list[str], path: Path) -> None:
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise InputError(
            f"{path} lacks the column(s) {', '.join(missing)}.",
            "An interaction log needs timestamp, channel, sender and recipients "
            "(see README, 'Interaction logs').",
        )


def _csv_batches(path: Path) -> Iterator[pa.RecordBatch]:
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    try:
        reader = pacsv.open_csv(
            path,
            read_options=pacsv.ReadOptions(block_size=1 << 20),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in (*REQUIRED, *OPTIONAL)},
                strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid as exc:
        raise InputError(f"{path} is not a readable CSV: {exc}.", "Check the file.") from exc
    names = [n.strip().lower() for n in reader.schema.names]
    _check_columns(names, path)
    while True:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            return
        except pa.ArrowInvalid as exc:
            raise InputError(f"{path}: {exc}.", "Fix the CSV and ingest again.") from exc
        yield _as_strings(batch, names)


def _parquet_batches(path: Path) -> Iterator[pa.RecordBatch]:
    try:
        file = pq.ParquetFile(path)
    except pa.ArrowInvalid as exc:
        raise InputError(f"{path} is not a Parquet file: {exc}.", "Check the file.") from exc
    names = [n.strip().lower() for n in file.schema_arrow.names]
    _check_columns(names, path)
    for batch in file.iter_batches(batch_size=65536):
        yield _as_strings(batch, names)


def _as_strings(batch: pa.RecordBatch, names: list[str]) -> pa.RecordBatch:
    keep = [(i, n) for i, n in enumerate(names) if n in REQUIRED or n in OPTIONAL]
    arrays = [batch.column(i).cast(pa.string()) for i, _ in keep]
    return pa.RecordBatch.from_arrays(arrays, names=[n for _, n in keep])
