"""Generic interaction logs: CSV, TSV or Parquet, one row per interaction.

Columns (header names, any order, case-insensitive):

``timestamp``  ISO 8601 (a zone-less time is UTC) or Unix seconds
``channel``    email, meeting, call, sms, chat, in_person, ... (a lower-case word)
``sender``     an e-mail address or an opaque id, either as ``Name <...>``
``recipients`` one or more addresses/ids separated by ``;``, each as the sender
``duration_s`` optional, seconds (meetings, calls)
``thread_id``  optional
``interaction_id`` optional; a stable id makes re-ingesting overlapping logs exact

Identities: an e-mail address (alone, or as ``Name <addr>``: parsed as mail headers
are, :mod:`weakties.text.addresses`) is lower-cased, and its display name kept as the
participant's name. Any other text with an ``@`` is lower-cased as well. An id
without an ``@`` (a phone number, ``snap:42``, a Slack member id) is kept exactly as
given, trimmed: such ids may be case-sensitive, and the log's system knows its own
spelling (``Name <id>`` gives it a name too).

Rows are numbered ``#row<n>`` from 1, the first row after the header, in file order,
every row counted whether it is stored or set aside (blank lines are not rows; in a
CSV where no quoted value spans lines, row n is line n + 1). A row that cannot be read
is quarantined under its number with the reason: a CSV line with too few or too many
fields (``bad-row``), a value that is not UTF-8 (``bad-encoding``), a duration that is
not a number of seconds from 0 to a week (``bad-duration``), and so on. The rest of the
log is read. A timestamp before 1985 or over a day ahead of the ingest is kept with
``date_flag = 'implausible'``, as in mail (:func:`~weakties.sources.headers.judge_date`).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from weakties.channels import canonical
from weakties.errors import InputError
from weakties.records import (
    CHANNEL_NAME,
    Interaction,
    Participant,
    Quarantined,
    Record,
    Role,
    path_text,
)
from weakties.sources.base import Source
from weakties.sources.headers import judge_date
from weakties.text.addresses import clean_name, parse_address_list
from weakties.text.phones import normalise_phone

REQUIRED = ("timestamp", "channel", "sender", "recipients")
OPTIONAL = ("duration_s", "thread_id", "interaction_id")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_PEEK = 1 << 16  # bytes read to tell a log without rows
_PHONE_LIKE = re.compile(r"^(?:tel:)?\+?[\d\s().\-/]{5,40}$")
_SEPARATED = re.compile(r"\d[\s().\-/]+\d")
_ANGLED = re.compile(r"^(?P<name>[^<>]*)<(?P<id>[^<>]*)>\s*$")

Mailbox = tuple[str, str]
"""``(identity, display name)``; the name may be ""."""

MAX_DURATION_S = 7 * 24 * 3600.0
"""The longest duration a row may give: a week. No meeting or call lasts longer; a
larger value (or ``inf``) is a unit mistake, such as milliseconds given as seconds, or
damage, and would make a passing tie look like the strongest in the store."""


class LogSource(Source):
    """A CSV/TSV/Parquet interaction log; one source, one owner (or none)."""

    kind = "log"

    def __init__(self, path: Path, label: str | None = None) -> None:
        super().__init__(path, label)
        self._location = path_text(path.resolve())

    def estimate(self) -> int | None:
        """The rows of a Parquet log; 0 for a CSV without a row (an empty file, or a
        header alone); otherwise unknown."""
        try:
            if self.path.suffix.lower() == ".parquet":
                return int(pq.ParquetFile(self.path).metadata.num_rows)
            with self.path.open("rb") as file:
                head = file.read(_PEEK + 1)
        except (OSError, pa.ArrowException):
            return None
        _, _, rest = head.removeprefix(b"\xef\xbb\xbf").partition(b"\n")
        return 0 if len(head) <= _PEEK and not rest.strip() else None

    def records(self) -> Iterator[Record]:
        ranks = ContentRanks()
        row = 0  # the number of the last row yielded
        broken = _Broken()
        for batch in self._batches(broken):
            columns, undecoded = _columns(batch)
            rows = [{n: _text(v[i]) for n, v in columns.items()} for i in range(batch.num_rows)]
            parties = [_parties(values, self.region) for values in rows]
            keyed = [i for i, values in enumerate(rows) if not _given_id(values)]
            digests = [_content_digest(rows[i], parties[i]) for i in keyed]
            taken = ranks.take(digests)
            keys = {i: f"row:{d.hex()}:{r}" for i, d, r in zip(keyed, digests, taken, strict=True)}
            for i, values in enumerate(rows):
                row += 1
                while row in broken.rows:  # malformed rows come in their place
                    yield self._broken(row, broken.rows.pop(row))
                    row += 1
                if i in undecoded:
                    detail = f"the {undecoded[i]} value is not UTF-8"
                    yield Quarantined(f"{self._location}#row{row}", "bad-encoding", detail)
                else:
                    yield self._record(values, parties[i], row, keys.get(i, ""))
        for number in sorted(broken.rows):  # malformed rows after the last good one
            yield self._broken(number, broken.rows[number])
        for n, text in enumerate(broken.unnumbered, 1):
            yield Quarantined(f"{self._location}#bad{n}", "bad-row", text)

    def _broken(self, row: int, text: str) -> Quarantined:
        return Quarantined(f"{self._location}#row{row}", "bad-row", text)

    def _batches(self, broken: _Broken) -> Iterator[pa.RecordBatch]:
        if self.path.suffix.lower() == ".parquet":
            yield from _parquet_batches(self.path)
        else:
            yield from _csv_batches(self.path, broken)

    def _record(self, values: dict[str, str], parties: Parties, row: int, row_key: str) -> Record:
        location = f"{self._location}#row{row}"
        try:
            return _interaction(values, parties, location, row_key)
        except ValueError as exc:
            reason, _, detail = str(exc).partition(":")
            return Quarantined(location, reason, detail.strip())


class Parties(NamedTuple):
    """A row's channel and participants, normalised: what its content key is made of."""

    channel: str
    sender: Mailbox
    recipients: tuple[Mailbox, ...]  # each identity once, in the row's order


class _Broken:
    """The CSV lines with too few or too many fields the parser met, by row number (it
    may meet them a block ahead of the rows it hands over); in the rare case it cannot
    number one, in the order met."""

    def __init__(self) -> None:
        self.rows: dict[int, str] = {}
        self.unnumbered: list[str] = []

    def add(self, number: int | None, text: str) -> None:
        """``number`` counts records from 1, the header (Arrow's ``InvalidRow.number``)."""
        if number is not None and number > 1:
            self.rows[number - 1] = text
        else:
            self.unnumbered.append(text)


def _interaction(
    values: dict[str, str], parties: Parties, location: str, row_key: str
) -> Interaction:
    timestamp = parse_timestamp(values["timestamp"])
    channel = parties.channel
    if not CHANNEL_NAME.match(channel):
        raise ValueError(f"bad-channel: {values['channel'][:40]!r}")
    sender, sender_name = parties.sender
    if not sender:
        raise ValueError("no-sender: the sender column is empty")
    role = Role.ORGANIZER if channel == "meeting" else Role.FROM
    to_role = Role.ATTENDEE if channel == "meeting" else Role.TO
    people = [Participant(role, sender, sender_name)]
    people += [Participant(to_role, r, name) for r, name in parties.recipients if r != sender]
    if len(people) == 1:
        raise ValueError("no-recipients: no recipient other than the sender")
    external = _given_id(values) or row_key
    return Interaction(
        location=location,
        channel=channel,
        timestamp=timestamp,
        date_flag=judge_date(timestamp),
        participants=people,
        thread_id=values.get("thread_id", "").strip() or None,
        duration_s=_duration(values.get("duration_s", "")),
        external_id=external,
    )


def _parties(values: dict[str, str], region: str | None = None) -> Parties:
    """A row's channel, sender and recipients, normalised (phone numbers read in
    ``region``); never raises (checking them is :func:`_interaction`'s job)."""
    sender, name = parse_participant(values["sender"])
    recipients: dict[str, str] = {}
    for identity, their_name in parse_recipients(values["recipients"]):
        recipients.setdefault(phone_or_id(identity, region), their_name)
    return Parties(
        _channel(values["channel"]),
        (phone_or_id(sender, region), name),
        tuple(recipients.items()),
    )


@lru_cache(maxsize=1 << 10)
def _channel(text: str) -> str:
    return canonical(text)


@lru_cache(maxsize=1 << 16)
def parse_recipients(text: str) -> tuple[Mailbox, ...]:
    """The identities of a recipients value (``;`` between them), each once, in order."""
    found: dict[str, str] = {}
    for piece in text.split(";"):
        for identity, name in parse_participants(piece):
            found.setdefault(identity, name)
    return tuple(found.items())


def _given_id(values: dict[str, str]) -> str:
    return values.get("interaction_id", "").strip()


DIGEST_BYTES = 12


def _content_digest(values: dict[str, str], parties: Parties) -> bytes:
    """The digest of a row's content, for the key of a row without an id.

    The key is ``row:<digest in hex>:<rank among identical rows>``: identical rows in
    one log stay distinct interactions (two e-mails in the same second), while
    ingesting the same log twice adds nothing. The channel, sender and recipients
    enter it normalised (identities, without display names), so that a log whose
    addresses are spelt in another case, or given with names, is the same log; the
    other columns enter as written, trimmed. For a row already written in normal form
    (lower-case addresses without names, ``;`` between recipients) that is its text,
    so the keys stores hold from earlier versions stay valid.
    """
    recipients = ";".join(identity for identity, _ in parties.recipients)
    fields = (
        values["timestamp"].strip(),
        parties.channel,
        parties.sender[0],
        recipients,
        values.get("duration_s", "").strip(),
        values.get("thread_id", "").strip(),
    )
    return hashlib.blake2b("\x1f".join(fields).encode(), digest_size=DIGEST_BYTES).digest()


class ContentRanks:
    """How many earlier rows of one log had each content digest, exactly, in about 20
    bytes per distinct digest.

    A dictionary of hex digests took about 106 bytes a row: 200 MB for a log of 1.9
    million rows, the largest part of ingest's memory. Here the digests are sorted
    runs of fixed-width bytes with a count each: each batch's digests make a new run,
    and runs of similar size are merged, so a digest is copied O(log n) times.
    """

    def __init__(self) -> None:
        self._runs: list[tuple[np.ndarray, np.ndarray]] = []

    def take(self, digests: Sequence[bytes]) -> list[int]:
        """The rank of each digest in order (how many times it came before, in this
        batch or an earlier one), counting them."""
        if not digests:
            return []
        batch = np.array(digests, dtype=f"S{DIGEST_BYTES}")
        unique, inverse, per = np.unique(batch, return_inverse=True, return_counts=True)
        before = np.zeros(unique.size, dtype=np.int64)
        for keys, counts in self._runs:
            at = np.searchsorted(keys, unique).clip(max=keys.size - 1)
            hit = keys[at] == unique
            before[hit] += counts[at[hit]]
        order = np.argsort(inverse, kind="stable")  # rows grouped by digest, in order
        within = np.empty(batch.size, dtype=np.int64)
        within[order] = np.arange(batch.size) - np.repeat(np.cumsum(per) - per, per)
        self._runs.append((unique, per.astype(np.int64)))
        while len(self._runs) > 1 and self._runs[-2][0].size <= 2 * self._runs[-1][0].size:
            (a, count_a), (b, count_b) = self._runs.pop(), self._runs.pop()
            keys, where = np.unique(np.concatenate([a, b]), return_inverse=True)
            counts = np.bincount(where, np.concatenate([count_a, count_b]), keys.size)
            self._runs.append((keys, counts.astype(np.int64)))  # exact below 2**53
        return [int(r) for r in before[inverse] + within]


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


def normalise_id(text: str, region: str | None = None) -> str:
    """The identity a sender or recipient value names (see the module's docstring)."""
    return phone_or_id(parse_participant(text)[0], region)


def phone_or_id(identity: str, region: str | None = None) -> str:
    """A phone number as ``tel:+<E.164>`` (so that a call log meets the address book);
    any other identity as it is.

    A phone number is written with ``+`` and its country code (or ``tel:``), or, read
    in ``region`` (default ``$WEAKTIES_PHONE_REGION``), in a national format with a
    trunk ``0`` or separators (``07700 900123``, ``(555) 555-0100``). Bare digits
    without a leading 0 stay ids: logs use them as database keys as often.
    """
    if "@" in identity or not _PHONE_LIKE.match(identity):
        return identity
    if identity[:1] in "+0t" or _SEPARATED.search(identity):
        return normalise_phone(identity, region) or identity
    return identity


@lru_cache(maxsize=1 << 16)
def parse_participant(text: str) -> Mailbox:
    """``(identity, display name)`` from ``addr``, ``Name <addr>``, ``id`` or ``Name <id>``;
    the first mailbox when the text holds several, ``("", "")`` for none."""
    found = parse_participants(text)
    return found[0] if found else ("", "")


@lru_cache(maxsize=1 << 16)
def parse_participants(text: str) -> tuple[Mailbox, ...]:
    """Every ``(identity, display name)`` in one value: e-mail addresses parsed as an
    address list (commas allowed), else one opaque id, kept as given."""
    text = text.strip()
    if "@" in text:
        found = parse_address_list(text)
        if found:
            return found
    angled = _ANGLED.match(text)
    name, identity = (angled["name"], angled["id"]) if angled else ("", text)
    identity = identity.strip().strip("\"'").strip()
    if "@" in identity:
        identity = identity.lower()
    return ((identity, clean_name(name.strip())),) if identity else ()


def _duration(text: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError as exc:
        raise ValueError(f"bad-duration: {text[:40]!r} is not a number") from exc
    if not math.isfinite(value) or not 0 <= value <= MAX_DURATION_S:
        raise ValueError(
            f"bad-duration: {text[:40]!r} is not from 0 to {MAX_DURATION_S:,.0f} seconds (a week)"
        )
    return value


def _columns(batch: pa.RecordBatch) -> tuple[dict[str, list[str | None]], dict[int, str]]:
    """The batch's values by column, and the rows with a value that is not UTF-8 (the
    first such column of each). A CSV is read without checking UTF-8, so that one bad
    byte costs one row, not the whole log; a column is only decoded here value by
    value when Arrow finds it invalid."""
    columns: dict[str, list[str | None]] = {}
    undecoded: dict[int, str] = {}
    for name in batch.schema.names:
        column = batch.column(name)
        try:
            column.validate(full=True)
        except pa.ArrowInvalid:
            columns[name] = _decoded(column.view(pa.binary()).to_pylist(), name, undecoded)
        else:
            columns[name] = column.to_pylist()
    return columns, undecoded


def _decoded(raw: list[bytes | None], name: str, undecoded: dict[int, str]) -> list[str | None]:
    values: list[str | None] = []
    for i, value in enumerate(raw):
        try:
            values.append(None if value is None else value.decode("utf-8"))
        except UnicodeDecodeError:
            values.append("")
            undecoded.setdefault(i, name)
    return values


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


def _csv_batches(path: Path, broken: _Broken) -> Iterator[pa.RecordBatch]:
    """The log's batches; each line with the wrong number of fields is skipped and its
    text (shortened) added to ``broken`` with its number. Read on one thread, so that
    Arrow can number the rows."""
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","

    def skip(line: pacsv.InvalidRow) -> str:
        text = line.text.replace("\x00", "")[:200]
        number = line.number if isinstance(line.number, int) else None
        broken.add(number, f"{line.actual_columns} fields, not {line.expected_columns}: {text}")
        return "skip"

    try:
        reader = pacsv.open_csv(
            path,
            read_options=pacsv.ReadOptions(block_size=1 << 20, use_threads=False),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter, newlines_in_values=True, invalid_row_handler=skip
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in (*REQUIRED, *OPTIONAL)},
                strings_can_be_null=False,
                check_utf8=False,
            ),
        )
    except pa.ArrowInvalid as exc:
        raise InputError(f"{path} is not a readable CSV: {_said(exc)}.", "Check the file.") from exc
    names = [n.strip().lower() for n in reader.schema.names]
    _check_columns(names, path)
    while True:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            return
        except pa.ArrowInvalid as exc:
            raise InputError(f"{path}: {_said(exc)}.", "Fix the CSV and ingest again.") from exc
        yield _as_strings(batch, names, path)


def _parquet_batches(path: Path) -> Iterator[pa.RecordBatch]:
    try:
        file = pq.ParquetFile(path)
    except pa.ArrowInvalid as exc:
        raise InputError(f"{path} is not a Parquet file: {_said(exc)}.", "Check the file.") from exc
    names = [n.strip().lower() for n in file.schema_arrow.names]
    _check_columns(names, path)
    for batch in file.iter_batches(batch_size=65536):
        yield _as_strings(batch, names, path)


def _as_strings(batch: pa.RecordBatch, names: list[str], path: Path) -> pa.RecordBatch:
    """The log's columns as text; a list column (Parquet recipients, say) is joined
    with ``;``, the separator of a text column."""
    keep = [(i, n) for i, n in enumerate(names) if n in REQUIRED or n in OPTIONAL]
    arrays = [_as_text(batch.column(i), n, path) for i, n in keep]
    return pa.RecordBatch.from_arrays(arrays, names=[n for _, n in keep])


def _as_text(column: pa.Array, name: str, path: Path) -> pa.Array:
    try:
        if pa.types.is_list(column.type) or pa.types.is_large_list(column.type):
            return pc.binary_join(_no_null_items(column.cast(pa.list_(pa.string()))), ";")
        return column.cast(pa.string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise InputError(
            f"{path}: the {name} column holds {column.type}, which is not text: {_said(exc)}.",
            "Give it as text, numbers or a list of text (see README, 'Interaction logs').",
        ) from exc


def _no_null_items(lists: pa.ListArray) -> pa.ListArray:
    """The lists with each null item made empty text, which the recipients split drops:
    Arrow joins a list holding a null into a null, which would lose the whole row."""
    if lists.values.null_count == 0:
        return lists
    return pa.ListArray.from_arrays(lists.offsets, lists.values.fill_null(""), mask=lists.is_null())


def _said(exc: Exception) -> str:
    """An error's own words, without a closing full stop (ours follows)."""
    return str(exc).strip().rstrip(".")
