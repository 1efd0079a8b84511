"""Generic interaction logs (CSV, TSV, Parquet) through the store."""

from __future__ import annotations

import csv
import hashlib
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from weakties.config import Settings
from weakties.errors import InputError
from weakties.ingest import ingest_sources
from weakties.records import Interaction, Quarantined
from weakties.sources.csvlog import DIGEST_BYTES, ContentRanks, LogSource, parse_timestamp
from weakties.store import connect
from weakties.text.phones import normalise_phone

HEADER = "timestamp,channel,sender,recipients,duration_s,thread_id,interaction_id\n"
ROWS = (
    "2024-03-01T09:30:00+01:00,meeting,Ana@Acme.example,bo@acme.example;cy@acme.example,1800,,m-1\n"
    "1709285400,email,bo@acme.example,ana@acme.example,,t-7,\n"
    "1709285400,email,bo@acme.example,ana@acme.example,,t-7,\n"
    "not a date,email,bo@acme.example,ana@acme.example,,,\n"
    "2024-03-02,call,,ana@acme.example,60,,\n"
    "2024-03-02,call,ana@acme.example,ana@acme.example,60,,\n"
    "2024-03-02,e mail!,ana@acme.example,bo@acme.example,,,\n"
    "2024-03-03,sms,42,17;23,,,\n"
)


def _write(tmp_path: Path, text: str = HEADER + ROWS, name: str = "log.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def _records(path: Path) -> list[Interaction | Quarantined]:
    return list(LogSource(path).records())


def test_rows_become_interactions_or_quarantine(tmp_path: Path) -> None:
    records = _records(_write(tmp_path))
    assert len(records) == 8
    reasons = [r.reason for r in records if isinstance(r, Quarantined)]
    assert reasons == ["bad-timestamp", "no-sender", "no-recipients", "bad-channel"]
    meeting = records[0]
    assert isinstance(meeting, Interaction)
    assert meeting.timestamp == datetime(2024, 3, 1, 8, 30, tzinfo=UTC)
    assert [(str(p.role), p.address) for p in meeting.participants] == [
        ("organizer", "ana@acme.example"),
        ("attendee", "bo@acme.example"),
        ("attendee", "cy@acme.example"),
    ]
    assert meeting.duration_s == 1800.0
    assert meeting.external_id == "m-1"
    sms = records[-1]
    assert isinstance(sms, Interaction)
    assert [p.address for p in sms.participants] == ["42", "17", "23"]


def test_a_broken_line_or_byte_costs_one_row_not_the_log(tmp_path: Path) -> None:
    """Lines with too few or too many fields and values that are not UTF-8 are
    quarantined, each once, in file order and under its own row number (rows after a
    broken line keep theirs); every other row is read, a quoted line break included,
    and a second ingest knows them all."""
    good = "2024-03-0{},email,ana@acme.example,bo@acme.example\n"
    path = tmp_path / "log.csv"
    path.write_bytes(
        (
            "timestamp,channel,sender,recipients\n"
            "2024-03-01,email,ana@acme.example\n"  # a field short
            + good.format(2)
            + "2024-03-03,email,b\xffo@acme.example,ana@acme.example\n"
            + '2024-03-04,email,ana@acme.example,"bo@acme.example;\ncy@acme.example"\n'
            + "2024-03-05,email,ana@acme.example,bo@acme.example,extra\n"  # one too many
            + good.format(6)
        ).encode("latin-1")
    )
    records = _records(path)
    kinds = [(r.location.rpartition("#")[2], getattr(r, "reason", "")) for r in records]
    assert kinds == [
        ("row1", "bad-row"),
        ("row2", ""),
        ("row3", "bad-encoding"),
        ("row4", ""),
        ("row5", "bad-row"),
        ("row6", ""),
    ]
    quoted = records[3]
    assert isinstance(quoted, Interaction)
    assert [p.address for p in quoted.participants[1:]] == ["bo@acme.example", "cy@acme.example"]
    assert isinstance(records[0], Quarantined) and "3 fields, not 4" in records[0].detail
    assert isinstance(records[4], Quarantined) and "5 fields, not 4" in records[4].detail
    assert isinstance(records[2], Quarantined) and "sender" in records[2].detail
    last = records[5]
    assert isinstance(last, Interaction) and last.timestamp.day == 6  # row 6 is 2024-03-06
    con = connect(tmp_path / "s.duckdb")
    first = ingest_sources(con, [LogSource(path)], Settings()).totals
    assert (first.read, first.stored, first.quarantined) == (6, 3, 3)
    again = ingest_sources(con, [LogSource(path)], Settings()).totals
    assert (again.read, again.stored, again.known) == (6, 0, 6)
    con.close()


def test_identical_rows_stay_distinct_but_reingest_adds_nothing(tmp_path: Path) -> None:
    path = _write(tmp_path)
    con = connect(tmp_path / "s.duckdb")
    first = ingest_sources(con, [LogSource(path)], Settings()).totals
    assert (first.read, first.stored, first.duplicates, first.quarantined) == (8, 4, 0, 4)
    assert con.execute("SELECT count(*) FROM interactions WHERE thread_id = 't-7'").fetchone() == (
        2,
    )
    again = ingest_sources(con, [LogSource(path)], Settings()).totals
    assert (again.stored, again.known) == (0, 8)
    copy = _write(tmp_path, name="copy.csv")
    third = ingest_sources(con, [LogSource(copy)], Settings()).totals
    assert (third.stored, third.duplicates, third.quarantined) == (0, 4, 4)
    ledger = con.execute("SELECT outcome, count(*) FROM items GROUP BY 1 ORDER BY 1").fetchall()
    assert ledger == [("duplicate", 4), ("quarantined", 8), ("stored", 4)]
    con.close()


def test_parquet_reads_like_csv(tmp_path: Path) -> None:
    table = pa.table(
        {
            "timestamp": ["2024-03-01T09:30:00Z", "1709285400"],
            "channel": ["email", "chat"],
            "sender": ["a@x.example", "u1"],
            "recipients": ["b@x.example;c@x.example", "u2"],
            "duration_s": [None, 12.5],
        }
    )
    path = tmp_path / "log.parquet"
    pq.write_table(table, path)
    records = _records(path)
    assert [type(r).__name__ for r in records] == ["Interaction", "Interaction"]
    assert isinstance(records[1], Interaction) and records[1].duration_s == 12.5


def test_parquet_recipients_may_be_a_list(tmp_path: Path) -> None:
    """Parquet has list columns: recipients given as a list read as the ``;``-joined
    text would; a column that is neither text, number nor list is a one-line error."""
    table = pa.table(
        {
            "timestamp": pa.array([1709285400, 1709285460], pa.timestamp("s", tz="UTC")),
            "channel": ["email", "chat"],
            "sender": ["a@x.example", "u1"],
            "recipients": pa.array([["b@x.example", "c@x.example"], ["u2"]]),
        }
    )
    path = tmp_path / "log.parquet"
    pq.write_table(table, path)
    email, chat = _records(path)
    assert isinstance(email, Interaction) and isinstance(chat, Interaction)
    assert [p.address for p in email.participants] == ["a@x.example", "b@x.example", "c@x.example"]
    assert email.timestamp == datetime.fromtimestamp(1709285400, UTC)
    numbers = tmp_path / "numbers.parquet"
    pq.write_table(table.set_column(3, "recipients", pa.array([[7, 8], [9]])), numbers)
    assert [p.address for p in _records(numbers)[0].participants] == ["a@x.example", "7", "8"]
    nested = tmp_path / "nested.parquet"
    pq.write_table(table.set_column(3, "recipients", pa.array([{"to": 1}, {"to": 2}])), nested)
    with pytest.raises(InputError, match=r"recipients column holds struct") as info:
        _records(nested)
    assert "\n" not in str(info.value)


def test_missing_columns_is_an_input_error(tmp_path: Path) -> None:
    path = _write(tmp_path, "when,who\n2024-01-01,a\n")
    with pytest.raises(InputError, match="timestamp, channel, sender, recipients"):
        _records(path)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", datetime(1970, 1, 1, tzinfo=UTC)),
        ("1064021027", datetime(2003, 9, 20, 1, 23, 47, tzinfo=UTC)),
        ("2024-01-01T00:00:00-05:00", datetime(2024, 1, 1, 5, tzinfo=UTC)),
        ("2024-01-01 12:00", datetime(2024, 1, 1, 12, tzinfo=UTC)),
    ],
)
def test_timestamps(text: str, expected: datetime) -> None:
    assert parse_timestamp(text) == expected


@pytest.mark.parametrize("text", ["", "yesterday", "2024-13-01", "1e400"])
def test_bad_timestamps(text: str) -> None:
    with pytest.raises(ValueError, match="bad-timestamp"):
        parse_timestamp(text)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(st.integers(min_value=0, max_value=40), max_size=60),
        max_size=12,
    )
)
def test_content_ranks_count_like_a_dictionary(batches: list[list[int]]) -> None:
    """Ranks of identical rows across batches, against the plain counting definition;
    digests with NUL bytes and shared prefixes included."""
    ranks, seen = ContentRanks(), Counter[bytes]()
    for batch in batches:
        digests = [
            bytes([v % 3, 0, v]) + b"\0" * (DIGEST_BYTES - 4) + bytes([v % 5]) for v in batch
        ]
        expected = []
        for d in digests:
            expected.append(seen[d])
            seen[d] += 1
        assert ranks.take(digests) == expected


def test_row_keys_are_content_and_rank(tmp_path: Path) -> None:
    """Keys as every earlier version wrote them (hex digest and rank), so that stores keep
    recognising logs they already hold."""
    path = tmp_path / "log.csv"
    rows = [("2025-01-01T10:00:00", "email", "a@x.org", "b@x.org")] * 3
    rows += [("2025-01-01T10:00:01", "chat", "a@x.org", "c@x.org")]
    with path.open("w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["timestamp", "channel", "sender", "recipients"])
        out.writerows(rows)
    keys = [r.external_id for r in LogSource(path).records() if isinstance(r, Interaction)]
    digest = [
        hashlib.blake2b("\x1f".join([*row, "", ""]).encode(), digest_size=12).hexdigest()
        for row in (rows[0], rows[3])
    ]
    assert keys == [f"row:{digest[0]}:{k}" for k in range(3)] + [f"row:{digest[1]}:0"]


# --- identities in logs -------------------------------------------------------------------

NAMED = (
    "timestamp,channel,sender,recipients\n"
    "2024-03-01T09:30:00Z,email,Ana Ámbar <ana@acme.example>,"
    '"Bo Berg <Bo@Acme.example>; cy@acme.example"\n'
    '2024-03-01T10:30:00Z,email,"""Berg, Bo"" <bo@acme.example>",Ana Ámbar <ana@acme.example>\n'
    "2024-03-01T11:30:00Z,sms,Ana <+15550100>,snap:42;Snap:42;U12AB\n"
)


def test_named_identities_keep_their_name(tmp_path: Path) -> None:
    first, second, third = _records(_write(tmp_path, NAMED))
    assert isinstance(first, Interaction) and isinstance(second, Interaction)
    assert [(p.address, p.name) for p in first.participants] == [
        ("ana@acme.example", "Ana Ámbar"),
        ("bo@acme.example", "Bo Berg"),
        ("cy@acme.example", ""),
    ]
    sender = second.participants[0]
    assert (sender.address, sender.name) == ("bo@acme.example", "Berg, Bo")
    assert isinstance(third, Interaction)  # opaque ids stay as given; a +number is a phone
    addresses = [p.address for p in third.participants]
    assert addresses == [normalise_phone("+15550100") or "+15550100", "snap:42", "Snap:42", "U12AB"]
    assert third.participants[0].name == "Ana"


def test_a_log_in_another_case_or_with_names_is_the_same_log(tmp_path: Path) -> None:
    plain = HEADER + "1709285400,email,bo@acme.example,ana@acme.example;cy@acme.example,,t-7,\n"
    loud = HEADER + (
        '1709285400,Email,BO@ACME.EXAMPLE,"Ana Ámbar <Ana@Acme.example> ; CY@acme.example",,t-7,\n'
    )
    con = connect(tmp_path / "s.duckdb")
    stored = ingest_sources(con, [LogSource(_write(tmp_path, plain))], Settings()).totals.stored
    again = ingest_sources(con, [LogSource(_write(tmp_path, loud, "loud.csv"))], Settings()).totals
    assert (stored, again.stored, again.duplicates) == (1, 0, 1)
    names = con.execute("SELECT DISTINCT address FROM participants ORDER BY 1").fetchall()
    con.close()
    assert names == [("ana@acme.example",), ("bo@acme.example",), ("cy@acme.example",)]


def test_a_null_in_a_parquet_list_drops_the_item_not_the_row(tmp_path: Path) -> None:
    path = tmp_path / "nulls.parquet"
    table = pa.table(
        {
            "timestamp": ["2024-03-01T09:00:00Z", "2024-03-02T09:00:00Z", "2024-03-03T09:00:00Z"],
            "channel": ["email"] * 3,
            "sender": ["a@x.example"] * 3,
            "recipients": pa.array(
                [["b@x.example", None, "c@x.example"], None, [None]], pa.list_(pa.string())
            ),
        }
    )
    pq.write_table(table, path)
    first, second, third = _records(path)
    assert isinstance(first, Interaction)
    assert [p.address for p in first.participants] == ["a@x.example", "b@x.example", "c@x.example"]
    assert isinstance(second, Quarantined) and second.reason == "no-recipients"
    assert isinstance(third, Quarantined) and third.reason == "no-recipients"
    sliced = tmp_path / "sliced.parquet"  # list arrays that start inside their values
    pq.write_table(table.slice(1, 2), sliced, row_group_size=1)
    assert [getattr(r, "reason", "") for r in _records(sliced)] == ["no-recipients"] * 2


@pytest.mark.parametrize("duration", ["inf", "-inf", "nan", "1e300", "604801", "-1", "ten"])
def test_impossible_durations_are_quarantined(tmp_path: Path, duration: str) -> None:
    path = _write(
        tmp_path,
        "timestamp,channel,sender,recipients,duration_s\n"
        f"2024-03-01,call,a@x.example,b@x.example,{duration}\n"
        "2024-03-01,call,a@x.example,b@x.example,604800\n",  # a week: the longest kept
    )
    bad, week = _records(path)
    assert isinstance(bad, Quarantined) and bad.reason == "bad-duration"
    assert bad.location.endswith("#row1") and duration in bad.detail
    assert isinstance(week, Interaction) and week.duration_s == 604800.0


@pytest.mark.parametrize(
    ("stamp", "flag"),
    [
        ("-5", "implausible"),
        ("0", "implausible"),
        ("1970-01-01T00:00:00Z", "implausible"),
        ("473385599", "implausible"),  # 1984-12-31: before 1985, like mail
        ("2024-03-01T09:00:00Z", None),
        ("{soon}", None),
        ("{later}", "implausible"),  # over a day after the ingest
    ],
)
def test_implausible_times_are_flagged_as_in_mail(
    tmp_path: Path, stamp: str, flag: str | None
) -> None:
    now = datetime.now(UTC).timestamp()
    text = stamp.format(soon=int(now + 3600), later=int(now + 3 * 86400))
    path = _write(tmp_path, f"timestamp,channel,sender,recipients\n{text},email,a@x.org,b@x.org\n")
    (record,) = _records(path)
    assert isinstance(record, Interaction)
    assert record.date_flag == flag
    con = connect(tmp_path / "s.duckdb")
    ingest_sources(con, [LogSource(path)], Settings())
    assert con.execute("SELECT date_flag FROM interactions").fetchall() == [(flag,)]
    con.close()


def test_row_numbers_do_not_drift_after_a_broken_line(tmp_path: Path) -> None:
    """Over several of Arrow's blocks (1 MiB each), every row keeps its own number:
    stored rows and broken lines alike, in file order."""
    pad = "t" * 200  # long rows: three blocks in few rows
    lines = []
    for n in range(1, 10001):
        if n % 1001 == 0:
            lines.append(f"2024-01-01,email,a{n}@x.org,{pad}")  # a field short
        elif n % 777 == 0:
            lines.append(f"2024-01-01,email,a{n}@x.org,b@x.org,{pad},extra")
        else:
            lines.append(f"2024-01-01,email,a{n}@x.org,b@x.org,{pad}")
    header = "timestamp,channel,sender,recipients,thread_id\n"
    path = _write(tmp_path, header + "\n".join(lines) + "\n")
    assert path.stat().st_size > 2 << 20
    records = list(LogSource(path).records())
    assert [r.location.rpartition("#row")[2] for r in records] == [str(n) for n in range(1, 10001)]
    for n, record in enumerate(records, 1):
        if n % 1001 == 0 or n % 777 == 0:
            assert isinstance(record, Quarantined) and record.reason == "bad-row", n
        else:
            assert isinstance(record, Interaction), n
            assert record.participants[0].address == f"a{n}@x.org"


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"timestamp,channel,sender,recipients\n",
        b"\xef\xbb\xbftimestamp,channel,sender,recipients\r\n\r\n",
    ],
)
def test_a_log_without_rows_is_empty(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    assert LogSource(path).estimate() == 0
    full = _write(tmp_path)
    assert LogSource(full).estimate() is None  # unknown, not zero
