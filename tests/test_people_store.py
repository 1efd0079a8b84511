"""Rebuilding identities, people and organisations from the facts of a real store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from weakties.identity.rebuild import MODEL_VERSION, rebuild_people, rebuild_people_if_stale
from weakties.store.db import connect
from weakties.store.people import owner_person_ids

Who = tuple[str, str]  # (address, display name)


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = connect(tmp_path / "store.duckdb")
    yield connection
    connection.close()


class Facts:
    """Writes hand-made fact rows the way ingest would."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.next_id = 1

    def message(
        self,
        sender: Who,
        to: list[Who],
        *,
        list_id: str | None = None,
        subject: str | None = None,
        automated: bool = False,
        bulk: bool = False,
    ) -> None:
        iid = self.next_id
        self.next_id += 1
        self.con.execute(
            """INSERT INTO interactions (interaction_id, natural_key, content_key, source_id,
               channel, list_id, subject_hash, automated, bulk, n_participants)
               VALUES (?, ?, ?, 1, 'email', ?, ?, ?, ?, ?)""",
            [iid, f"m{iid}", f"c{iid}", list_id, subject, automated, bulk, 1 + len(to)],
        )
        rows = [(iid, sender[0], "from", sender[1])] + [(iid, a, "to", n) for a, n in to]
        self.con.executemany(
            "INSERT INTO participants (interaction_id, address, role, name) VALUES (?, ?, ?, ?)",
            rows,
        )


ALLEN = ("pallen@enron.com", "Allen, Phillip K.")
GRIGSBY = ("mike.grigsby@enron.com", "Grigsby, Mike")


def _small_world(con: duckdb.DuckDBPyConnection) -> None:
    facts = Facts(con)
    con.execute("INSERT INTO source_owners VALUES (1, 'pallen@enron.com')")
    con.execute("INSERT INTO identity_links VALUES ('pallen@enron.com', 'k..allen@enron.com', 'x')")
    for _ in range(3):
        facts.message(ALLEN, [GRIGSBY, ("jsmith@gmail.com", "John Smith")])
        facts.message(
            ("k..allen@enron.com", "Phillip K Allen"), [("jsmith@yahoo.com", "John Smith")]
        )
        facts.message(("mgrigsby@ect.enron.com", "Mike Grigsby"), [ALLEN])
    facts.message(("jsmith@gmail.com", "John Smith"), [("phillip.k.allen@enron.com", "")])
    facts.message(("jsmith@yahoo.com", "Smith, John"), [ALLEN])
    readers = [(f"trader{i}@enron.com", "") for i in range(12)] + [ALLEN]
    for _ in range(6):
        facts.message(("bulletin@power-news.com", "Power News"), readers)
    r_devel = ("r-devel@r-project.org", "")
    mirror = ("r-devel-x1@public.gmane.org", "")
    maintainer = ("maint@uni.edu", "Mia Tainer")
    for i in range(4):
        facts.message(
            (f"dev{i}@uni.edu", f"Dev Eloper{i}"),
            [r_devel, mirror, maintainer],
            list_id="<r-devel.r-project.org>",
            subject=f"s{i}",
        )
    facts.message(("offers@shop.com", "Shop"), [ALLEN], bulk=True)
    facts.message(("offers@shop.com", "Shop"), [ALLEN], automated=True)


def _tables(con: duckdb.DuckDBPyConnection) -> list[list[tuple[object, ...]]]:
    return [
        con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
        for table in ("identities", "people", "organisations")
    ]


def _person(con: duckdb.DuckDBPyConnection, address: str) -> tuple[object, ...]:
    row = con.execute(
        """SELECT p.* FROM people p JOIN identities i USING (person_id) WHERE i.address = ?""",
        [address],
    ).fetchone()
    assert row is not None
    return row


def _same_person(con: duckdb.DuckDBPyConnection, *addresses: str) -> bool:
    placeholders = ", ".join("?" for _ in addresses)
    row = con.execute(
        f"SELECT count(DISTINCT person_id) FROM identities WHERE address IN ({placeholders})",
        list(addresses),
    ).fetchone()
    return row == (1,)


def test_rebuild_twice_gives_identical_tables(con: duckdb.DuckDBPyConnection) -> None:
    _small_world(con)
    first = rebuild_people(con)
    tables = _tables(con)
    assert rebuild_people(con) == first
    assert _tables(con) == tables


def test_rebuild_resolves_the_expected_people(con: duckdb.DuckDBPyConnection) -> None:
    _small_world(con)
    summary = rebuild_people(con)
    assert _same_person(con, "pallen@enron.com", "k..allen@enron.com", "phillip.k.allen@enron.com")
    assert _same_person(con, "mike.grigsby@enron.com", "mgrigsby@ect.enron.com")
    assert not _same_person(con, "jsmith@gmail.com", "jsmith@yahoo.com")
    allen = _person(con, "k..allen@enron.com")
    assert allen[1:] == (
        "Phillip K. Allen",
        "pallen@enron.com",
        "enron.com",
        False,
        True,
        MODEL_VERSION,
    )
    assert owner_person_ids(con) == [allen[0]]
    assert (summary.merged, summary.identities, summary.people) == (2, 28, 25)


def test_rebuild_flags_automated_senders(con: duckdb.DuckDBPyConnection) -> None:
    _small_world(con)
    summary = rebuild_people(con)
    flagged = con.execute(
        "SELECT address FROM identities WHERE automated ORDER BY address"
    ).fetchall()
    assert flagged == [
        ("bulletin@power-news.com",),
        ("offers@shop.com",),
        ("r-devel-x1@public.gmane.org",),
        ("r-devel@r-project.org",),
    ]
    assert summary.automated == 4
    assert _person(con, "pallen@enron.com")[4] is False


def test_rebuild_writes_names_and_organisations(con: duckdb.DuckDBPyConnection) -> None:
    _small_world(con)
    rebuild_people(con)
    row = con.execute(
        "SELECT names, n_interactions, kind, domain FROM identities WHERE address = ?",
        ["jsmith@yahoo.com"],
    ).fetchone()
    assert row == (["John Smith", "Smith, John"], 4, "email", "yahoo.com")
    orgs = con.execute("SELECT * FROM organisations ORDER BY org_domain").fetchall()
    assert ("enron.com", "Enron", 14) in orgs
    assert ("power-news.com", "Power News", 0) in orgs
    assert not any(o[0] in ("gmail.com", "yahoo.com") for o in orgs)


def test_rebuild_replaces_earlier_people(con: duckdb.DuckDBPyConnection) -> None:
    _small_world(con)
    before = rebuild_people(con)
    con.execute("INSERT INTO me VALUES ('JSmith@gmail.com')")
    con.execute("INSERT INTO me VALUES ('jsmith@yahoo.com')")
    after = rebuild_people(con)
    assert after.people == before.people - 1
    assert _same_person(con, "jsmith@gmail.com", "jsmith@yahoo.com")
    assert len(owner_person_ids(con)) == 2
    people = con.execute("SELECT count(*) FROM people").fetchone()
    assert people == (after.people,)


def test_rebuild_of_an_empty_store(con: duckdb.DuckDBPyConnection) -> None:
    summary = rebuild_people(con)
    assert (summary.people, summary.identities, summary.organisations) == (0, 0, 0)
    assert owner_person_ids(con) == []


def test_rebuild_only_when_facts_changed(con: duckdb.DuckDBPyConnection) -> None:
    _small_world(con)
    con.execute("INSERT INTO items VALUES ('a', 1, 'stored', 1, false)")
    assert rebuild_people_if_stale(con)
    con.execute("UPDATE people SET display_name = 'edited'")
    assert not rebuild_people_if_stale(con)  # nothing new: the derived rows stay
    assert con.execute("SELECT count(*) FROM people WHERE display_name = 'edited'").fetchall()[0][0]
    con.execute("INSERT INTO me VALUES ('pallen@enron.com')")
    assert rebuild_people_if_stale(con)
    assert not con.execute("SELECT count(*) FROM people WHERE display_name = 'edited'").fetchall()[
        0
    ][0]


def test_a_users_verdict_makes_people_stale_and_applies(con: duckdb.DuckDBPyConnection) -> None:
    _small_world(con)
    rebuild_people(con)
    assert not _same_person(con, "jsmith@gmail.com", "jsmith@yahoo.com")
    con.execute(
        "INSERT INTO identity_verdicts VALUES (?, ?, 'same', now())",
        ["jsmith@gmail.com", "jsmith@yahoo.com"],
    )
    assert rebuild_people_if_stale(con)
    assert _same_person(con, "jsmith@gmail.com", "jsmith@yahoo.com")
    con.execute("UPDATE identity_verdicts SET verdict = 'apart'")  # same count, new content
    assert rebuild_people_if_stale(con)
    assert not _same_person(con, "jsmith@gmail.com", "jsmith@yahoo.com")
    assert not rebuild_people_if_stale(con)
