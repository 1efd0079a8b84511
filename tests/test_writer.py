"""The batch writer: ledger, deduplication within and across batches, rows as stored."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from weakties.records import (
    AliasEvidence,
    Contact,
    ContactKind,
    DateFlag,
    Interaction,
    Participant,
    Quarantined,
    Role,
)
from weakties.store.db import connect
from weakties.store.keys import interaction_keys, stable_id
from weakties.store.writer import write_batch

WHEN = datetime(2001, 5, 14, 16, 39, tzinfo=UTC)
ANN = Participant(Role.FROM, "ann@acme.com", "Ann Lee")


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = connect(tmp_path / "store.duckdb")
    yield connection
    connection.close()


def mail(location: str, message_id: str | None, *to: str, **fields: object) -> Interaction:
    people = [ANN, *(Participant(Role.TO, a) for a in to)]
    record = Interaction(location, "email", WHEN, people, message_id=message_id)
    for name, value in fields.items():
        setattr(record, name, value)
    return record


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[object, ...]]:
    return [tuple(r) for r in con.execute(sql).fetchall()]


def test_an_address_is_stored_once_per_interaction_first_role_wins(
    con: duckdb.DuckDBPyConnection,
) -> None:
    record = mail("/m/1", "a@x", "bob@acme.com")
    record.participants += [
        Participant(Role.CC, "ann@acme.com", "Ann"),
        Participant(Role.CC, "bob@acme.com", "Bob"),
        Participant(Role.CC, "cy@acme.com", "Cy"),
    ]
    counts = write_batch(con, 1, [record])
    assert (counts.read, counts.stored) == (1, 1)
    assert rows(con, "SELECT address, role, name FROM participants ORDER BY address") == [
        ("ann@acme.com", "from", "Ann Lee"),
        ("bob@acme.com", "to", ""),
        ("cy@acme.com", "cc", "Cy"),
    ]
    assert rows(con, "SELECT n_participants FROM interactions") == [(3,)]


def test_copies_chain_through_either_key_within_a_batch(con: duckdb.DuckDBPyConnection) -> None:
    first = mail("/m/1", "one@x", "bob@acme.com")
    same_content = mail("/m/2", "two@x", "bob@acme.com")  # new Message-ID, same content
    same_id = mail("/m/3", "two@x", "cy@acme.com")  # Message-ID of the copy, other content
    counts = write_batch(con, 1, [first, same_content, same_id])
    assert (counts.stored, counts.duplicates) == (1, 2)
    winner = stable_id(interaction_keys(first)[0])
    assert rows(con, "SELECT DISTINCT interaction_id FROM interaction_keys") == [(winner,)]
    assert rows(con, "SELECT count(*) FROM interaction_keys") == [(4,)]
    assert rows(con, "SELECT location, outcome, interaction_id FROM items ORDER BY 1") == [
        ("/m/1", "stored", winner),
        ("/m/2", "duplicate", winner),
        ("/m/3", "duplicate", winner),
    ]


def test_later_batches_and_reruns_find_what_is_stored(con: duckdb.DuckDBPyConnection) -> None:
    write_batch(con, 1, [mail("/m/1", "one@x", "bob@acme.com")])
    later = write_batch(con, 2, [mail("/n/1", None, "bob@acme.com"), mail("/n/2", "new@x")])
    assert (later.stored, later.duplicates) == (1, 1)
    again = write_batch(con, 2, [mail("/n/1", None, "bob@acme.com"), mail("/n/2", "new@x")])
    assert (again.read, again.known, again.stored, again.duplicates) == (2, 2, 0, 0)
    assert rows(con, "SELECT count(*), count(DISTINCT location) FROM items") == [(3, 3)]
    assert rows(con, "SELECT count(*), count(DISTINCT key) FROM interaction_keys") == [(4, 4)]


def test_a_location_read_twice_in_a_batch_counts_once(con: duckdb.DuckDBPyConnection) -> None:
    record = mail("/m/1", "one@x", "bob@acme.com")
    counts = write_batch(con, 1, [record, record])
    assert (counts.read, counts.known, counts.stored) == (2, 1, 1)


def test_every_column_is_stored_as_read(con: duckdb.DuckDBPyConnection) -> None:
    record = mail(
        "/m/1",
        "one@x",
        "bob@acme.com",
        in_reply_to="zero@x",
        thread_id="t1",
        subject_hash="00ff",
        list_id="team.acme.com",
        automated=True,
        bulk=True,
        date_flag=DateFlag.UNPARSED,
        is_sent=True,
        aliases=[AliasEvidence("ann@acme.com", "alee@acme.com", "exchange-dn")] * 2,
        public=True,
    )
    counts = write_batch(con, 3, [record, Quarantined("/m/2", "no-sender", "x" * 600)])
    assert (counts.stored, counts.automated, counts.quarantined) == (1, 1, 1)
    assert counts.reasons == {"no-sender": 1}
    natural, content = interaction_keys(record)
    assert rows(con, "SELECT * EXCLUDE (interaction_id) FROM interactions") == [
        (natural, content, 3, "email", WHEN, "unparsed", "one@x", "zero@x", "t1", "00ff",
         "team.acme.com", True, True, None, 2, True)
    ]  # fmt: skip
    assert rows(con, "SELECT location, source_id, outcome, is_sent FROM items ORDER BY 1") == [
        ("/m/1", 3, "stored", True),
        ("/m/2", 3, "quarantined", False),
    ]
    assert rows(con, "SELECT interaction_id FROM items WHERE outcome = 'quarantined'") == [(None,)]
    assert rows(con, "SELECT location, reason, length(detail) FROM quarantine") == [
        ("/m/2", "no-sender", 500)
    ]
    assert rows(con, "SELECT * FROM identity_links") == [
        ("ann@acme.com", "alee@acme.com", "exchange-dn")
    ]


def test_a_detail_naming_a_file_that_is_not_utf8_is_stored(
    con: duckdb.DuckDBPyConnection,
) -> None:
    """An error's text may quote a file name whose bytes are not UTF-8 (lone surrogates
    in Python); it is stored with ``\\xNN`` escapes."""
    name = b"/m/caf\xe9".decode("utf-8", "surrogateescape")
    write_batch(con, 1, [Quarantined("/m/1", "unreadable", f"[Errno 5] I/O error: '{name}'")])
    assert rows(con, "SELECT detail FROM quarantine") == [("[Errno 5] I/O error: '/m/caf\\xe9'",)]


def test_a_failed_batch_leaves_nothing(con: duckdb.DuckDBPyConnection) -> None:
    bad = Quarantined("/m/2", None)  # type: ignore[arg-type]  # NOT NULL fails at insert
    with pytest.raises(duckdb.ConstraintException):
        write_batch(con, 1, [mail("/m/1", "one@x"), bad])
    for table in ("items", "interactions", "interaction_keys", "participants"):
        assert rows(con, f"SELECT count(*) FROM {table}") == [(0,)]


def test_contacts_are_stored_once_with_their_identities_as_one_person(
    con: duckdb.DuckDBPyConnection,
) -> None:
    card = Contact(
        "/c.vcf#1",
        ContactKind.CARD,
        name="Ana Ámbar",
        identities=("ana@acme.example", "tel:+34600000001", "ana@gmail.com"),
        organisation="Acme",
        title="CFO",
    )
    first = write_batch(con, 1, [card])
    again = write_batch(con, 2, [Contact(**{**_fields(card), "location": "/d.vcf#4"})])
    assert (first.stored, again.stored, again.duplicates) == (1, 0, 1)
    assert rows(con, "SELECT kind, name, organisation, title, since FROM contacts") == [
        ("card", "Ana Ámbar", "Acme", "CFO", None)
    ]
    assert rows(con, "SELECT address FROM contact_identities ORDER BY 1") == [
        ("ana@acme.example",), ("ana@gmail.com",), ("tel:+34600000001",)
    ]  # fmt: skip
    assert rows(con, "SELECT address, other FROM identity_links ORDER BY 2") == [
        ("ana@acme.example", "ana@gmail.com"), ("ana@acme.example", "tel:+34600000001")
    ]  # fmt: skip
    assert rows(con, "SELECT outcome, interaction_id FROM items ORDER BY location") == [
        ("stored", None), ("duplicate", None)
    ]  # fmt: skip


def _fields(card: Contact) -> dict[str, object]:
    return {name: getattr(card, name) for name in Contact.__slots__}  # type: ignore[attr-defined]
